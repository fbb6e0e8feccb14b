"""Correcting a mentoring session: its author or a leader, within 14 days, versioned (R63)."""

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from school_tracker.extensions import db
from school_tracker.mentoring import session_log
from school_tracker.models import (
    MentoringSession,
    RecordVersion,
    Role,
    User,
)
from school_tracker.orm import utcnow
from school_tracker.records.versions import RecordRuleError, StaleRecordError
from tests.factories.mentoring import (
    SECRET,
    TODAY,
    audit_entries,
    log,
    make_pairing,
    staff_mentor,
)


@pytest.fixture
def mentor(make_user, school):
    return make_user(Role.STAFF, school=school, full_name="Mo Mentor")


@pytest.fixture
def mentee(make_pupil, school):
    return make_pupil(school, legal_surname="Mentee", legal_forename="Mia")


@pytest.fixture
def pairing_id(app, mentor, mentee):
    return make_pairing(app, mentee, mentor, starts_on=TODAY - timedelta(days=30))


@pytest.fixture
def session_id(app, mentor, pairing_id):
    return log(app, pairing_id, mentor, TODAY - timedelta(days=2))


def _details(**overrides) -> session_log.SessionDetails:
    values = dict(
        held_on=TODAY - timedelta(days=3),
        minutes=45,
        activities="Played draughts, not chess.",
        mentee_voice="I liked it.",
        mentor_reflection="Good session.",
        wellbeing_start=2,
        wellbeing_end=4,
    )
    values.update(overrides)
    return session_log.SessionDetails(**values)


def _correct(app, session_id: int, by: User, **kwargs):
    with app.app_context():
        session = db.session.get(MentoringSession, session_id)
        changes = session_log.correct_session(
            session,
            kwargs.pop("details", _details()),
            by=db.session.get(User, by.id),
            today=TODAY,
            expected_version=kwargs.pop("expected_version", session.version_id),
            **kwargs,
        )
        db.session.commit()
        return changes


def _age(app, session_id: int, days: int) -> None:
    with app.app_context():
        session = db.session.get(MentoringSession, session_id)
        session.created_at = utcnow() - timedelta(days=days)
        db.session.commit()


@pytest.mark.requirement("R63")
def test_author_corrects_and_the_earlier_values_are_kept(app, mentor, session_id):
    changes = _correct(app, session_id, mentor, reason="Typed chess by mistake")
    assert changes["activities"] == "changed"  # free text: never its words in the audit
    assert changes["minutes"] == [30, 45]
    assert "wellbeing_start" not in changes
    with app.app_context():
        session = db.session.get(MentoringSession, session_id)
        assert session.activities == "Played draughts, not chess."
        assert session.version_id == 2 and session.updated_by_id == mentor.id
        (version,) = db.session.scalars(
            sa.select(RecordVersion).where(
                RecordVersion.entity_type == "mentoring_session",
                RecordVersion.entity_id == session_id,
            )
        )
        assert version.version == 1 and version.reason == "Typed chess by mistake"
        assert version.previous["activities"] == f"Played chess. {SECRET}"
        assert version.previous["minutes"] == 30
        entry = audit_entries("mentoring_session", session_id)[-1]
        assert entry.action == "update" and SECRET not in json.dumps(entry.changes)
        assert "draughts" not in json.dumps(entry.changes)


def test_a_correction_from_an_old_form_is_refused(app, mentor, session_id):
    _correct(app, session_id, mentor)
    with pytest.raises(StaleRecordError):
        _correct(app, session_id, mentor, expected_version=1, details=_details(minutes=10))
    with app.app_context():
        assert db.session.get(MentoringSession, session_id).minutes == 45


def test_a_leader_may_correct_another_member_of_staff_may_not(app, make_user, school, session_id):
    with pytest.raises(RecordRuleError, match="Only the person who logged"):
        _correct(app, session_id, make_user(Role.STAFF, school=school))
    assert _correct(app, session_id, make_user(Role.LEADER, school=school))


def test_the_window_closes_after_14_days(app, mentor, make_user, school, session_id):
    _age(app, session_id, 14)
    assert _correct(app, session_id, mentor)
    _age(app, session_id, 15)
    for who in (mentor, make_user(Role.LEADER, school=school)):
        with pytest.raises(RecordRuleError, match="14 days"):
            _correct(app, session_id, who, details=_details(minutes=20))
    with app.app_context():
        assert db.session.get(MentoringSession, session_id).minutes == 45


def test_the_session_rules_still_apply(app, mentor, session_id):
    with pytest.raises(RecordRuleError) as caught:
        _correct(app, session_id, mentor, details=_details(held_on=TODAY + timedelta(days=1)))
    assert caught.value.field == "held_on"


def _form(version: int, **overrides) -> dict[str, str]:
    data = {
        "version": str(version),
        "held_on": (TODAY - timedelta(days=2)).isoformat(),
        "minutes": "50",
        "activities": "Built a den, then tidied up.",
        "mentee_voice": "",
        "mentor_reflection": "",
        "wellbeing_start": "",
        "wellbeing_end": "",
        "change_reason": "Forgot the tidying",
    }
    data.update(overrides)
    return data


