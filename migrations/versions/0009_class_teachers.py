"""class_teachers: reserved for the feature that fills it in (no schema change yet).

Revision ID: 0009_class_teachers
Revises: 0008_intervention_sessions
Create Date: 2026-12-05
"""

# revision identifiers, used by Alembic.
revision = "0009_class_teachers"
down_revision = "0008_intervention_sessions"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
