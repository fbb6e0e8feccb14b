"""Mentoring pages: who may open what, the forms' messages, caseload, timeline and home panels."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from school_tracker.extensions import db
from school_tracker.models import (
    MentoringPairing,
    MentoringSession,
    PairingStatus,
    Role,
)
from tests.factories.mentoring import TODAY, make_pairing


@pytest.fixture
def mentor(make_user, school):
    return make_user(Role.STAFF, school=school, full_name="Mo Mentor")


@pytest.fixture
def mentee(make_pupil, school):
    return make_pupil(school, legal_surname="Mentee", legal_forename="Mia")


@pytest.fixture
def pairing_id(app, mentor, mentee):
    return make_pairing(app, mentee, mentor, starts_on=TODAY - timedelta(days=30))


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count(model.id)))


@pytest.mark.parametrize("path", ["/mentoring/", "/mentoring/caseload", "/mentoring/new"])
@pytest.mark.parametrize("role", list(Role))
def test_role_page_matrix(login_as, client, school, role, path):
    login_as(role, school=school)
    expected = 200 if role in (Role.STAFF, Role.LEADER) else 403
    assert client.get(path).status_code == expected


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("mentor", 200),
        ("creator", 200),
        ("other_staff", 404),
        ("leader", 200),
        ("other_school_leader", 404),
        ("admin", 403),
        ("governor", 403),
        ("trust_leader", 403),
    ],
)
def test_who_may_open_a_pairing(
    app, client, auth, make_user, make_school, make_pupil, school, mentor, mentee, who, expected
):
    creator = make_user(Role.STAFF, school=school)
    from school_tracker.mentoring.services import MentorSpec
    from school_tracker.models import AdultRelationship, MentorKind

    spec = MentorSpec(
        MentorKind.ADULT, name="Jo Volunteer", relationship=AdultRelationship.VOLUNTEER
    )
    adult_pairing = make_pairing(app, mentee, creator, mentor=spec)
    mine = make_pairing(app, mentee, mentor)
    users = {
        "mentor": mentor,
        "creator": creator,
        "other_staff": make_user(Role.STAFF, school=school),
        "leader": make_user(Role.LEADER, school=school),
        "other_school_leader": make_user(Role.LEADER, school=make_school("elsewhere")),
        "admin": make_user(Role.ADMIN, school=school),
        "governor": make_user(Role.GOVERNOR, school=school),
        "trust_leader": make_user(Role.TRUST_LEADER, school=school),
    }
    auth.login(users[who].email)
    target = adult_pairing if who == "creator" else mine
    for suffix in ("", "/edit", "/end", "/sessions/new"):
        assert client.get(f"/mentoring/{target}{suffix}").status_code == expected, suffix
    post_expected = expected if expected != 200 else 302
    with app.app_context():
        version = db.session.get(MentoringPairing, target).version_id
    pause = client.post(f"/mentoring/{target}/pause", data={"version": version})
    assert pause.status_code == post_expected


def test_staff_cannot_log_on_someone_elses_pairing(
    app, client, auth, make_user, school, pairing_id
):
    other = make_user(Role.STAFF, school=school)
    auth.login(other.email)
    data = {"held_on": TODAY.isoformat(), "minutes": "30", "activities": "Chess"}
    assert client.post(f"/mentoring/{pairing_id}/sessions/new", data=data).status_code == 404
    with app.app_context():
        assert _count(MentoringSession) == 0


def test_list_is_scoped(app, client, auth, make_user, make_pupil, school, mentor, mentee):
    other_mentor = make_user(Role.STAFF, school=school)
    other_mentee = make_pupil(school, legal_surname="Othername")
    make_pairing(app, mentee, mentor)
    make_pairing(app, other_mentee, other_mentor)
    auth.login(mentor.email)
    body = client.get("/mentoring/").get_data(as_text=True)
    assert "Mia Mentee" in body and "Othername" not in body
    auth.logout()
    auth.login(make_user(Role.LEADER, school=school).email)
    body = client.get("/mentoring/").get_data(as_text=True)
    assert "Mia Mentee" in body and "Othername" in body
    assert client.get("/mentoring/?status=paused").status_code == 200
    assert client.get("/mentoring/?status=deleted").status_code == 400


def _pairing_form(pupil, staff, **overrides):
    data = {
        "mentee": str(pupil.id),
        "mentor_kind": "staff",
        "mentor_user": str(staff.id),
        "mentor_relationship": "",
        "mentor_pupil": "",
        "mentee_goals": "To feel calmer at lunchtime.",
        "mentor_goals": "To learn to listen.",
        "priorities": ["P1"],
        "starts_on": TODAY.isoformat(),
        "planned_end_on": "",
        "frequency": "weekly",
    }
    data.update(overrides)
    return data


def test_create_pairing_through_the_form(app, client, auth, school, mentor, mentee):
    auth.login(mentor.email)
    response = client.post("/mentoring/new", data=_pairing_form(mentee, mentor))
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Mentoring pairing started." in page and "To feel calmer at lunchtime." in page
    with app.app_context():
        pairing = db.session.scalar(sa.select(MentoringPairing))
        assert pairing.mentor_user_id == mentor.id and pairing.created_by_id == mentor.id


def test_peer_and_adult_mentors_through_the_form(
    app, client, auth, make_pupil, school, mentor, mentee
):
    peer = make_pupil(school, legal_surname="Peer")
    auth.login(mentor.email)
    # The staff picker is filled in too, but only the chosen kind's field counts (R23).
    form = _pairing_form(mentee, mentor, mentor_kind="peer", mentor_pupil=str(peer.id))
    assert client.post("/mentoring/new", data=form).status_code == 302
    form = _pairing_form(
        mentee,
        mentor,
        mentor_kind="adult",
        mentor_name="Dev Hughes",
        mentor_relationship="community",
    )
    assert client.post("/mentoring/new", data=form).status_code == 302
    with app.app_context():
        rows = db.session.scalars(sa.select(MentoringPairing).order_by(MentoringPairing.id)).all()
        assert rows[0].mentor_pupil_id == peer.id and rows[0].mentor_user_id is None
        assert rows[1].mentor_name == "Dev Hughes" and rows[1].mentor_user_id is None


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"mentor_user": ""}, "Choose the staff mentor."),
        ({"mentor_kind": "adult"}, "Give the adult mentor&#39;s name."),
        ({"mentor_kind": "peer"}, "Choose the peer mentor."),
        ({"mentee": ""}, "Choose the pupil being mentored."),
        ({"mentee_goals": "bad\x00text"}, "control characters"),
        ({"mentor_goals": "x" * 2001}, "2000"),
        ({"priorities": []}, "Link at least one priority."),
        ({"priorities": ["P9"]}, "not a valid choice"),
        ({"starts_on": "31/02/2026"}, "Not a valid date"),
        (
            {"planned_end_on": (TODAY - timedelta(days=1)).isoformat()},
            "The planned end can&#39;t be before the start.",
        ),
        ({"mentor_name": "Bad\u202ename", "mentor_kind": "adult"}, "direction-changing"),
    ],
)
def test_pairing_form_errors_write_nothing(
    app, client, auth, school, mentor, mentee, overrides, message
):
    auth.login(mentor.email)
    response = client.post("/mentoring/new", data=_pairing_form(mentee, mentor, **overrides))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert _count(MentoringPairing) == 0


def test_tampered_pupil_from_another_school_is_a_form_error(
    app, client, auth, make_school, make_pupil, mentor, mentee
):
    stranger = make_pupil(make_school("elsewhere"))
    auth.login(mentor.email)
    for field in ("mentee", "mentor_pupil"):
        data = _pairing_form(mentee, mentor, mentor_kind="peer", **{field: str(stranger.id)})
        response = client.post("/mentoring/new", data=data)
        assert response.status_code == 200 and "Not a valid choice" in response.get_data(
            as_text=True
        )
    with app.app_context():
        assert _count(MentoringPairing) == 0


def _session_form(**overrides):
    data = {
        "held_on": TODAY.isoformat(),
        "minutes": "40",
        "activities": "Built a den in the garden.",
        "mentee_voice": "I liked being outside.",
        "mentor_reflection": "More relaxed than last week.",
        "wellbeing_start": "2",
        "wellbeing_end": "4",
    }
    data.update(overrides)
    return data


def test_log_a_session_and_see_it_on_the_pairing(app, client, auth, mentor, pairing_id):
    auth.login(mentor.email)
    response = client.post(f"/mentoring/{pairing_id}/sessions/new", data=_session_form())
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Session logged." in page and "Built a den in the garden." in page
    assert "start 2, end 4" in page and "Session log (1)" in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"held_on": (TODAY + timedelta(days=1)).isoformat()}, "in the future"),
        ({"held_on": (TODAY - timedelta(days=31)).isoformat()}, "can&#39;t be before it"),
        ({"held_on": ""}, "Give the date."),
        ({"minutes": "0"}, "Minutes must be between 1 and 600."),
        ({"minutes": "601"}, "Minutes must be between 1 and 600."),
        ({"minutes": "lots"}, "Enter a whole number"),
        ({"wellbeing_start": "0"}, "Wellbeing is a score from 1 to 5."),
        ({"wellbeing_end": "6"}, "Wellbeing is a score from 1 to 5."),
        ({"activities": ""}, "Say what you did."),
        ({"mentee_voice": "a\x00b"}, "control characters"),
        ({"mentor_reflection": "x" * 5001}, "5000"),
    ],
)
def test_session_form_errors_write_nothing(
    app, client, auth, mentor, pairing_id, overrides, message
):
    auth.login(mentor.email)
    response = client.post(f"/mentoring/{pairing_id}/sessions/new", data=_session_form(**overrides))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert _count(MentoringSession) == 0


def test_pause_resume_and_end_through_the_pages(app, client, auth, mentor, pairing_id):
    auth.login(mentor.email)
    assert client.post(f"/mentoring/{pairing_id}/pause", data={"version": "1"}).status_code == 302
    page = client.get(f"/mentoring/{pairing_id}").get_data(as_text=True)
    assert "Status: <strong>Paused</strong>" in page and "Resume pairing" in page
    client.post(f"/mentoring/{pairing_id}/resume", data={"version": "2"})
    bad = client.post(
        f"/mentoring/{pairing_id}/end",
        data={"version": "3", "outcome": "", "ended_on": TODAY.isoformat()},
    )
    assert "Choose an outcome." in bad.get_data(as_text=True)
    before = client.post(
        f"/mentoring/{pairing_id}/end",
        data={
            "version": "3",
            "outcome": "goals_met",
            "ended_on": (TODAY - timedelta(days=60)).isoformat(),
        },
    )
    assert "before the pairing started" in before.get_data(as_text=True)
    done = client.post(
        f"/mentoring/{pairing_id}/end",
        data={"version": "3", "outcome": "goals_met", "ended_on": TODAY.isoformat()},
    )
    assert done.status_code == 302
    with app.app_context():
        pairing = db.session.get(MentoringPairing, pairing_id)
        assert pairing.status is PairingStatus.ENDED and pairing.ended_on == TODAY


@pytest.mark.requirement("R81")
def test_stale_edit_gets_a_409_with_a_link_to_the_newer_version(
    app, client, auth, mentor, mentee, pairing_id
):
    auth.login(mentor.email)
    form = _pairing_form(mentee, mentor, starts_on=(TODAY - timedelta(days=30)).isoformat())
    del form["mentee"]
    first = client.post(f"/mentoring/{pairing_id}/edit", data={**form, "version": "1"})
    assert first.status_code == 302
    second = client.post(
        f"/mentoring/{pairing_id}/edit", data={**form, "version": "1", "mentor_goals": "Mine"}
    )
    assert second.status_code == 409
    body = second.get_data(as_text=True)
    assert "Someone else saved a change" in body and f"/mentoring/{pairing_id}" in body
    stale_pause = client.post(f"/mentoring/{pairing_id}/pause", data={"version": "1"})
    assert stale_pause.status_code == 409
    with app.app_context():
        pairing = db.session.get(MentoringPairing, pairing_id)
        assert pairing.mentor_goals == "To learn to listen."
        assert pairing.status is PairingStatus.ACTIVE


def test_edit_form_shows_current_values(client, auth, mentor, pairing_id):
    auth.login(mentor.email)
    body = client.get(f"/mentoring/{pairing_id}/edit").get_data(as_text=True)
    assert "To make a friend." in body and 'name="version" type="hidden" value="1"' in body
    assert 'id="mentee"' not in body  # the mentee is fixed once a pairing exists
