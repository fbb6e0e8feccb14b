"""email_preferences: each person's choice of immediate e-mail, a daily digest or security only (issue 14 item 2).

Revision ID: 0017_email_preferences
Revises: 0016_class_staff
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0017_email_preferences"
down_revision = "0016_class_staff"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
