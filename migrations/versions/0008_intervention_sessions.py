"""intervention_sessions: who delivers an intervention, and its session register (issue 13).

Typed "sessions attended" counts already on each pupil stay as they are: this revision adds
the register beside them and changes no existing figure.

Revision ID: 0008_intervention_sessions
Revises: 0007_record_versions
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0008_intervention_sessions"
down_revision = "0007_record_versions"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "intervention_delivery_staff",
        sa.Column("intervention_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["intervention_id"],
            ["interventions.id"],
            ondelete="CASCADE",
            name=op.f("fk_intervention_delivery_staff_intervention_id_interventions"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_intervention_delivery_staff_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["added_by_id"],
            ["users.id"],
            name=op.f("fk_intervention_delivery_staff_added_by_id_users"),
        ),
        sa.PrimaryKeyConstraint(
            "intervention_id", "user_id", name=op.f("pk_intervention_delivery_staff")
        ),
    )
    with op.batch_alter_table("intervention_delivery_staff", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_intervention_delivery_staff_user_id"), ["user_id"], unique=False
        )
    op.create_table(
        "intervention_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("intervention_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "minutes BETWEEN 1 AND 480",
            name=op.f("ck_intervention_sessions_session_minutes_range"),
        ),
        sa.ForeignKeyConstraint(
            ["intervention_id"],
            ["interventions.id"],
            ondelete="CASCADE",
            name=op.f("fk_intervention_sessions_intervention_id_interventions"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_intervention_sessions_created_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intervention_sessions")),
    )
    with op.batch_alter_table("intervention_sessions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_intervention_sessions_held", ["intervention_id", "held_on"], unique=False
        )
    op.create_table(
        "session_attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("present", sa.Boolean(), nullable=False),
        sa.Column("absence_reason", sa.String(length=200), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["intervention_sessions.id"],
            ondelete="CASCADE",
            name=op.f("fk_session_attendance_session_id_intervention_sessions"),
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["intervention_participants.id"],
            ondelete="CASCADE",
            name=op.f("fk_session_attendance_participant_id_intervention_participants"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_attendance")),
        sa.UniqueConstraint("session_id", "participant_id", name="uq_session_attendance_pupil"),
    )
    with op.batch_alter_table("session_attendance", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_session_attendance_session_id"), ["session_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_session_attendance_participant_id"), ["participant_id"], unique=False
        )


def downgrade():
    op.drop_table("session_attendance")
    op.drop_table("intervention_sessions")
    op.drop_table("intervention_delivery_staff")
