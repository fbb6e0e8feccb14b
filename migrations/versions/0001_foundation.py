"""Foundation: trust, schools, term dates, users, activation codes, pupils, priorities, audit.

Reviewed by hand: timestamps are naive-UTC DateTime (the models' UTCDateTime decorates it),
enums are portable VARCHAR + CHECK, and the AfA priorities are seeded as reference data.

Revision ID: 0001_foundation
Revises:
Create Date: 2026-11-22
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0001_foundation"
down_revision = None
branch_labels = None
depends_on = None

# Frozen copy of docs/design.md section 2 at this revision; later wording changes get their own
# migration.
PRIORITIES = (
    ("P1", "Kindness and wellbeing",
     "Inclusion every day; mental health, character and resilience through a culture of "
     "kindness and mutuality."),
    ("P2", "Investment across all phases",
     "A relevant curriculum; attainment in reading, writing and maths; a meaningful "
     "destination for every child."),
    ("P3", "Teachers as professional learners",
     "Recruitment, retention and CPD on how disadvantaged and vulnerable children learn."),
    ("P4a", "Reduce exclusions",
     "Responsibility for children at risk of exclusion through cross-agency collaboration."),
    ("P4b", "Close the gap for SEND", "Close the gap for children with special educational needs."),
    ("P5", "Parents, carers and communities as partners",
     "Recognition of parents, carers and wider communities as partners."),
)


def upgrade():
    priorities = op.create_table('priorities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=4), nullable=False),
    sa.Column('title', sa.String(length=80), nullable=False),
    sa.Column('description', sa.String(length=400), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_priorities')),
    sa.UniqueConstraint('code', name=op.f('uq_priorities_code'))
    )
    op.create_table('trusts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trusts'))
    )
    op.create_table('schools',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trust_id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['trust_id'], ['trusts.id'], name=op.f('fk_schools_trust_id_trusts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_schools')),
    sa.UniqueConstraint('slug', name=op.f('uq_schools_slug'))
    )
    with op.batch_alter_table('schools', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_schools_trust_id'), ['trust_id'], unique=False)

    op.create_table('term_dates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('term_key', sa.String(length=20), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_term_dates_ends_after_start')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_term_dates_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_term_dates')),
    sa.UniqueConstraint('school_id', 'term_key', name='uq_term_dates_school_term')
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trust_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('full_name', sa.String(length=120), nullable=False),
    sa.Column('role', sa.Enum('staff', 'leader', 'governor', 'admin', 'trust_leader', name='role', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('session_token', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_login_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("role = 'trust_leader' OR school_id IS NOT NULL", name=op.f('ck_users_school_unless_trust_leader')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_users_school_id_schools')),
    sa.ForeignKeyConstraint(['trust_id'], ['trusts.id'], name=op.f('fk_users_trust_id_trusts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_users_trust_id'), ['trust_id'], unique=False)

    op.create_table('activation_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_activation_codes_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activation_codes')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_activation_codes_code_hash'))
    )
    with op.batch_alter_table('activation_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activation_codes_user_id'), ['user_id'], unique=False)

    op.create_table('pupils',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('upn', sa.String(length=13), nullable=False),
    sa.Column('legal_surname', sa.String(length=100), nullable=False),
    sa.Column('legal_forename', sa.String(length=100), nullable=False),
    sa.Column('preferred_forename', sa.String(length=100), nullable=True),
    sa.Column('date_of_birth', sa.Date(), nullable=False),
    sa.Column('gender', sa.Enum('F', 'M', 'U', name='gender', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('year_group', sa.Enum('N1', 'N2', 'R', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12', '13', name='year_group', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('registration_group', sa.String(length=20), nullable=True),
    sa.Column('sen_status', sa.Enum('N', 'K', 'E', name='sen_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('primary_need', sa.Enum('SPLD', 'MLD', 'SLD', 'PMLD', 'SEMH', 'SLCN', 'HI', 'VI', 'MSI', 'PD', 'ASD', 'OTH', 'NSA', name='primary_need', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('pupil_premium', sa.Boolean(), nullable=False),
    sa.Column('fsm', sa.Boolean(), nullable=False),
    sa.Column('eal', sa.Boolean(), nullable=False),
    sa.Column('looked_after', sa.Boolean(), nullable=False),
    sa.Column('previously_looked_after', sa.Boolean(), nullable=False),
    sa.Column('child_in_need', sa.Boolean(), nullable=False),
    sa.Column('young_carer', sa.Boolean(), nullable=False),
    sa.Column('admission_date', sa.Date(), nullable=True),
    sa.Column('leaving_date', sa.Date(), nullable=True),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_pupils_created_by_id_users')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_pupils_school_id_schools')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_pupils_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pupils')),
    sa.UniqueConstraint('upn', name=op.f('uq_pupils_upn'))
    )
    with op.batch_alter_table('pupils', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pupils_school_id'), ['school_id'], unique=False)
        batch_op.create_index('ix_pupils_school_surname', ['school_id', 'legal_surname', 'legal_forename'], unique=False)
        batch_op.create_index('ix_pupils_school_year', ['school_id', 'year_group'], unique=False)

    op.create_table('audit_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('entity_type', sa.String(length=40), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=True),
    sa.Column('pupil_id', sa.Integer(), nullable=True),
    sa.Column('changes', sa.JSON(), nullable=True),
    sa.Column('ip_address', sa.String(length=45), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_entries_actor_id_users')),
    sa.ForeignKeyConstraint(['pupil_id'], ['pupils.id'], name=op.f('fk_audit_entries_pupil_id_pupils')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_audit_entries_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entries'))
    )
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.create_index('ix_audit_entries_pupil', ['pupil_id'], unique=False)
        batch_op.create_index('ix_audit_entries_school_at', ['school_id', 'at'], unique=False)

    op.bulk_insert(priorities, [
        {"code": code, "title": title, "description": description, "sort_order": order}
        for order, (code, title, description) in enumerate(PRIORITIES, start=1)
    ])


def downgrade():
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_entries_school_at')
        batch_op.drop_index('ix_audit_entries_pupil')

    op.drop_table('audit_entries')
    with op.batch_alter_table('pupils', schema=None) as batch_op:
        batch_op.drop_index('ix_pupils_school_year')
        batch_op.drop_index('ix_pupils_school_surname')
        batch_op.drop_index(batch_op.f('ix_pupils_school_id'))

    op.drop_table('pupils')
    with op.batch_alter_table('activation_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activation_codes_user_id'))

    op.drop_table('activation_codes')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_trust_id'))
        batch_op.drop_index(batch_op.f('ix_users_school_id'))

    op.drop_table('users')
    op.drop_table('term_dates')
    with op.batch_alter_table('schools', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_schools_trust_id'))

    op.drop_table('schools')
    op.drop_table('trusts')
    op.drop_table('priorities')
