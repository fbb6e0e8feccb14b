"""Records: mentoring, interventions (with a per-school catalogue), exclusion-risk flags,
suspensions and exclusions, professional learning, parent conversations, kindness moments, and
roll imports.

Reviewed by hand: timestamps are naive-UTC DateTime (the models' UTCDateTime decorates it),
enums are portable VARCHAR + CHECK, every record carries school, authorship and a version
counter. Shared codesets are seeded here as frozen copies (agencies, risk factors, the DfE
reason codes with their active dates); each existing school gets the standard intervention
catalogue (new schools get it from `create_school`).

Revision ID: 0003_records
Revises: 0002_two_factor
Create Date: 2026-11-22
"""

from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op

revision = "0003_records"
down_revision = "0002_two_factor"
branch_labels = None
depends_on = None

AGENCIES = (
    ("camhs", "CAMHS / CYPMHS"), ("mhst", "Mental Health Support Team"),
    ("early_help", "Early Help"), ("social_care", "Children's social care"),
    ("virtual_school", "Virtual School Head"), ("ed_psych", "Educational psychology"),
    ("salt", "Speech and language therapy"), ("ot", "Occupational therapy"),
    ("school_nursing", "School nursing"), ("youth_justice", "Youth Justice Service"),
    ("police", "Police / safer schools officer"), ("la_sen", "LA SEN team"),
    ("behaviour_support", "Specialist teaching / behaviour support"),
    ("ap_pru", "Alternative provision / PRU"), ("young_carers", "Young carers service"),
    ("attendance", "Attendance service"), ("fair_access", "Fair Access panel"),
)
RISK_FACTORS = (
    ("persistent_disruption", "Persistent disruption"), ("attendance", "Attendance"),
    ("unmet_send", "Unmet SEND need"),
    ("bereavement_family_change", "Bereavement or family change"),
    ("peer_conflict", "Peer conflict"), ("online_harm", "Online harm"),
    ("substance_misuse", "Substance misuse"), ("exploitation", "Exploitation concern"),
    ("other", "Other"),
)
DFE_REASONS_FROM = date(2020, 8, 1)
DFE_REASONS = (
    ("PP", "Physical assault against a pupil"), ("PA", "Physical assault against an adult"),
    ("VP", "Verbal abuse or threatening behaviour against a pupil"),
    ("VA", "Verbal abuse or threatening behaviour against an adult"),
    ("OW", "Use or threat of use of an offensive weapon or prohibited item"),
    ("BU", "Bullying"), ("RA", "Racist abuse"),
    ("LG", "Abuse against sexual orientation and gender identity"),
    ("DS", "Abuse relating to disability"), ("SM", "Sexual misconduct"),
    ("DA", "Drug and alcohol related"), ("DM", "Damage"), ("TH", "Theft"),
    ("DB", "Persistent or general disruptive behaviour"),
    ("MT", "Inappropriate use of social media or online technology"),
)
# (seed key, name, default priority codes, SEND-focused): docs/design.md section 5's catalogue.
CATALOGUE = (
    ("nurture_group", "Nurture group", ("P1", "P4a"), False),
    ("reading_catch_up", "Reading catch-up", ("P2",), False),
    ("phonics", "Phonics", ("P2",), False),
    ("maths_booster", "Maths booster", ("P2",), False),
    ("elsa", "ELSA / emotional literacy", ("P1",), True),
    ("social_skills", "Social skills", ("P1",), False),
    ("attendance_mentoring", "Attendance mentoring", ("P4a",), False),
    ("speech_language", "Speech & language", ("P2",), True),
    ("lunchtime_club", "Lunchtime club", ("P1",), False),
    ("sport_extracurricular", "Sport / extracurricular", ("P1",), False),
    ("counselling_camhs", "Counselling / CAMHS referral", ("P1",), False),
    ("structured_conversation", "Structured conversation with parents", ("P5",), False),
    ("alternative_provision", "Alternative provision placement", ("P4a",), False),
    ("managed_move", "Managed move", ("P4a",), False),
)


def _seed_reference_data(agencies, risk_factors, reasons) -> None:
    op.bulk_insert(agencies, [{"code": c, "name": n, "sort_order": i, "active": True}
                              for i, (c, n) in enumerate(AGENCIES, start=1)])
    op.bulk_insert(risk_factors, [{"code": c, "name": n, "sort_order": i, "active": True}
                                  for i, (c, n) in enumerate(RISK_FACTORS, start=1)])
    op.bulk_insert(reasons, [{"code": c, "description": d, "active_from": DFE_REASONS_FROM,
                              "active_to": None, "sort_order": i}
                             for i, (c, d) in enumerate(DFE_REASONS, start=1)])


