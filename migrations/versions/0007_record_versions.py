"""Record versions: the earlier values of every edited record, append-only (R63).

Revision ID: 0007_record_versions
Revises: 0006_legal_hold
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0007_record_versions"
down_revision = "0006_legal_hold"
branch_labels = None
depends_on = None


def upgrade():
    # Records edited before this revision start their history at their next edit.
    op.create_table('record_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('pupil_id', sa.Integer(), nullable=True),
    sa.Column('entity_type', sa.String(length=40), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=True),
    sa.Column('previous', sa.JSON(none_as_null=True), nullable=True),
    sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'], name=op.f('fk_record_versions_changed_by_id_users')),
    sa.ForeignKeyConstraint(['pupil_id'], ['pupils.id'], name=op.f('fk_record_versions_pupil_id_pupils')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_record_versions_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_record_versions'))
    )
    with op.batch_alter_table('record_versions', schema=None) as batch_op:
        batch_op.create_index('ix_record_versions_entity', ['entity_type', 'entity_id'], unique=False)


def downgrade():
    with op.batch_alter_table('record_versions', schema=None) as batch_op:
        batch_op.drop_index('ix_record_versions_entity')

    op.drop_table('record_versions')
