"""TOTP two-factor sign-in, password change and re-confirmation (R6, R8, R15)."""

import re
import time
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from freezegun import freeze_time

from school_tracker.auth import totp
from school_tracker.extensions import db
from school_tracker.models import Role, User
from tests.conftest import PASSWORD


def _enrol(app, client) -> str:
    page = client.get("/account/two-factor").get_data(as_text=True)
    secret = re.search(r'Key: <span class="font-monospace">([A-Z2-7]+)<', page)[1]
    response = client.post(
        "/account/two-factor", data={"current": PASSWORD, "code": pyotp.TOTP(secret).now()}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return secret


def _code_for_next_step(secret: str) -> str:
    return pyotp.TOTP(secret).at(time.time() + 30)


@pytest.mark.requirement("R6", "R68")
def test_enrolment_stores_an_encrypted_seed(app, client, login_as):
    user = login_as(Role.STAFF)
    secret = _enrol(app, client)
    with app.app_context():
        stored = db.session.get(User, user.id)
        assert stored.totp_secret_encrypted and secret not in stored.totp_secret_encrypted
        assert totp.decrypt_secret(stored.totp_secret_encrypted) == secret


@pytest.mark.requirement("R8")
def test_enrolment_needs_the_password_and_a_right_code(app, client, login_as):
    login_as(Role.STAFF)
    page = client.get("/account/two-factor").get_data(as_text=True)
    secret = re.search(r'Key: <span class="font-monospace">([A-Z2-7]+)<', page)[1]
    wrong_pw = client.post(
        "/account/two-factor", data={"current": "not-my-password", "code": pyotp.TOTP(secret).now()}
    )
    assert "not your current password" in wrong_pw.get_data(as_text=True)
    wrong_code = client.post("/account/two-factor", data={"current": PASSWORD, "code": "000000"})
    assert "doesn" in wrong_code.get_data(as_text=True)


@pytest.mark.requirement("R6")
def test_sign_in_asks_for_a_code_and_refuses_replay(app, client, make_user, auth):
    user = make_user(Role.LEADER)
    auth.login(user.email)
    secret = _enrol(app, client)
    client.post("/logout")
    response = auth.login(user.email)
    assert response.headers["Location"].startswith("/login/two-factor")
    assert client.get("/pupils/").status_code == 302  # password alone opens nothing
    code = _code_for_next_step(secret)
    assert client.post("/login/two-factor", data={"code": code}).status_code == 302
    assert client.get("/pupils/").status_code == 200
    client.post("/logout")
    auth.login(user.email)
    replay = client.post("/login/two-factor", data={"code": code})
    assert replay.status_code == 200 and "already used" in replay.get_data(as_text=True)


@pytest.mark.requirement("R6")
def test_code_from_three_steps_ago_is_refused(app, client, make_user, auth):
    user = make_user(Role.STAFF)
    auth.login(user.email)
    secret = _enrol(app, client)
    client.post("/logout")
    auth.login(user.email)
    old = pyotp.TOTP(secret).at(time.time() - 90)
    if old == pyotp.TOTP(secret).now():
        pytest.fail("collision between codes; rerun")
    assert client.post("/login/two-factor", data={"code": old}).status_code == 200


@pytest.mark.requirement("R6")
def test_required_roles_must_enrol_before_anything_else(
    app, client, login_as, make_school, make_pupil
):
    app.config["MFA_REQUIRED_ROLES"] = ("leader", "admin")
    school = make_school()
    pupil = make_pupil(school)
    login_as(Role.LEADER, school=school)
    response = client.get(f"/pupils/{pupil.id}")
    assert response.status_code == 302 and response.headers["Location"] == "/account/two-factor"
    _enrol(app, client)
    assert client.get(f"/pupils/{pupil.id}").status_code == 200


@pytest.mark.requirement("R6")
def test_required_role_cannot_turn_it_off(app, client, login_as):
    app.config["MFA_REQUIRED_ROLES"] = ("admin",)
    user = login_as(Role.ADMIN)
    secret = _enrol(app, client)
    client.post(
        "/account/two-factor", data={"current": PASSWORD, "code": _code_for_next_step(secret)}
    )
    with app.app_context():
        assert db.session.get(User, user.id).has_two_factor


@pytest.mark.requirement("R8")
def test_password_change_needs_current_and_ends_other_sessions(app, client, make_user, auth):
    user = make_user(Role.STAFF)
    other = app.test_client()
    other.post("/login", data={"email": user.email, "password": PASSWORD})
    auth.login(user.email)
    refused = client.post(
        "/account/",
        data={
            "current": "wrong-password!",
            "password": "fresh-meadow-cello-88",
            "confirm": "fresh-meadow-cello-88",
        },
    )
    assert "not your current password" in refused.get_data(as_text=True)
    ok = client.post(
        "/account/",
        data={
            "current": PASSWORD,
            "password": "fresh-meadow-cello-88",
            "confirm": "fresh-meadow-cello-88",
        },
    )
    assert ok.status_code == 302
    assert client.get("/").status_code == 200  # this browser stays signed in
    assert other.get("/").status_code == 302  # every other session ended
    client.post("/logout")
    assert auth.login(user.email, "fresh-meadow-cello-88").status_code == 302


@pytest.mark.requirement("R15")
def test_role_change_needs_a_fresh_sign_in(app, client, make_school, make_user, auth):
    school = make_school()
    member = make_user(Role.STAFF, school=school)
    admin = make_user(Role.ADMIN, school=school)
    start = datetime.now(UTC)
    with freeze_time(start) as frozen:
        auth.login(admin.email)
        frozen.tick(timedelta(minutes=16))
        client.get("/admin/users")  # activity keeps the session alive
        frozen.tick(timedelta(minutes=1))
        response = client.post(f"/admin/users/{member.id}/role", data={"role": "leader"})
        assert response.status_code == 302 and "/account/confirm" in response.headers["Location"]
        with app.app_context():
            assert db.session.get(User, member.id).role is Role.STAFF
        client.post("/account/confirm?next=/admin/users", data={"current": PASSWORD})
        client.post(f"/admin/users/{member.id}/role", data={"role": "leader"})
    with app.app_context():
        assert db.session.get(User, member.id).role is Role.LEADER
