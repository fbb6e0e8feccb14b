"""class_staff: staff assigned to registration groups, for "my class" (issue 13 item 6).

Revision ID: 0016_class_staff
Revises: 0015_kindness_givers
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0016_class_staff"
down_revision = "0015_kindness_givers"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
