"""Mentoring services: every rule, the audit trail and the lost-update refusal."""

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from school_tracker.extensions import db
from school_tracker.mentoring import lifecycle, services
from school_tracker.mentoring.services import MentorSpec
from school_tracker.models import (
    AdultRelationship,
    MeetingFrequency,
    MentoringPairing,
    MentoringSession,
    MentorKind,
    PairingOutcome,
    PairingStatus,
    Pupil,
    Role,
    User,
)
from school_tracker.records.versions import RecordRuleError, StaleRecordError
from tests.factories.mentoring import (
    SECRET,
    TODAY,
    audit_entries,
    details,
    log,
    make_pairing,
    staff_mentor,
)


@pytest.fixture
def mentor(make_user, school):
    return make_user(Role.STAFF, school=school, full_name="Mo Mentor")


@pytest.fixture
def mentee(make_pupil, school):
    return make_pupil(school, legal_surname="Mentee")


def _create(app, mentee, by, spec, **kwargs):
    with app.app_context():
        pairing = services.create_pairing(
            mentee.school_id,
            db.session.get(Pupil, mentee.id),
            details(spec, **kwargs),
            by=db.session.get(User, by.id),
        )
        db.session.commit()
        return pairing.id


def _rule_error(app, mentee, by, spec, **kwargs) -> RecordRuleError:
    with pytest.raises(RecordRuleError) as caught:
        _create(app, mentee, by, spec, **kwargs)
    with app.app_context():
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count(MentoringPairing.id))) == 0
    return caught.value


def test_create_with_staff_mentor_is_active_linked_to_p1_and_audited(app, mentor, mentee):
    pairing_id = make_pairing(app, mentee, mentor)
    with app.app_context():
        pairing = db.session.get(MentoringPairing, pairing_id)
        assert pairing.status is PairingStatus.ACTIVE
        assert pairing.mentor_user_id == mentor.id and pairing.created_by_id == mentor.id
        assert [p.code for p in pairing.priorities] == ["P1"]
        assert pairing.mentor_label == "Mo Mentor"
        (entry,) = audit_entries("mentoring_pairing", pairing_id)
        assert entry.action == "create" and entry.pupil_id == mentee.id
        assert entry.changes["status"] == [None, "active"]
        assert SECRET not in json.dumps(entry.changes)


def test_adult_and_peer_mentors(app, mentor, mentee, make_pupil, school):
    adult = MentorSpec(
        MentorKind.ADULT, name="  Dev Hughes ", relationship=AdultRelationship.SUPPORT_STAFF
    )
    peer_pupil = make_pupil(school, legal_surname="Peer", legal_forename="Pat")
    adult_id = _create(app, mentee, mentor, adult)
    peer_id = _create(app, mentee, mentor, MentorSpec(MentorKind.PEER, pupil_id=peer_pupil.id))
    with app.app_context():
        adult_pairing = db.session.get(MentoringPairing, adult_id)
        assert adult_pairing.mentor_name == "Dev Hughes"
        assert adult_pairing.mentor_label == "Dev Hughes (support staff (e.g. site team))"
        peer = db.session.get(MentoringPairing, peer_id)
        assert peer.mentor_pupil_id == peer_pupil.id and peer.mentor_user_id is None
        assert peer.mentor_label == "Pat Peer (peer mentor)"


@pytest.mark.parametrize(
    ("spec_name", "field"),
    [
        ("two_mentors", "mentor_kind"),
        ("other_school_staff", "mentor_user"),
        ("governor", "mentor_user"),
        ("self_peer", "mentor_pupil"),
        ("other_school_peer", "mentor_pupil"),
        ("adult_without_relationship", "mentor_relationship"),
        ("adult_blank_name", "mentor_kind"),
    ],
)
def test_mentor_must_be_exactly_one_person_of_this_school(
    app, make_school, make_user, make_pupil, mentor, mentee, spec_name, field
):
    elsewhere = make_school("elsewhere")
    specs = {
        "two_mentors": lambda: MentorSpec(MentorKind.STAFF, user_id=mentor.id, pupil_id=mentee.id),
        "other_school_staff": lambda: staff_mentor(make_user(Role.STAFF, school=elsewhere)),
        "governor": lambda: staff_mentor(make_user(Role.GOVERNOR, school=db_school(app, mentee))),
        "self_peer": lambda: MentorSpec(MentorKind.PEER, pupil_id=mentee.id),
        "other_school_peer": lambda: MentorSpec(MentorKind.PEER, pupil_id=make_pupil(elsewhere).id),
        "adult_without_relationship": lambda: MentorSpec(MentorKind.ADULT, name="Jo"),
        "adult_blank_name": lambda: MentorSpec(
            MentorKind.ADULT, name="", relationship=AdultRelationship.VOLUNTEER
        ),
    }
    error = _rule_error(app, mentee, mentor, specs[spec_name]())
    assert error.field == field


