"""agencies_reference: reserved for the feature that fills it in (no schema change yet).

Revision ID: 0013_agencies_reference
Revises: 0012_exclusion_cases
Create Date: 2026-12-05
"""

# revision identifiers, used by Alembic.
revision = "0013_agencies_reference"
down_revision = "0012_exclusion_cases"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
