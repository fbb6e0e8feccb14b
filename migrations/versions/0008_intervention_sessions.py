"""intervention_sessions: reserved for the feature that fills it in (no schema change yet).

Revision ID: 0008_intervention_sessions
Revises: 0007_record_versions
Create Date: 2026-12-05
"""

# revision identifiers, used by Alembic.
revision = "0008_intervention_sessions"
down_revision = "0007_record_versions"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
