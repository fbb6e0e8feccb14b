"""Intervention services: catalogue, plan rules, status transitions, participants, audit."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from school_tracker.calendar.terms import school_today
from school_tracker.extensions import db
from school_tracker.interventions import catalogue, participants, services
from school_tracker.models import (
    AuditEntry,
    Intervention,
    InterventionMode,
    InterventionParticipant,
    InterventionStatus,
    InterventionType,
    ParticipantStatus,
    Role,
    User,
)
from school_tracker.records.versions import RecordRuleError, StaleRecordError
from tests.factories.interventions import make_intervention, plan, seed_catalogue, type_id

TODAY = school_today()
S = InterventionStatus


@pytest.fixture
def world(app, make_school, make_user, make_pupil):
    school = make_school()
    staff = make_user(Role.STAFF, school=school)
    leader = make_user(Role.LEADER, school=school)
    pupils = [make_pupil(school) for _ in range(4)]
    seed_catalogue(app, school)
    return school, staff, leader, pupils


def _get(model, ident):
    return db.session.get(model, ident)


def _audits(entity_type: str, entity_id: int) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.entity_type == entity_type, AuditEntry.entity_id == entity_id)
            .order_by(AuditEntry.id)
        )
    )


# --- catalogue -------------------------------------------------------------------------------


def test_standard_catalogue_is_seeded_once_with_defaults(app, world):
    school = world[0]
    with app.app_context():
        assert catalogue.ensure_intervention_types(school.id) == 0
        rows = {t.seed_key: t for t in catalogue.school_types(school.id)}
        assert len(rows) == len(catalogue.STANDARD_CATALOGUE) == 14
        assert rows["speech_language"].default_codes == ["P2", "P4b"]
        assert rows["elsa"].default_codes == ["P1", "P4b"]
        assert rows["managed_move"].default_codes == ["P4a"]
        assert rows["alternative_provision"].default_codes == ["P4a"]
        assert rows["phonics"].default_codes == ["P2"]
        assert rows["structured_conversation"].default_codes == ["P5"]


def test_catalogue_reseeding_survives_a_rename(app, world, make_user):
    school = world[0]
    admin = make_user(Role.ADMIN, school=school)
    with app.app_context():
        row = db.session.scalar(
            sa.select(InterventionType).where(InterventionType.seed_key == "phonics")
        )
        catalogue.update_type(
            row, name="Read Write Inc", codes=["P2"], send_focused=False, by=_get(User, admin.id)
        )
        db.session.commit()
        assert catalogue.ensure_intervention_types(school.id) == 0
        assert len(catalogue.school_types(school.id)) == 14


def test_admin_adds_renames_and_deactivates_types_with_audit(app, world, make_user):
    school = world[0]
    admin = make_user(Role.ADMIN, school=school)
    with app.app_context():
        by = _get(User, admin.id)
        row = catalogue.add_type(
            school.id, name="Forest school", codes=["P1"], send_focused=True, by=by
        )
        with pytest.raises(RecordRuleError) as error:
            catalogue.add_type(school.id, name="forest SCHOOL", codes=[], send_focused=False, by=by)
        assert error.value.field == "name"
        catalogue.update_type(row, name="Forest club", codes=["P1", "P2"], send_focused=True, by=by)
        catalogue.set_type_active(row, False, by=by)
        db.session.commit()
        assert row.name == "Forest club" and not row.active
        assert row.default_codes == ["P1", "P2", "P4b"]
        actions = [a.action for a in _audits("intervention_type", row.id)]
        assert actions == ["create", "update", "deactivate"]
        assert row not in catalogue.school_types(school.id, active_only=True)


# --- planning --------------------------------------------------------------------------------


def test_create_individual_defaults_priorities_and_audits(app, world):
    school, staff, _, pupils = world
    ident = make_intervention(app, school, staff, pupils[:1], seed_key="speech_language")
    with app.app_context():
        record = _get(Intervention, ident)
        assert record.status is S.PLANNED
        assert [p.code for p in record.priorities] == ["P2", "P4b"]
        assert len(record.participants) == 1
        assert record.participants[0].start_date == record.start_date
        entry = _audits("intervention", ident)[0]
        assert entry.action == "create" and entry.pupil_id == pupils[0].id
        assert "PANGOLIN" not in str(entry.changes)
        assert _audits("intervention_participant", record.participants[0].id)


def test_chosen_priorities_replace_the_defaults(app, world):
    school, staff, _, pupils = world
    ident = make_intervention(app, school, staff, pupils[:2], priority_codes=["P1", "P5"])
    with app.app_context():
        assert [p.code for p in _get(Intervention, ident).priorities] == ["P1", "P5"]


@pytest.mark.parametrize(
    ("mode", "count", "ok"),
    [("individual", 1, True), ("individual", 2, False), ("group", 1, False), ("group", 3, True)],
)
def test_individual_has_one_pupil_and_group_two_or_more(app, world, mode, count, ok):
    school, staff, _, pupils = world
    kind = type_id(app, school)
    with app.app_context():

        def call():
            return services.create_intervention(
                school.id,
                plan(kind, staff.id),
                mode=InterventionMode(mode),
                pupil_ids=[p.id for p in pupils[:count]],
                by=_get(User, staff.id),
            )

        if ok:
            call()
        else:
            with pytest.raises(RecordRuleError) as error:
                call()
            assert error.value.field == "pupil_ids"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"review_date": TODAY - timedelta(days=21)}, "review_date"),
        ({"cost_pence": -1}, "cost"),
        ({"score_min": 10.0, "score_max": 5.0}, "score_max"),
        ({"planned_sessions": 0}, "planned_sessions"),
        ({"lead_id": 999_999}, "lead_id"),
    ],
)
def test_plan_rules_refuse_bad_values(app, world, overrides, field):
    school, staff, _, pupils = world
    kind = type_id(app, school)
    values = dict(overrides)
    lead = values.pop("lead_id", staff.id)
    with app.app_context():
        with pytest.raises(RecordRuleError) as error:
            services.create_intervention(
                school.id,
                plan(kind, lead, **values),
                mode=InterventionMode.INDIVIDUAL,
                pupil_ids=[pupils[0].id],
                by=_get(User, staff.id),
            )
        assert error.value.field == field
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count(Intervention.id))) == 0


def test_catalogue_type_from_another_school_or_inactive_is_refused(
    app, world, make_school, make_user, make_pupil
):
    school, staff, _, pupils = world
    other = make_school("other")
    seed_catalogue(app, other)
    foreign = type_id(app, other)
    own = type_id(app, school, "phonics")
    with app.app_context():
        catalogue.set_type_active(_get(InterventionType, own), False, by=_get(User, staff.id))
        for kind in (foreign, own):
            with pytest.raises(RecordRuleError) as error:
                services.create_intervention(
                    school.id,
                    plan(kind, staff.id),
                    mode=InterventionMode.INDIVIDUAL,
                    pupil_ids=[pupils[0].id],
                    by=_get(User, staff.id),
                )
            assert error.value.field == "type_id"


def test_pupil_or_lead_from_another_school_is_refused(
    app, world, make_school, make_user, make_pupil
):
    school, staff, _, pupils = world
    other = make_school("other")
    stranger = make_pupil(other)
    outsider = make_user(Role.STAFF, school=other)
    kind = type_id(app, school)
    with app.app_context():
        by = _get(User, staff.id)
        with pytest.raises(RecordRuleError):
            services.create_intervention(
                school.id,
                plan(kind, staff.id),
                mode=InterventionMode.GROUP,
                pupil_ids=[pupils[0].id, stranger.id],
                by=by,
            )
        with pytest.raises(RecordRuleError):
            services.create_intervention(
                school.id,
                plan(kind, outsider.id),
                mode=InterventionMode.INDIVIDUAL,
                pupil_ids=[pupils[0].id],
                by=by,
            )


# --- editing ---------------------------------------------------------------------------------


def test_edit_is_versioned_and_stale_edit_is_refused(app, world):
    school, staff, leader, pupils = world
    ident = make_intervention(app, school, staff, pupils[:1])
    kind = type_id(app, school)
    with app.app_context():
        record = _get(Intervention, ident)
        loaded_at = record.version_id
        changes = services.update_intervention(
            record,
            plan(kind, staff.id, cost_pence=60_000, notes="Moved to mornings."),
            by=_get(User, leader.id),
            expected_version=loaded_at,
        )
        db.session.commit()
        assert changes["cost_pence"] == [45_000, 60_000]
        assert changes["notes"] == "changed"
        assert record.version_id == loaded_at + 1
        with pytest.raises(StaleRecordError):
            services.update_intervention(
                record,
                plan(kind, staff.id, cost_pence=1),
                by=_get(User, staff.id),
                expected_version=loaded_at,
                view_url="/interventions/1",
            )
        db.session.rollback()
        assert _get(Intervention, ident).cost_pence == 60_000


def test_priority_only_edit_bumps_the_version(app, world):
    school, staff, _, pupils = world
    ident = make_intervention(app, school, staff, pupils[:1])
    kind = type_id(app, school)
    with app.app_context():
        record = _get(Intervention, ident)
        before = record.version_id
        changes = services.update_intervention(
            record,
            plan(kind, staff.id, priority_codes=["P2", "P5"]),
            by=_get(User, staff.id),
            expected_version=before,
        )
        db.session.commit()
        assert changes == {"priorities": "changed"}
        assert record.version_id == before + 1


def test_edit_cannot_strand_recorded_scores_outside_the_range(app, world):
    school, staff, _, pupils = world
    ident = make_intervention(app, school, staff, pupils[:1])
    kind = type_id(app, school)
    with app.app_context():
        record = _get(Intervention, ident)
        part = record.participants[0]
        participants.update_participant(
            part,
            {"baseline_score": 90.0},
            by=_get(User, staff.id),
            today=TODAY,
            expected_version=part.version_id,
        )
        db.session.commit()
        with pytest.raises(RecordRuleError) as error:
            services.update_intervention(
                record,
                plan(kind, staff.id, score_max=50.0),
                by=_get(User, staff.id),
                expected_version=record.version_id,
            )
        assert error.value.field == "score_min"


# --- status ----------------------------------------------------------------------------------

ALLOWED = {
    (S.PLANNED, S.ACTIVE),
    (S.PLANNED, S.STOPPED),
    (S.ACTIVE, S.COMPLETED),
    (S.ACTIVE, S.STOPPED),
}


@pytest.mark.parametrize("start", list(S))
@pytest.mark.parametrize("target", list(S))
def test_only_forward_transitions_are_allowed(app, world, start, target):
    school, staff, _, pupils = world
    ident = make_intervention(app, school, staff, pupils[:1])
    with app.app_context():
        record = _get(Intervention, ident)
        record.status = start
        db.session.commit()

        def call():
            services.change_status(
                record, target, by=_get(User, staff.id), on=TODAY, reason="Pupil moved school."
            )

        if (start, target) in ALLOWED:
            call()
            assert record.status is target
        else:
            with pytest.raises(RecordRuleError) as error:
                call()
            assert error.value.field == "status"


def test_stop_needs_a_reason_and_completion_closes_dates(app, world):
    school, staff, _, pupils = world
    ident = make_intervention(app, school, staff, pupils[:3])
    with app.app_context():
        record = _get(Intervention, ident)
        by = _get(User, staff.id)
        services.change_status(record, S.ACTIVE, by=by, on=TODAY)
        with pytest.raises(RecordRuleError) as error:
            services.change_status(record, S.STOPPED, by=by, on=TODAY, reason="   ")
        assert error.value.field == "reason"
        services.change_status(record, S.COMPLETED, by=by, on=TODAY)
        db.session.commit()
        assert record.end_date == TODAY
        assert all(p.end_date == TODAY for p in record.participants)
        entries = [a for a in _audits("intervention", ident) if a.action == "status_change"]
        assert [e.changes["status"] for e in entries] == [
            ["planned", "active"],
            ["active", "completed"],
        ]


def test_stale_status_change_is_refused(app, world):
    school, staff, _, pupils = world
    ident = make_intervention(app, school, staff, pupils[:1])
    with app.app_context():
        record = _get(Intervention, ident)
        with pytest.raises(StaleRecordError):
            services.change_status(
                record,
                S.ACTIVE,
                by=_get(User, staff.id),
                on=TODAY,
                expected_version=record.version_id - 1,
            )


# --- participants ----------------------------------------------------------------------------


def test_scores_must_sit_in_the_measures_range(app, world):
    school, staff, _, pupils = world
    ident = make_intervention(app, school, staff, pupils[:1], score_min=0.0, score_max=40.0)
    with app.app_context():
        part = _get(Intervention, ident).participants[0]
        by = _get(User, staff.id)
        for values, field in (
            ({"baseline_score": 41.0}, "baseline_score"),
            ({"exit_score": -1.0}, "exit_score"),
            ({"exit_score": float("nan")}, "exit_score"),
            ({"impact": 3}, "impact"),
            ({"end_date": TODAY + timedelta(days=1)}, "end_date"),
            ({"end_date": TODAY - timedelta(days=30)}, "end_date"),
            ({"start_date": TODAY - timedelta(days=60)}, "start_date"),
        ):
            with pytest.raises(RecordRuleError) as error:
                participants.update_participant(
                    part, values, by=by, today=TODAY, expected_version=part.version_id
                )
            assert error.value.field == field, values
        changes = participants.update_participant(
            part,
            {
                "baseline_score": 12.0,
                "exit_score": 30.0,
                "impact": -1,
                "end_date": TODAY,
            },
            by=by,
            today=TODAY,
            expected_version=part.version_id,
            action="record_outcome",
        )
        db.session.commit()
        assert changes["impact"] == [None, -1]
        assert changes["exit_score"] == "changed"  # scores are not written into the audit
        assert part.version_id == 2


def test_stale_participant_edit_is_refused(app, world):
    school, staff, _, pupils = world
    ident = make_intervention(app, school, staff, pupils[:1])
    with app.app_context():
        part = _get(Intervention, ident).participants[0]
        with pytest.raises(StaleRecordError):
            participants.update_participant(
                part, {"impact": 1}, by=_get(User, staff.id), today=TODAY, expected_version=99
            )


def test_group_adds_and_withdraws_pupils_with_a_reason(app, world):
    school, staff, _, pupils = world
    ident = make_intervention(app, school, staff, pupils[:2])
    with app.app_context():
        record = _get(Intervention, ident)
        by = _get(User, staff.id)
        part = participants.add_participant(
            record, pupils[2].id, start_date=TODAY, baseline_score=None, by=by, today=TODAY
        )
        with pytest.raises(RecordRuleError):
            participants.add_participant(
                record, pupils[2].id, start_date=TODAY, baseline_score=None, by=by, today=TODAY
            )
        with pytest.raises(RecordRuleError) as error:
            participants.withdraw_participant(
                part, reason=" ", on=TODAY, by=by, today=TODAY, expected_version=part.version_id
            )
        assert error.value.field == "reason"
        participants.withdraw_participant(
            part,
            reason="Moved to a different group.",
            on=TODAY,
            by=by,
            today=TODAY,
            expected_version=part.version_id,
        )
        db.session.commit()
        assert part.status is ParticipantStatus.WITHDRAWN and part.end_date == TODAY
        assert db.session.get(InterventionParticipant, part.id) is not None
        # Two left: withdrawing another would leave a "group" of one.
        first = record.taking_part[0]
        with pytest.raises(RecordRuleError):
            participants.withdraw_participant(
                first,
                reason="Left",
                on=TODAY,
                by=by,
                today=TODAY,
                expected_version=first.version_id,
            )
        actions = [a.action for a in _audits("intervention_participant", part.id)]
        assert actions == ["add_participant", "withdraw"]


def test_individual_intervention_keeps_exactly_one_pupil(app, world):
    school, staff, _, pupils = world
    ident = make_intervention(app, school, staff, pupils[:1])
    with app.app_context():
        record = _get(Intervention, ident)
        by = _get(User, staff.id)
        with pytest.raises(RecordRuleError):
            participants.add_participant(
                record, pupils[1].id, start_date=TODAY, baseline_score=None, by=by, today=TODAY
            )
        part = record.participants[0]
        with pytest.raises(RecordRuleError):
            participants.withdraw_participant(
                part, reason="x", on=TODAY, by=by, today=TODAY, expected_version=part.version_id
            )


def test_left_pupil_and_closed_intervention_refuse_new_participants(app, world, make_pupil):
    school, staff, _, pupils = world
    left = make_pupil(school, leaving_date=TODAY - timedelta(days=5))
    ident = make_intervention(app, school, staff, pupils[:2])
    with app.app_context():
        record = _get(Intervention, ident)
        by = _get(User, staff.id)
        with pytest.raises(RecordRuleError) as error:
            participants.add_participant(
                record, left.id, start_date=TODAY, baseline_score=None, by=by, today=TODAY
            )
        assert error.value.field == "pupil_id"
        services.change_status(record, S.STOPPED, by=by, on=TODAY, reason="Staff absence.")
        with pytest.raises(RecordRuleError):
            participants.add_participant(
                record, pupils[3].id, start_date=TODAY, baseline_score=None, by=by, today=TODAY
            )
