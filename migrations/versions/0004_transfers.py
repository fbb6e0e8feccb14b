"""Transfer packs: when a leaver's pastoral file was sent, to whom, and when receipt came back
(KCSIE: within 5 school days of an in-year move).

Revision ID: 0004_transfers
Revises: 0003_records
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0004_transfers"
down_revision = "0003_records"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('transfer_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('pupil_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_to', sa.String(length=200), nullable=False),
    sa.Column('receipt_confirmed_at', sa.DateTime(), nullable=True),
    sa.Column('receipt_confirmed_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('(receipt_confirmed_at IS NULL AND receipt_confirmed_by_id IS NULL) OR (receipt_confirmed_at IS NOT NULL AND receipt_confirmed_by_id IS NOT NULL)', name=op.f('ck_transfer_records_receipt_has_who_and_when')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_transfer_records_created_by_id_users')),
    sa.ForeignKeyConstraint(['pupil_id'], ['pupils.id'], name=op.f('fk_transfer_records_pupil_id_pupils')),
    sa.ForeignKeyConstraint(['receipt_confirmed_by_id'], ['users.id'], name=op.f('fk_transfer_records_receipt_confirmed_by_id_users')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_transfer_records_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transfer_records'))
    )
    with op.batch_alter_table('transfer_records', schema=None) as batch_op:
        batch_op.create_index('ix_transfer_records_school_pupil', ['school_id', 'pupil_id'], unique=False)



def downgrade():
    with op.batch_alter_table('transfer_records', schema=None) as batch_op:
        batch_op.drop_index('ix_transfer_records_school_pupil')

    op.drop_table('transfer_records')
