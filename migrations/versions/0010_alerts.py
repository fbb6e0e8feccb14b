"""alerts: in-app alerts to one person each (issue 14 item 1).

Revision ID: 0010_alerts
Revises: 0009_mentoring_session_versions
Create Date: 2026-12-05
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0010_alerts"
down_revision = "0009_mentoring_session_versions"
branch_labels = None
depends_on = None

ALERT_KINDS = (
    'flag_named', 'flag_action', 'flag_review_overdue', 'intervention_review_overdue',
    'follow_up_due', 'intervention_delivery', 'password_changed', 'two_factor_on',
    'two_factor_off', 'role_changed', 'signed_out_everywhere',
)


def upgrade():
    op.create_table('alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum(*ALERT_KINDS, name='alert_kind', native_enum=False, create_constraint=True, length=27), nullable=False),
    sa.Column('raised_by_id', sa.Integer(), nullable=True),
    sa.Column('record_type', sa.String(length=40), nullable=True),
    sa.Column('record_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('read_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['recipient_id'], ['users.id'], name=op.f('fk_alerts_recipient_id_users')),
    sa.ForeignKeyConstraint(['raised_by_id'], ['users.id'], name=op.f('fk_alerts_raised_by_id_users')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_alerts_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alerts')),
    sa.UniqueConstraint('recipient_id', 'kind', 'record_type', 'record_id', 'due_on', name='uq_alerts_once')
    )
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.create_index('ix_alerts_recipient_read', ['recipient_id', 'read_at'], unique=False)
        batch_op.create_index('ix_alerts_recipient_created', ['recipient_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_alerts_school_id'), ['school_id'], unique=False)


def downgrade():
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alerts_school_id'))
        batch_op.drop_index('ix_alerts_recipient_created')
        batch_op.drop_index('ix_alerts_recipient_read')

    op.drop_table('alerts')
