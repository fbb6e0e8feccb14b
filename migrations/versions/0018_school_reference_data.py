"""school_reference_data: risk factors, agencies, intervention measures and CPD focus areas each school controls (issue 16 item 6).

Revision ID: 0018_school_reference_data
Revises: 0017_email_preferences
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0018_school_reference_data"
down_revision = "0017_email_preferences"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
