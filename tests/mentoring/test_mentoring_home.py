"""Mentoring beyond its own pages: caseload, pupil timeline, home panels, audit and CSRF."""

import re
from datetime import timedelta

import pytest

from school_tracker.calendar.term_dates import calendar_for
from school_tracker.extensions import db
from school_tracker.models import MentoringPairing, PairingStatus, Role, School
from tests.conftest import PASSWORD
from tests.factories.mentoring import SECRET, TODAY, audit_entries, log, make_pairing


@pytest.fixture
def mentor(make_user, school):
    return make_user(Role.STAFF, school=school, full_name="Mo Mentor")


@pytest.fixture
def mentee(make_pupil, school):
    return make_pupil(school, legal_surname="Mentee", legal_forename="Mia")


@pytest.fixture
def pairing_id(app, mentor, mentee):
    return make_pairing(app, mentee, mentor, starts_on=TODAY - timedelta(days=30))


def test_caseload_counts_this_terms_sessions(app, client, auth, mentor, pairing_id):
    log(app, pairing_id, mentor, TODAY - timedelta(days=2))
    log(app, pairing_id, mentor, TODAY)
    auth.login(mentor.email)
    body = client.get("/mentoring/caseload").get_data(as_text=True)
    assert "Mia Mentee" in body
    assert f"<td>{TODAY:%d %b %Y}</td>" in body
    with app.app_context():
        term = calendar_for(mentor.school_id).term_for(TODAY)
    expected = 2 if term.starts_on <= TODAY - timedelta(days=2) else 1
    assert f"<td>{expected}</td>" in body


def test_detail_view_is_audited(app, client, auth, mentor, pairing_id):
    auth.login(mentor.email)
    client.get(f"/mentoring/{pairing_id}")
    with app.app_context():
        assert audit_entries("mentoring_pairing", pairing_id)[-1].action == "view"


def test_timeline_shows_mentoring_to_those_who_may_see_it(
    app, client, auth, make_user, school, mentor, mentee, pairing_id
):
    log(app, pairing_id, mentor, TODAY)
    for user, visible in (
        (mentor, True),
        (make_user(Role.LEADER, school=school), True),
        (make_user(Role.STAFF, school=school), False),
        (make_user(Role.ADMIN, school=school), False),
    ):
        auth.login(user.email)
        body = client.get(f"/pupils/{mentee.id}").get_data(as_text=True)
        assert ("Mentored by Mo Mentor" in body) is visible, user.role
        assert SECRET not in body
        if visible:
            assert "1 session, last on" in body
        auth.logout()


def test_peer_mentor_sees_it_on_their_own_timeline(app, client, auth, make_pupil, school, mentor):
    from school_tracker.mentoring.services import MentorSpec
    from school_tracker.models import MentorKind

    mentee = make_pupil(school, legal_surname="Little", legal_forename="Lu")
    peer = make_pupil(school, legal_surname="Big")
    make_pairing(app, mentee, mentor, mentor=MentorSpec(MentorKind.PEER, pupil_id=peer.id))
    auth.login(mentor.email)
    assert "Peer mentor to Lu Little" in client.get(f"/pupils/{peer.id}").get_data(as_text=True)


def test_home_flags_quiet_pairings_for_the_mentor(app, client, auth, mentor, mentee, make_pupil):
    quiet = make_pairing(app, mentee, mentor, starts_on=TODAY - timedelta(days=40))
    log(app, quiet, mentor, TODAY - timedelta(days=20))
    fresh_pupil = make_pupil(mentor_school(app, mentor), legal_surname="Fresh")
    fresh = make_pairing(app, fresh_pupil, mentor, starts_on=TODAY - timedelta(days=3))
    auth.login(mentor.email)
    body = client.get("/").get_data(as_text=True)
    assert "My mentoring" in body
    assert "no session logged for 20 days" in body
    assert f"/mentoring/{fresh}" in body and "no sessions yet" in body
    assert body.count("no session logged for") == 1


def mentor_school(app, user):
    """The user's school as a detached object."""
    with app.app_context():
        school = db.session.get(School, user.school_id)
        db.session.expunge(school)
        return school


def test_staff_with_no_pairings_get_an_empty_panel(client, login_as, school):
    login_as(Role.STAFF, school=school)
    assert "You are not mentoring anyone at the moment." in client.get("/").get_data(as_text=True)


def test_leaders_see_pairings_paused_too_long(app, client, auth, make_user, school, pairing_id):
    with app.app_context():
        pairing = db.session.get(MentoringPairing, pairing_id)
        pairing.status, pairing.paused_on = PairingStatus.PAUSED, TODAY - timedelta(days=31)
        db.session.commit()
    leader = make_user(Role.LEADER, school=school)
    auth.login(leader.email)
    body = client.get("/").get_data(as_text=True)
    assert "Mentoring paused for over 30 days" in body
    assert f"paused since {TODAY - timedelta(days=31):%d %b %Y}" in body
    with app.app_context():
        db.session.get(MentoringPairing, pairing_id).paused_on = TODAY - timedelta(days=30)
        db.session.commit()
    body = client.get("/").get_data(as_text=True)
    assert "No mentoring pairing has been paused for more than 30 days." in body


def test_governor_home_has_no_mentoring(client, login_as, school):
    login_as(Role.GOVERNOR, school=school)
    body = client.get("/").get_data(as_text=True)
    assert "My mentoring" not in body and "/mentoring/" not in body


class TestWithCsrf:
    """State changes need the CSRF token."""

    @pytest.fixture
    def app_config_overrides(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_pause_without_token_is_refused(self, app, client, auth, mentor, pairing_id):
        login_page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page)[1]
        client.post(
            "/login", data={"email": mentor.email, "password": PASSWORD, "csrf_token": token}
        )
        assert client.post(f"/mentoring/{pairing_id}/pause").status_code == 400
        page = client.get(f"/mentoring/{pairing_id}").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
        response = client.post(
            f"/mentoring/{pairing_id}/pause", data={"csrf_token": token, "version": "1"}
        )
        assert response.status_code == 302
        with app.app_context():
            assert db.session.get(MentoringPairing, pairing_id).status is PairingStatus.PAUSED
