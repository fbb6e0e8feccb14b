"""Mentoring sessions become correctable (issue 13 item 7).

A session gains an optimistic-lock version and who/when last corrected it, so a correction
goes through the same versioned edit as every other record (its earlier values are kept as
record versions). Existing sessions start at version 1, never corrected.

Revision ID: 0009_mentoring_session_versions
Revises: 0008_intervention_sessions
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009_mentoring_session_versions"
down_revision = "0008_intervention_sessions"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("mentoring_sessions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("version_id", sa.Integer(), nullable=False, server_default="1")
        )
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("updated_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_mentoring_sessions_updated_by_id_users"),
            "users",
            ["updated_by_id"],
            ["id"],
        )


def downgrade():
    with op.batch_alter_table("mentoring_sessions", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_mentoring_sessions_updated_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_column("updated_by_id")
        batch_op.drop_column("updated_at")
        batch_op.drop_column("version_id")
