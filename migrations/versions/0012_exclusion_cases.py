"""exclusion_cases: reserved for the feature that fills it in (no schema change yet).

Revision ID: 0012_exclusion_cases
Revises: 0011_outbox
Create Date: 2026-12-05
"""

# revision identifiers, used by Alembic.
revision = "0012_exclusion_cases"
down_revision = "0011_outbox"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