def _seed_catalogues(types, type_priorities) -> None:
    bind = op.get_bind()
    priorities = dict(bind.execute(sa.text("SELECT code, id FROM priorities")).all())
    now = datetime.now(UTC).replace(tzinfo=None)
    for (school_id,) in bind.execute(sa.text("SELECT id FROM schools")).all():
        for order, (key, name, codes, send) in enumerate(CATALOGUE, start=1):
            type_id = bind.execute(
                types.insert().values(school_id=school_id, name=name, seed_key=key,
                                      send_focused=send, active=True, sort_order=order,
                                      created_at=now, updated_at=now)
                .returning(types.c.id)
            ).scalar_one()
            for code in set(codes) | ({"P4b"} if send else set()):
                bind.execute(type_priorities.insert().values(type_id=type_id,
                                                             priority_id=priorities[code]))


def upgrade():
    agencies = op.create_table('agencies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agencies')),
    sa.UniqueConstraint('code', name=op.f('uq_agencies_code'))
    )
    reasons = op.create_table('exclusion_reasons',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=4), nullable=False),
    sa.Column('description', sa.String(length=120), nullable=False),
    sa.Column('active_from', sa.Date(), nullable=False),
    sa.Column('active_to', sa.Date(), nullable=True),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.CheckConstraint('active_to IS NULL OR active_to >= active_from', name=op.f('ck_exclusion_reasons_active_range')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exclusion_reasons')),
    sa.UniqueConstraint('code', 'active_from', name='uq_exclusion_reasons_code_from')
    )
    risk_factors = op.create_table('risk_factors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_factors')),
    sa.UniqueConstraint('code', name=op.f('uq_risk_factors_code'))
    )
    types = op.create_table('intervention_types',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('seed_key', sa.String(length=40), nullable=True),
    sa.Column('send_focused', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_intervention_types_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_intervention_types')),
    sa.UniqueConstraint('school_id', 'name', name='uq_intervention_types_school_name'),
    sa.UniqueConstraint('school_id', 'seed_key', name='uq_intervention_types_school_seed')
    )
    with op.batch_alter_table('intervention_types', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_intervention_types_school_id'), ['school_id'], unique=False)

    type_priorities = op.create_table('intervention_type_priorities',
    sa.Column('type_id', sa.Integer(), nullable=False),
    sa.Column('priority_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['priority_id'], ['priorities.id'], name=op.f('fk_intervention_type_priorities_priority_id_priorities')),
    sa.ForeignKeyConstraint(['type_id'], ['intervention_types.id'], name=op.f('fk_intervention_type_priorities_type_id_intervention_types'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('type_id', 'priority_id', name=op.f('pk_intervention_type_priorities'))
    )
    op.create_table('interventions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('type_id', sa.Integer(), nullable=False),
    sa.Column('mode', sa.Enum('individual', 'group', name='intervention_mode', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('lead_id', sa.Integer(), nullable=False),
    sa.Column('measure', sa.String(length=120), nullable=True),
    sa.Column('score_min', sa.Float(), nullable=True),
    sa.Column('score_max', sa.Float(), nullable=True),
    sa.Column('intended_outcome', sa.Text(), nullable=False),
    sa.Column('planned_sessions', sa.Integer(), nullable=True),
    sa.Column('frequency', sa.Enum('daily', 'several_weekly', 'weekly', 'fortnightly', 'monthly', 'as_needed', name='session_frequency', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('cost_pence', sa.Integer(), nullable=False),
    sa.Column('funding_stream', sa.Enum('pupil_premium', 'sen_notional', 'recovery', 'other', name='funding_stream', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('review_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('status', sa.Enum('planned', 'active', 'completed', 'stopped', name='intervention_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('stop_reason', sa.Text(), nullable=True),
    sa.Column('pupil_voice', sa.Text(), nullable=False),
    sa.Column('parent_voice', sa.Text(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('cost_pence >= 0', name=op.f('ck_interventions_cost_not_negative')),
    sa.CheckConstraint('end_date IS NULL OR end_date >= start_date', name=op.f('ck_interventions_ends_after_start')),
    sa.CheckConstraint('planned_sessions IS NULL OR planned_sessions >= 1', name=op.f('ck_interventions_planned_sessions_positive')),
    sa.CheckConstraint('review_date > start_date', name=op.f('ck_interventions_review_after_start')),
    sa.CheckConstraint('score_min IS NULL OR score_max IS NULL OR score_max > score_min', name=op.f('ck_interventions_score_range_ordered')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_interventions_created_by_id_users')),
    sa.ForeignKeyConstraint(['lead_id'], ['users.id'], name=op.f('fk_interventions_lead_id_users')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_interventions_school_id_schools')),
    sa.ForeignKeyConstraint(['type_id'], ['intervention_types.id'], name=op.f('fk_interventions_type_id_intervention_types')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_interventions_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interventions'))
    )
    with op.batch_alter_table('interventions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interventions_lead_id'), ['lead_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_interventions_school_id'), ['school_id'], unique=False)
        batch_op.create_index('ix_interventions_school_review', ['school_id', 'review_date'], unique=False)
        batch_op.create_index('ix_interventions_school_start', ['school_id', 'start_date'], unique=False)
        batch_op.create_index('ix_interventions_school_status', ['school_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_interventions_type_id'), ['type_id'], unique=False)

    op.create_table('learning_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('activity', sa.String(length=200), nullable=False),
    sa.Column('hours_tenths', sa.Integer(), nullable=False),
    sa.Column('focus', sa.String(length=200), nullable=False),
    sa.Column('reflection', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('hours_tenths BETWEEN 5 AND 1000', name=op.f('ck_learning_records_hours_range')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_learning_records_created_by_id_users')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_learning_records_school_id_schools')),
    sa.ForeignKeyConstraint(['staff_id'], ['users.id'], name=op.f('fk_learning_records_staff_id_users')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_learning_records_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_learning_records'))
    )
    with op.batch_alter_table('learning_records', schema=None) as batch_op:
        batch_op.create_index('ix_learning_records_school_held', ['school_id', 'held_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_learning_records_school_id'), ['school_id'], unique=False)
        batch_op.create_index('ix_learning_records_staff_held', ['staff_id', 'held_on'], unique=False)

    op.create_table('roll_imports',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=4), nullable=False),
    sa.Column('encoding', sa.String(length=10), nullable=True),
    sa.Column('status', sa.Enum('previewed', 'applied', 'expired', 'superseded', name='roll_import_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('applied_at', sa.DateTime(), nullable=True),
    sa.Column('roll_fingerprint', sa.String(length=64), nullable=False),
    sa.Column('payload', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_roll_imports_school_id_schools')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_roll_imports_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roll_imports'))
    )
    with op.batch_alter_table('roll_imports', schema=None) as batch_op:
        batch_op.create_index('ix_roll_imports_school_status', ['school_id', 'status', 'created_at'], unique=False)

    op.create_table('exclusions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pupil_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('suspension', 'permanent', name='exclusion_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('sessions', sa.Integer(), nullable=True),
    sa.Column('reason_1_id', sa.Integer(), nullable=False),
    sa.Column('reason_2_id', sa.Integer(), nullable=True),
    sa.Column('reason_3_id', sa.Integer(), nullable=True),
    sa.Column('parents_notified', sa.Boolean(), nullable=False),
    sa.Column('parents_notified_on', sa.Date(), nullable=True),
    sa.Column('la_notified', sa.Boolean(), nullable=False),
    sa.Column('la_notified_on', sa.Date(), nullable=True),
    sa.Column('social_worker_notified', sa.Boolean(), nullable=False),
    sa.Column('social_worker_notified_on', sa.Date(), nullable=True),
    sa.Column('cancelled_on', sa.Date(), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("(kind = 'permanent' AND sessions IS NULL) OR (sessions BETWEEN 1 AND 90)", name=op.f('ck_exclusions_sessions_range')),
    sa.CheckConstraint('(la_notified AND la_notified_on IS NOT NULL) OR (NOT la_notified AND la_notified_on IS NULL)', name=op.f('ck_exclusions_la_notified_date')),
    sa.CheckConstraint('(parents_notified AND parents_notified_on IS NOT NULL) OR (NOT parents_notified AND parents_notified_on IS NULL)', name=op.f('ck_exclusions_parents_notified_date')),
    sa.CheckConstraint('(social_worker_notified AND social_worker_notified_on IS NOT NULL) OR (NOT social_worker_notified AND social_worker_notified_on IS NULL)', name=op.f('ck_exclusions_social_worker_notified_date')),
    sa.CheckConstraint('reason_2_id IS NULL OR reason_2_id <> reason_1_id', name=op.f('ck_exclusions_reason_2_distinct')),
    sa.CheckConstraint('reason_3_id IS NULL OR (reason_2_id IS NOT NULL AND reason_3_id <> reason_1_id AND reason_3_id <> reason_2_id)', name=op.f('ck_exclusions_reason_3_distinct')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_exclusions_created_by_id_users')),
    sa.ForeignKeyConstraint(['pupil_id'], ['pupils.id'], name=op.f('fk_exclusions_pupil_id_pupils')),
    sa.ForeignKeyConstraint(['reason_1_id'], ['exclusion_reasons.id'], name=op.f('fk_exclusions_reason_1_id_exclusion_reasons')),
    sa.ForeignKeyConstraint(['reason_2_id'], ['exclusion_reasons.id'], name=op.f('fk_exclusions_reason_2_id_exclusion_reasons')),
    sa.ForeignKeyConstraint(['reason_3_id'], ['exclusion_reasons.id'], name=op.f('fk_exclusions_reason_3_id_exclusion_reasons')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_exclusions_school_id_schools')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_exclusions_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exclusions'))
    )
    with op.batch_alter_table('exclusions', schema=None) as batch_op:
        batch_op.create_index('ix_exclusions_pupil_start', ['pupil_id', 'start_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_exclusions_school_id'), ['school_id'], unique=False)
        batch_op.create_index('ix_exclusions_school_start', ['school_id', 'start_date'], unique=False)

    op.create_table('intervention_participants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('intervention_id', sa.Integer(), nullable=False),
    sa.Column('pupil_id', sa.Integer(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('baseline_score', sa.Float(), nullable=True),
    sa.Column('exit_score', sa.Float(), nullable=True),
    sa.Column('sessions_attended', sa.Integer(), nullable=True),
    sa.Column('impact', sa.SmallInteger(), nullable=True),
    sa.Column('status', sa.Enum('taking_part', 'withdrawn', name='participant_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('withdrawn_on', sa.Date(), nullable=True),
    sa.Column('withdrawn_reason', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('end_date IS NULL OR end_date >= start_date', name=op.f('ck_intervention_participants_ends_after_start')),
    sa.CheckConstraint('impact IS NULL OR impact BETWEEN -2 AND 2', name=op.f('ck_intervention_participants_impact_range')),
    sa.CheckConstraint('sessions_attended IS NULL OR sessions_attended >= 0', name=op.f('ck_intervention_participants_sessions_not_negative')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_intervention_participants_created_by_id_users')),
    sa.ForeignKeyConstraint(['intervention_id'], ['interventions.id'], name=op.f('fk_intervention_participants_intervention_id_interventions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['pupil_id'], ['pupils.id'], name=op.f('fk_intervention_participants_pupil_id_pupils')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_intervention_participants_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_intervention_participants')),
    sa.UniqueConstraint('intervention_id', 'pupil_id', name='uq_intervention_participants_pupil')
    )
    with op.batch_alter_table('intervention_participants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_intervention_participants_intervention_id'), ['intervention_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_intervention_participants_pupil_id'), ['pupil_id'], unique=False)

    op.create_table('intervention_priorities',
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('priority_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['priority_id'], ['priorities.id'], name=op.f('fk_intervention_priorities_priority_id_priorities')),
    sa.ForeignKeyConstraint(['record_id'], ['interventions.id'], name=op.f('fk_intervention_priorities_record_id_interventions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('record_id', 'priority_id', name=op.f('pk_intervention_priorities'))
    )
    op.create_table('kindness_moments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('giver_kind', sa.Enum('pupil', 'staff', 'parent', 'community', name='kind_person', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('giver_pupil_id', sa.Integer(), nullable=True),
    sa.Column('giver_name', sa.String(length=120), nullable=True),
    sa.Column('receiver_pupil_id', sa.Integer(), nullable=True),
    sa.Column('receiver_name', sa.String(length=120), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('hidden', sa.Boolean(), nullable=False),
    sa.Column('hidden_reason', sa.Text(), nullable=True),
    sa.Column('hidden_by_id', sa.Integer(), nullable=True),
    sa.Column('hidden_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("(giver_kind = 'pupil' AND giver_pupil_id IS NOT NULL AND giver_name IS NULL) OR (giver_kind <> 'pupil' AND giver_pupil_id IS NULL AND giver_name IS NOT NULL)", name=op.f('ck_kindness_moments_one_giver')),
    sa.CheckConstraint('hidden = false OR (hidden_reason IS NOT NULL AND hidden_at IS NOT NULL)', name=op.f('ck_kindness_moments_hidden_has_reason')),
    sa.CheckConstraint('receiver_pupil_id IS NULL OR receiver_name IS NULL', name=op.f('ck_kindness_moments_one_receiver')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_kindness_moments_created_by_id_users')),
    sa.ForeignKeyConstraint(['giver_pupil_id'], ['pupils.id'], name=op.f('fk_kindness_moments_giver_pupil_id_pupils')),
    sa.ForeignKeyConstraint(['hidden_by_id'], ['users.id'], name=op.f('fk_kindness_moments_hidden_by_id_users')),
    sa.ForeignKeyConstraint(['receiver_pupil_id'], ['pupils.id'], name=op.f('fk_kindness_moments_receiver_pupil_id_pupils')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_kindness_moments_school_id_schools')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_kindness_moments_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kindness_moments'))
    )
    with op.batch_alter_table('kindness_moments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kindness_moments_giver_pupil_id'), ['giver_pupil_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_kindness_moments_receiver_pupil_id'), ['receiver_pupil_id'], unique=False)
        batch_op.create_index('ix_kindness_moments_school_hidden_on', ['school_id', 'hidden', 'occurred_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_kindness_moments_school_id'), ['school_id'], unique=False)
        batch_op.create_index('ix_kindness_moments_school_on', ['school_id', 'occurred_on'], unique=False)

    op.create_table('learning_record_priorities',
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('priority_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['priority_id'], ['priorities.id'], name=op.f('fk_learning_record_priorities_priority_id_priorities')),
    sa.ForeignKeyConstraint(['record_id'], ['learning_records.id'], name=op.f('fk_learning_record_priorities_record_id_learning_records'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('record_id', 'priority_id', name=op.f('pk_learning_record_priorities'))
    )
    op.create_table('mentoring_pairings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mentee_id', sa.Integer(), nullable=False),
    sa.Column('mentor_kind', sa.Enum('staff', 'adult', 'peer', name='mentor_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('mentor_user_id', sa.Integer(), nullable=True),
    sa.Column('mentor_pupil_id', sa.Integer(), nullable=True),
    sa.Column('mentor_name', sa.String(length=120), nullable=True),
    sa.Column('mentor_relationship', sa.Enum('volunteer', 'parent_carer', 'community', 'support_staff', name='adult_relationship', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('mentee_goals', sa.Text(), nullable=False),
    sa.Column('mentor_goals', sa.Text(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('planned_end_on', sa.Date(), nullable=True),
    sa.Column('frequency', sa.Enum('twice_weekly', 'weekly', 'fortnightly', 'monthly', 'as_needed', name='meeting_frequency', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('status', sa.Enum('active', 'paused', 'ended', name='pairing_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('paused_on', sa.Date(), nullable=True),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('outcome', sa.Enum('goals_met', 'goals_partly_met', 'goals_not_met', 'mentee_chose_to_stop', 'mentor_unavailable', 'mentee_left_school', 'other', name='pairing_outcome', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('outcome_notes', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("(mentor_kind = 'staff' AND mentor_user_id IS NOT NULL AND mentor_pupil_id IS NULL AND mentor_name IS NULL AND mentor_relationship IS NULL) OR (mentor_kind = 'adult' AND mentor_user_id IS NULL AND mentor_pupil_id IS NULL AND mentor_name IS NOT NULL AND mentor_relationship IS NOT NULL) OR (mentor_kind = 'peer' AND mentor_user_id IS NULL AND mentor_pupil_id IS NOT NULL AND mentor_name IS NULL AND mentor_relationship IS NULL)", name=op.f('ck_mentoring_pairings_one_mentor')),
    sa.CheckConstraint("status <> 'ended' OR (ended_on IS NOT NULL AND outcome IS NOT NULL)", name=op.f('ck_mentoring_pairings_ended_has_outcome')),
    sa.CheckConstraint("status <> 'paused' OR paused_on IS NOT NULL", name=op.f('ck_mentoring_pairings_paused_has_date')),
    sa.CheckConstraint('ended_on IS NULL OR ended_on >= starts_on', name=op.f('ck_mentoring_pairings_ended_after_start')),
    sa.CheckConstraint('mentor_pupil_id IS NULL OR mentor_pupil_id <> mentee_id', name=op.f('ck_mentoring_pairings_peer_not_mentee')),
    sa.CheckConstraint('planned_end_on IS NULL OR planned_end_on >= starts_on', name=op.f('ck_mentoring_pairings_planned_end_after_start')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_mentoring_pairings_created_by_id_users')),
    sa.ForeignKeyConstraint(['mentee_id'], ['pupils.id'], name=op.f('fk_mentoring_pairings_mentee_id_pupils')),
    sa.ForeignKeyConstraint(['mentor_pupil_id'], ['pupils.id'], name=op.f('fk_mentoring_pairings_mentor_pupil_id_pupils')),
    sa.ForeignKeyConstraint(['mentor_user_id'], ['users.id'], name=op.f('fk_mentoring_pairings_mentor_user_id_users')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_mentoring_pairings_school_id_schools')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_mentoring_pairings_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentoring_pairings'))
    )
    with op.batch_alter_table('mentoring_pairings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mentoring_pairings_mentee_id'), ['mentee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mentoring_pairings_mentor_pupil_id'), ['mentor_pupil_id'], unique=False)
        batch_op.create_index('ix_mentoring_pairings_mentor_user', ['mentor_user_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_mentoring_pairings_school_id'), ['school_id'], unique=False)
        batch_op.create_index('ix_mentoring_pairings_school_starts', ['school_id', 'starts_on'], unique=False)
        batch_op.create_index('ix_mentoring_pairings_school_status', ['school_id', 'status'], unique=False)

    op.create_table('parent_conversations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pupil_id', sa.Integer(), nullable=False),
    sa.Column('carer_name', sa.String(length=120), nullable=False),
    sa.Column('carer_relationship', sa.Enum('mother', 'father', 'step_parent', 'grandparent', 'foster_carer', 'kinship_carer', 'other_relative', 'other', name='carer_relationship', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('led_by_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('family_said', sa.Text(), nullable=False),
    sa.Column('school_said', sa.Text(), nullable=False),
    sa.Column('agreed_actions', sa.Text(), nullable=False),
    sa.Column('follow_up_on', sa.Date(), nullable=True),
    sa.Column('follow_up_done_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('follow_up_on IS NULL OR follow_up_on >= held_on', name=op.f('ck_parent_conversations_follow_up_after_held')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_parent_conversations_created_by_id_users')),
    sa.ForeignKeyConstraint(['led_by_id'], ['users.id'], name=op.f('fk_parent_conversations_led_by_id_users')),
    sa.ForeignKeyConstraint(['pupil_id'], ['pupils.id'], name=op.f('fk_parent_conversations_pupil_id_pupils')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_parent_conversations_school_id_schools')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_parent_conversations_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_parent_conversations'))
    )
    with op.batch_alter_table('parent_conversations', schema=None) as batch_op:
        batch_op.create_index('ix_parent_conversations_lead_follow_up', ['led_by_id', 'follow_up_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_parent_conversations_pupil_id'), ['pupil_id'], unique=False)
        batch_op.create_index('ix_parent_conversations_school_held', ['school_id', 'held_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_parent_conversations_school_id'), ['school_id'], unique=False)

    op.create_table('risk_flags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pupil_id', sa.Integer(), nullable=False),
    sa.Column('raised_by_id', sa.Integer(), nullable=False),
    sa.Column('raised_on', sa.Date(), nullable=False),
    sa.Column('level', sa.Enum('low', 'medium', 'high', name='risk_level', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('status', sa.Enum('open', 'monitoring', 'closed', name='risk_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('review_on', sa.Date(), nullable=False),
    sa.Column('protective_factors', sa.Text(), nullable=False),
    sa.Column('agency_notes', sa.Text(), nullable=False),
    sa.Column('outcome', sa.Enum('de_escalated', 'managed_move', 'off_site_direction', 'suspension', 'permanent_exclusion', 'left_school', name='risk_outcome', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status <> 'closed' OR (outcome IS NOT NULL AND closed_on IS NOT NULL)", name=op.f('ck_risk_flags_closed_has_outcome')),
    sa.CheckConstraint('review_on > raised_on', name=op.f('ck_risk_flags_review_after_raised')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_risk_flags_created_by_id_users')),
    sa.ForeignKeyConstraint(['pupil_id'], ['pupils.id'], name=op.f('fk_risk_flags_pupil_id_pupils')),
    sa.ForeignKeyConstraint(['raised_by_id'], ['users.id'], name=op.f('fk_risk_flags_raised_by_id_users')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_risk_flags_school_id_schools')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_risk_flags_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_flags'))
    )
    with op.batch_alter_table('risk_flags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risk_flags_pupil_id'), ['pupil_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_risk_flags_school_id'), ['school_id'], unique=False)
        batch_op.create_index('ix_risk_flags_school_raised', ['school_id', 'raised_on'], unique=False)
        batch_op.create_index('ix_risk_flags_school_review', ['school_id', 'review_on'], unique=False)
        batch_op.create_index('ix_risk_flags_school_status', ['school_id', 'status'], unique=False)

    op.create_table('exclusion_priorities',
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('priority_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['priority_id'], ['priorities.id'], name=op.f('fk_exclusion_priorities_priority_id_priorities')),
    sa.ForeignKeyConstraint(['record_id'], ['exclusions.id'], name=op.f('fk_exclusion_priorities_record_id_exclusions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('record_id', 'priority_id', name=op.f('pk_exclusion_priorities'))
    )
    op.create_table('kindness_moment_priorities',
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('priority_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['priority_id'], ['priorities.id'], name=op.f('fk_kindness_moment_priorities_priority_id_priorities')),
    sa.ForeignKeyConstraint(['record_id'], ['kindness_moments.id'], name=op.f('fk_kindness_moment_priorities_record_id_kindness_moments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('record_id', 'priority_id', name=op.f('pk_kindness_moment_priorities'))
    )
    op.create_table('kindness_moment_values',
    sa.Column('moment_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Enum('tolerance', 'patience', 'friendship', 'creativity', 'problem solving', name='kindness_value', native_enum=False, create_constraint=True), nullable=False),
    sa.ForeignKeyConstraint(['moment_id'], ['kindness_moments.id'], name=op.f('fk_kindness_moment_values_moment_id_kindness_moments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('moment_id', 'value', name=op.f('pk_kindness_moment_values'))
    )
    op.create_table('mentoring_pairing_priorities',
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('priority_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['priority_id'], ['priorities.id'], name=op.f('fk_mentoring_pairing_priorities_priority_id_priorities')),
    sa.ForeignKeyConstraint(['record_id'], ['mentoring_pairings.id'], name=op.f('fk_mentoring_pairing_priorities_record_id_mentoring_pairings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('record_id', 'priority_id', name=op.f('pk_mentoring_pairing_priorities'))
    )
    op.create_table('mentoring_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pairing_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('activities', sa.Text(), nullable=False),
    sa.Column('mentee_voice', sa.Text(), nullable=True),
    sa.Column('mentor_reflection', sa.Text(), nullable=True),
    sa.Column('wellbeing_start', sa.Integer(), nullable=True),
    sa.Column('wellbeing_end', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('minutes BETWEEN 1 AND 600', name=op.f('ck_mentoring_sessions_minutes_range')),
    sa.CheckConstraint('wellbeing_end IS NULL OR wellbeing_end BETWEEN 1 AND 5', name=op.f('ck_mentoring_sessions_wellbeing_end')),
    sa.CheckConstraint('wellbeing_start IS NULL OR wellbeing_start BETWEEN 1 AND 5', name=op.f('ck_mentoring_sessions_wellbeing_start')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_mentoring_sessions_created_by_id_users')),
    sa.ForeignKeyConstraint(['pairing_id'], ['mentoring_pairings.id'], name=op.f('fk_mentoring_sessions_pairing_id_mentoring_pairings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_mentoring_sessions_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentoring_sessions'))
    )
    with op.batch_alter_table('mentoring_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_mentoring_sessions_pairing_held', ['pairing_id', 'held_on'], unique=False)
        batch_op.create_index('ix_mentoring_sessions_school_held', ['school_id', 'held_on'], unique=False)

    op.create_table('parent_conversation_priorities',
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('priority_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['priority_id'], ['priorities.id'], name=op.f('fk_parent_conversation_priorities_priority_id_priorities')),
    sa.ForeignKeyConstraint(['record_id'], ['parent_conversations.id'], name=op.f('fk_parent_conversation_priorities_record_id_parent_conversations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('record_id', 'priority_id', name=op.f('pk_parent_conversation_priorities'))
    )
    op.create_table('risk_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('flag_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('done_by_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('done_on IS NULL OR done_by_id IS NOT NULL', name=op.f('ck_risk_actions_done_has_by')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_risk_actions_created_by_id_users')),
    sa.ForeignKeyConstraint(['done_by_id'], ['users.id'], name=op.f('fk_risk_actions_done_by_id_users')),
    sa.ForeignKeyConstraint(['flag_id'], ['risk_flags.id'], name=op.f('fk_risk_actions_flag_id_risk_flags'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_risk_actions_owner_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_actions'))
    )
    with op.batch_alter_table('risk_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risk_actions_flag_id'), ['flag_id'], unique=False)
        batch_op.create_index('ix_risk_actions_owner_done', ['owner_id', 'done_on'], unique=False)

    op.create_table('risk_flag_agencies',
    sa.Column('flag_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_risk_flag_agencies_agency_id_agencies')),
    sa.ForeignKeyConstraint(['flag_id'], ['risk_flags.id'], name=op.f('fk_risk_flag_agencies_flag_id_risk_flags'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('flag_id', 'agency_id', name=op.f('pk_risk_flag_agencies'))
    )
    op.create_table('risk_flag_factors',
    sa.Column('flag_id', sa.Integer(), nullable=False),
    sa.Column('risk_factor_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['flag_id'], ['risk_flags.id'], name=op.f('fk_risk_flag_factors_flag_id_risk_flags'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['risk_factor_id'], ['risk_factors.id'], name=op.f('fk_risk_flag_factors_risk_factor_id_risk_factors')),
    sa.PrimaryKeyConstraint('flag_id', 'risk_factor_id', name=op.f('pk_risk_flag_factors'))
    )
    op.create_table('risk_flag_priorities',
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('priority_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['priority_id'], ['priorities.id'], name=op.f('fk_risk_flag_priorities_priority_id_priorities')),
    sa.ForeignKeyConstraint(['record_id'], ['risk_flags.id'], name=op.f('fk_risk_flag_priorities_record_id_risk_flags'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('record_id', 'priority_id', name=op.f('pk_risk_flag_priorities'))
    )
    op.create_table('risk_flag_staff',
    sa.Column('flag_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['flag_id'], ['risk_flags.id'], name=op.f('fk_risk_flag_staff_flag_id_risk_flags'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_risk_flag_staff_user_id_users')),
    sa.PrimaryKeyConstraint('flag_id', 'user_id', name=op.f('pk_risk_flag_staff'))
    )
    with op.batch_alter_table('risk_flag_staff', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risk_flag_staff_user_id'), ['user_id'], unique=False)

    op.create_table('risk_level_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('flag_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Enum('low', 'medium', 'high', name='risk_level', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'], name=op.f('fk_risk_level_changes_changed_by_id_users')),
    sa.ForeignKeyConstraint(['flag_id'], ['risk_flags.id'], name=op.f('fk_risk_level_changes_flag_id_risk_flags'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_level_changes'))
    )
    with op.batch_alter_table('risk_level_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risk_level_changes_flag_id'), ['flag_id'], unique=False)

    op.create_table('risk_status_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('flag_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.Enum('open', 'monitoring', 'closed', name='from_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('to_status', sa.Enum('open', 'monitoring', 'closed', name='to_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('outcome', sa.Enum('de_escalated', 'managed_move', 'off_site_direction', 'suspension', 'permanent_exclusion', 'left_school', name='risk_outcome', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('changed_by_id', sa.Integer(), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'], name=op.f('fk_risk_status_changes_changed_by_id_users')),
    sa.ForeignKeyConstraint(['flag_id'], ['risk_flags.id'], name=op.f('fk_risk_status_changes_flag_id_risk_flags'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_status_changes'))
    )
    with op.batch_alter_table('risk_status_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risk_status_changes_flag_id'), ['flag_id'], unique=False)

    _seed_reference_data(agencies, risk_factors, reasons)
    _seed_catalogues(types, type_priorities)


def downgrade():
    with op.batch_alter_table('risk_status_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_risk_status_changes_flag_id'))

    op.drop_table('risk_status_changes')
    with op.batch_alter_table('risk_level_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_risk_level_changes_flag_id'))

    op.drop_table('risk_level_changes')
    with op.batch_alter_table('risk_flag_staff', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_risk_flag_staff_user_id'))

    op.drop_table('risk_flag_staff')
    op.drop_table('risk_flag_priorities')
    op.drop_table('risk_flag_factors')
    op.drop_table('risk_flag_agencies')
    with op.batch_alter_table('risk_actions', schema=None) as batch_op:
        batch_op.drop_index('ix_risk_actions_owner_done')
        batch_op.drop_index(batch_op.f('ix_risk_actions_flag_id'))

    op.drop_table('risk_actions')
    op.drop_table('parent_conversation_priorities')
    with op.batch_alter_table('mentoring_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_mentoring_sessions_school_held')
        batch_op.drop_index('ix_mentoring_sessions_pairing_held')

    op.drop_table('mentoring_sessions')
    op.drop_table('mentoring_pairing_priorities')
    op.drop_table('kindness_moment_values')
    op.drop_table('kindness_moment_priorities')
    op.drop_table('exclusion_priorities')
    with op.batch_alter_table('risk_flags', schema=None) as batch_op:
        batch_op.drop_index('ix_risk_flags_school_status')
        batch_op.drop_index('ix_risk_flags_school_review')
        batch_op.drop_index('ix_risk_flags_school_raised')
        batch_op.drop_index(batch_op.f('ix_risk_flags_school_id'))
        batch_op.drop_index(batch_op.f('ix_risk_flags_pupil_id'))

    op.drop_table('risk_flags')
    with op.batch_alter_table('parent_conversations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_parent_conversations_school_id'))
        batch_op.drop_index('ix_parent_conversations_school_held')
        batch_op.drop_index(batch_op.f('ix_parent_conversations_pupil_id'))
        batch_op.drop_index('ix_parent_conversations_lead_follow_up')

    op.drop_table('parent_conversations')
    with op.batch_alter_table('mentoring_pairings', schema=None) as batch_op:
        batch_op.drop_index('ix_mentoring_pairings_school_status')
        batch_op.drop_index('ix_mentoring_pairings_school_starts')
        batch_op.drop_index(batch_op.f('ix_mentoring_pairings_school_id'))
        batch_op.drop_index('ix_mentoring_pairings_mentor_user')
        batch_op.drop_index(batch_op.f('ix_mentoring_pairings_mentor_pupil_id'))
        batch_op.drop_index(batch_op.f('ix_mentoring_pairings_mentee_id'))

    op.drop_table('mentoring_pairings')
    op.drop_table('learning_record_priorities')
    with op.batch_alter_table('kindness_moments', schema=None) as batch_op:
        batch_op.drop_index('ix_kindness_moments_school_on')
        batch_op.drop_index(batch_op.f('ix_kindness_moments_school_id'))
        batch_op.drop_index('ix_kindness_moments_school_hidden_on')
        batch_op.drop_index(batch_op.f('ix_kindness_moments_receiver_pupil_id'))
        batch_op.drop_index(batch_op.f('ix_kindness_moments_giver_pupil_id'))

    op.drop_table('kindness_moments')
    op.drop_table('intervention_priorities')
    with op.batch_alter_table('intervention_participants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_intervention_participants_pupil_id'))
        batch_op.drop_index(batch_op.f('ix_intervention_participants_intervention_id'))

    op.drop_table('intervention_participants')
    with op.batch_alter_table('exclusions', schema=None) as batch_op:
        batch_op.drop_index('ix_exclusions_school_start')
        batch_op.drop_index(batch_op.f('ix_exclusions_school_id'))
        batch_op.drop_index('ix_exclusions_pupil_start')

    op.drop_table('exclusions')
    with op.batch_alter_table('roll_imports', schema=None) as batch_op:
        batch_op.drop_index('ix_roll_imports_school_status')

    op.drop_table('roll_imports')
    with op.batch_alter_table('learning_records', schema=None) as batch_op:
        batch_op.drop_index('ix_learning_records_staff_held')
        batch_op.drop_index(batch_op.f('ix_learning_records_school_id'))
        batch_op.drop_index('ix_learning_records_school_held')

    op.drop_table('learning_records')
    with op.batch_alter_table('interventions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interventions_type_id'))
        batch_op.drop_index('ix_interventions_school_status')
        batch_op.drop_index('ix_interventions_school_start')
        batch_op.drop_index('ix_interventions_school_review')
        batch_op.drop_index(batch_op.f('ix_interventions_school_id'))
        batch_op.drop_index(batch_op.f('ix_interventions_lead_id'))

    op.drop_table('interventions')
    op.drop_table('intervention_type_priorities')
    with op.batch_alter_table('intervention_types', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_intervention_types_school_id'))

    op.drop_table('intervention_types')
    op.drop_table('risk_factors')
    op.drop_table('exclusion_reasons')
    op.drop_table('agencies')
