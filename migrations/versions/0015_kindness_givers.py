"""kindness_givers: a kindness moment given by several pupils or a registration group (issue 13 item 4).

Revision ID: 0015_kindness_givers
Revises: 0014_intervention_attendance
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0015_kindness_givers"
down_revision = "0014_intervention_attendance"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