def db_school(app, pupil):
    """The pupil's school as a detached object, for make_user."""
    from school_tracker.models import School

    with app.app_context():
        school = db.session.get(School, pupil.school_id)
        db.session.expunge(school)
        return school


def test_mentee_from_another_school_and_bad_dates_are_refused(
    app, make_school, make_pupil, mentor, mentee
):
    stranger = make_pupil(make_school("elsewhere"))
    with app.app_context(), pytest.raises(RecordRuleError) as caught:
        services.create_pairing(
            mentee.school_id,
            db.session.get(Pupil, stranger.id),
            details(staff_mentor(mentor)),
            by=db.session.get(User, mentor.id),
        )
    assert caught.value.field == "mentee"
    error = _rule_error(
        app,
        mentee,
        mentor,
        staff_mentor(mentor),
        starts_on=TODAY,
        planned_end_on=TODAY - timedelta(days=1),
    )
    assert error.field == "planned_end_on"
    assert _rule_error(app, mentee, mentor, staff_mentor(mentor), codes=()).field == "priorities"
    assert _rule_error(app, mentee, mentor, staff_mentor(mentor), codes=("P9",)).field == (
        "priorities"
    )


def test_database_refuses_two_mentors_or_none(app, mentor, mentee, school):
    base = dict(
        school_id=school.id,
        mentee_id=mentee.id,
        mentee_goals="a",
        mentor_goals="b",
        starts_on=TODAY,
        frequency=MeetingFrequency.WEEKLY,
    )
    bad = [
        dict(mentor_kind=MentorKind.STAFF, mentor_user_id=mentor.id, mentor_pupil_id=mentee.id),
        dict(mentor_kind=MentorKind.STAFF),
        dict(mentor_kind=MentorKind.ADULT, mentor_name="Jo"),
        dict(mentor_kind=MentorKind.PEER, mentor_pupil_id=mentee.id),
    ]
    with app.app_context():
        for columns in bad:
            db.session.add(MentoringPairing(**base, **columns))
            with pytest.raises(IntegrityError):
                db.session.flush()
            db.session.rollback()


def test_update_audits_changed_fields_without_free_text(app, mentor, mentee):
    pairing_id = make_pairing(app, mentee, mentor)
    with app.app_context():
        pairing = db.session.get(MentoringPairing, pairing_id)
        new = details(staff_mentor(mentor), codes=("P1", "P4b"))
        new = services.PairingDetails(
            **{
                **new.__dict__,
                "mentee_goals": "Something new",
                "frequency": MeetingFrequency.MONTHLY,
            }
        )
        changes = services.update_pairing(
            pairing, new, by=db.session.get(User, mentor.id), expected_version=1
        )
        db.session.commit()
        assert changes["mentee_goals"] == "changed"
        assert changes["frequency"] == ["weekly", "monthly"]
        assert changes["priorities"] == [["P1"], ["P1", "P4b"]]
        assert "mentor_goals" not in changes
        entry = audit_entries("mentoring_pairing", pairing_id)[-1]
        assert entry.action == "update" and "Something new" not in json.dumps(entry.changes)
        assert pairing.version_id == 2


def test_second_save_from_an_old_form_is_refused(app, mentor, mentee):
    pairing_id = make_pairing(app, mentee, mentor)
    with app.app_context():
        pairing = db.session.get(MentoringPairing, pairing_id)
        by = db.session.get(User, mentor.id)
        services.update_pairing(
            pairing,
            details(staff_mentor(mentor), codes=("P1", "P5")),
            by=by,
            expected_version=1,
        )
        db.session.commit()
        with pytest.raises(StaleRecordError) as caught:
            services.update_pairing(
                pairing,
                details(staff_mentor(mentor), codes=("P2",)),
                by=by,
                expected_version=1,
                view_url="/mentoring/1",
            )
        assert caught.value.view_url == "/mentoring/1"
        db.session.rollback()
        assert [p.code for p in db.session.get(MentoringPairing, pairing_id).priorities] == [
            "P1",
            "P5",
        ]


def test_start_cannot_move_after_the_first_session(app, mentor, mentee):
    pairing_id = make_pairing(app, mentee, mentor, starts_on=TODAY - timedelta(days=20))
    log(app, pairing_id, mentor, TODAY - timedelta(days=10))
    with app.app_context(), pytest.raises(RecordRuleError) as caught:
        services.update_pairing(
            db.session.get(MentoringPairing, pairing_id),
            details(staff_mentor(mentor), starts_on=TODAY - timedelta(days=5)),
            by=db.session.get(User, mentor.id),
            expected_version=None,
        )
    assert caught.value.field == "starts_on"