def test_author_corrects_on_the_page_and_sees_the_history(
    app, client, auth, mentor, pairing_id, session_id
):
    auth.login(mentor.email)
    url = f"/mentoring/{pairing_id}/sessions/{session_id}/edit"
    page = client.get(f"/mentoring/{pairing_id}").get_data(as_text=True)
    assert url in page
    form_page = client.get(url).get_data(as_text=True)
    assert "Correct a mentoring session" in form_page and "Played chess." in form_page
    response = client.post(url, data=_form(1))
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Session corrected." in page and "Built a den, then tidied up." in page
    assert "Forgot the tidying" in page and "Played chess." in page  # the history keeps it
    assert "Session log (1)" in page


def test_a_bad_correction_writes_nothing_and_an_old_form_is_a_409(
    app, client, auth, mentor, pairing_id, session_id
):
    auth.login(mentor.email)
    url = f"/mentoring/{pairing_id}/sessions/{session_id}/edit"
    response = client.post(url, data=_form(1, minutes="0"))
    assert response.status_code == 200
    assert "Minutes must be between 1 and 600." in response.get_data(as_text=True)
    assert client.post(url, data=_form(1)).status_code == 302
    assert client.post(url, data=_form(1, minutes="20")).status_code == 409
    with app.app_context():
        session = db.session.get(MentoringSession, session_id)
        assert (session.minutes, session.version_id) == (50, 2)


@pytest.mark.requirement("R19")
@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("author", 200),
        ("leader", 200),
        ("pairing_creator_not_author", 403),
        ("other_staff", 404),
        ("other_school_leader", 404),
        ("admin", 403),
        ("governor", 403),
        ("trust_leader", 403),
    ],
)
def test_who_may_open_the_correction(
    app, client, auth, make_user, make_school, school, mentor, mentee, who, expected
):
    creator = make_user(Role.STAFF, school=school)
    # The creator starts the pairing with Mo as mentor; Mo logs the session, so both may open
    # the pairing but only Mo (or a leader) may correct the session.
    pairing_id = make_pairing(app, mentee, creator, mentor=staff_mentor(mentor))
    session_id = log(app, pairing_id, mentor, TODAY - timedelta(days=1))
    users = {
        "author": mentor,
        "leader": make_user(Role.LEADER, school=school),
        "pairing_creator_not_author": creator,
        "other_staff": make_user(Role.STAFF, school=school),
        "other_school_leader": make_user(Role.LEADER, school=make_school("elsewhere")),
        "admin": make_user(Role.ADMIN, school=school),
        "governor": make_user(Role.GOVERNOR, school=school),
        "trust_leader": make_user(Role.TRUST_LEADER, school=school),
    }
    auth.login(users[who].email)
    url = f"/mentoring/{pairing_id}/sessions/{session_id}/edit"
    assert client.get(url).status_code == expected
    post = client.post(url, data=_form(1))
    assert post.status_code == (302 if expected == 200 else expected)


def test_a_session_of_another_pairing_or_past_the_window_is_refused(
    app, client, auth, mentor, mentee, pairing_id, session_id
):
    other_pairing = make_pairing(app, mentee, mentor)
    auth.login(mentor.email)
    assert client.get(f"/mentoring/{other_pairing}/sessions/{session_id}/edit").status_code == 404
    _age(app, session_id, 15)
    url = f"/mentoring/{pairing_id}/sessions/{session_id}/edit"
    assert client.get(url).status_code == 403
    assert url not in client.get(f"/mentoring/{pairing_id}").get_data(as_text=True)
    assert client.post(url, data=_form(1)).status_code == 403
    with app.app_context():
        assert db.session.get(MentoringSession, session_id).minutes == 30


@pytest.mark.requirement("R69")
def test_retention_blanks_a_corrected_sessions_earlier_values_too(app, leavers_world):
    from datetime import date

    from school_tracker.privacy.retention import apply_retention

    with app.app_context():
        session = db.session.scalar(
            sa.select(MentoringSession).where(MentoringSession.activities == "Chess")
        )
        session_id = session.id
        session.created_at = utcnow()
        db.session.commit()
        leader = db.session.scalar(
            sa.select(User).where(User.role == Role.LEADER, User.school_id == session.school_id)
        )
        session_log.correct_session(
            session,
            _details(held_on=session.held_on, activities="Chess and draughts"),
            by=leader,
            today=session.held_on,
            expected_version=session.version_id,
        )
        db.session.commit()
        corrected_version = session.version_id
        counts = apply_retention(date(2044, 1, 1))
        db.session.commit()
        session = db.session.get(MentoringSession, session_id)
        # Blanked, and its version moved on so a correction form opened earlier goes stale.
        assert session.activities == "" and session.version_id == corrected_version + 1
        version = db.session.scalar(
            sa.select(RecordVersion).where(
                RecordVersion.entity_type == "mentoring_session",
                RecordVersion.entity_id == session_id,
            )
        )
        assert counts["record versions"] == 1
        assert "Chess" not in json.dumps(version.previous)
