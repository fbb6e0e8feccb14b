"""outbox: reserved for the feature that fills it in (no schema change yet).

Revision ID: 0011_outbox
Revises: 0010_alerts
Create Date: 2026-12-05
"""

# revision identifiers, used by Alembic.
revision = "0011_outbox"
down_revision = "0010_alerts"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