def test_pause_resume_end_flow_is_audited(app, mentor, mentee):
    pairing_id = make_pairing(app, mentee, mentor)
    with app.app_context():
        pairing = db.session.get(MentoringPairing, pairing_id)
        by = db.session.get(User, mentor.id)
        lifecycle.pause_pairing(pairing, by=by, today=TODAY, expected_version=1)
        assert pairing.status is PairingStatus.PAUSED and pairing.paused_on == TODAY
        with pytest.raises(RecordRuleError):
            lifecycle.pause_pairing(pairing, by=by, today=TODAY)
        lifecycle.resume_pairing(pairing, by=by)
        assert pairing.status is PairingStatus.ACTIVE and pairing.paused_on is None
        with pytest.raises(RecordRuleError):
            lifecycle.resume_pairing(pairing, by=by)
        lifecycle.end_pairing(
            pairing,
            outcome=PairingOutcome.GOALS_PARTLY_MET,
            ended_on=TODAY,
            notes=f"Much calmer. {SECRET}",
            by=by,
            today=TODAY,
        )
        db.session.commit()
        assert pairing.status is PairingStatus.ENDED and pairing.outcome_notes.startswith("Much")
        entries = audit_entries("mentoring_pairing", pairing_id)
        assert [e.action for e in entries] == ["create", "pause", "resume", "end"]
        assert entries[1].changes["status"] == ["active", "paused"]
        assert entries[3].changes["outcome"] == [None, "goals_partly_met"]
        assert entries[3].changes["outcome_notes"] == "changed"
        with pytest.raises(RecordRuleError):
            lifecycle.end_pairing(
                pairing, outcome=PairingOutcome.OTHER, ended_on=TODAY, notes="", by=by, today=TODAY
            )


@pytest.mark.parametrize(
    ("ended_on", "message"),
    [
        (TODAY - timedelta(days=40), "before the pairing started"),
        (TODAY + timedelta(days=1), "future"),
        (TODAY - timedelta(days=10), "session was logged"),
    ],
)
def test_end_date_rules(app, mentor, mentee, ended_on, message):
    pairing_id = make_pairing(app, mentee, mentor, starts_on=TODAY - timedelta(days=30))
    log(app, pairing_id, mentor, TODAY - timedelta(days=5))
    with app.app_context(), pytest.raises(RecordRuleError, match=message) as caught:
        lifecycle.end_pairing(
            db.session.get(MentoringPairing, pairing_id),
            outcome=PairingOutcome.GOALS_MET,
            ended_on=ended_on,
            notes=None,
            by=db.session.get(User, mentor.id),
            today=TODAY,
        )
    assert caught.value.field == "ended_on"


def test_log_session_and_its_audit_entry(app, mentor, mentee):
    pairing_id = make_pairing(app, mentee, mentor)
    session_id = log(app, pairing_id, mentor, TODAY)
    with app.app_context():
        session = db.session.get(MentoringSession, session_id)
        assert session.school_id == mentee.school_id and session.wellbeing_end == 3
        (entry,) = audit_entries("mentoring_session", session_id)
        assert entry.changes["pairing_id"] == pairing_id and entry.changes["minutes"] == 30
        assert "wellbeing_start" in entry.changes["fields"]
        assert SECRET not in json.dumps(entry.changes) and "I liked it" not in json.dumps(
            entry.changes
        )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"held_on": TODAY + timedelta(days=1)}, "held_on"),
        ({"held_on": TODAY - timedelta(days=31)}, "held_on"),
        ({"minutes": 0}, "minutes"),
        ({"minutes": 601}, "minutes"),
        ({"wellbeing_start": 0}, "wellbeing_start"),
        ({"wellbeing_end": 6}, "wellbeing_end"),
        ({"activities": "   "}, "activities"),
    ],
)
def test_session_rules(app, mentor, mentee, overrides, field):
    pairing_id = make_pairing(app, mentee, mentor, starts_on=TODAY - timedelta(days=30))
    values = {"held_on": TODAY, **overrides}
    with pytest.raises(RecordRuleError) as caught:
        log(app, pairing_id, mentor, **values)
    assert caught.value.field == field
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(MentoringSession.id))) == 0


def test_no_session_after_the_pairing_ended(app, mentor, mentee):
    pairing_id = make_pairing(app, mentee, mentor, starts_on=TODAY - timedelta(days=30))
    with app.app_context():
        lifecycle.end_pairing(
            db.session.get(MentoringPairing, pairing_id),
            outcome=PairingOutcome.GOALS_MET,
            ended_on=TODAY - timedelta(days=3),
            notes=None,
            by=db.session.get(User, mentor.id),
            today=TODAY,
        )
        db.session.commit()
    log(app, pairing_id, mentor, TODAY - timedelta(days=4))  # before the end: fine
    with pytest.raises(RecordRuleError, match="ended"):
        log(app, pairing_id, mentor, TODAY - timedelta(days=1))


def test_database_ranges_sessions(app, mentor, mentee, school):
    pairing_id = make_pairing(app, mentee, mentor)
    with app.app_context():
        for bad in ({"minutes": 601}, {"minutes": 0}, {"wellbeing_start": 6}):
            values = dict(
                pairing_id=pairing_id,
                school_id=school.id,
                held_on=TODAY,
                minutes=30,
                activities="x",
            )
            db.session.add(MentoringSession(**{**values, **bad}))
            with pytest.raises(IntegrityError):
                db.session.flush()
            db.session.rollback()
