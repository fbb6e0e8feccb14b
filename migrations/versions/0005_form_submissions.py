"""Form submissions: one row per accepted POST so a double-click saves once (R85).

Revision ID: 0005_form_submissions
Revises: 0004_transfers
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0005_form_submissions"
down_revision = "0004_transfers"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('form_submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('endpoint', sa.String(length=120), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_form_submissions_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_form_submissions')),
    sa.UniqueConstraint('user_id', 'endpoint', 'token_hash', name='uq_form_submissions_once')
    )
    with op.batch_alter_table('form_submissions', schema=None) as batch_op:
        batch_op.create_index('ix_form_submissions_user_at', ['user_id', 'created_at'], unique=False)



def downgrade():
    with op.batch_alter_table('form_submissions', schema=None) as batch_op:
        batch_op.drop_index('ix_form_submissions_user_at')

    op.drop_table('form_submissions')
