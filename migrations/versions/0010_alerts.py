"""alerts: reserved for the feature that fills it in (no schema change yet).

Revision ID: 0010_alerts
Revises: 0009_class_teachers
Create Date: 2026-12-05
"""

# revision identifiers, used by Alembic.
revision = "0010_alerts"
down_revision = "0009_class_teachers"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
