"""intervention_attendance: sessions attended come from the register (issue 13 item 1).

Revision ID: 0014_intervention_attendance
Revises: 0013_agencies_reference
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0014_intervention_attendance"
down_revision = "0013_agencies_reference"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
