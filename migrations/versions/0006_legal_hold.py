"""Legal hold on one pupil: retention leaves everything about them alone (R69).

Revision ID: 0006_legal_hold
Revises: 0005_form_submissions
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0006_legal_hold"
down_revision = "0005_form_submissions"
branch_labels = None
depends_on = None


def upgrade():
    # Existing pupils stay NULL: not held.
    with op.batch_alter_table('pupils', schema=None) as batch_op:
        batch_op.add_column(sa.Column('legal_hold_reason', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('legal_hold_set_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('legal_hold_set_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_pupils_legal_hold_set_by_id_users'), 'users', ['legal_hold_set_by_id'], ['id']
        )


def downgrade():
    with op.batch_alter_table('pupils', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_pupils_legal_hold_set_by_id_users'), type_='foreignkey')
        batch_op.drop_column('legal_hold_set_by_id')
        batch_op.drop_column('legal_hold_set_at')
        batch_op.drop_column('legal_hold_reason')
