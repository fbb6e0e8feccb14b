"""Credentials and sessions (R8-R16): re-authentication for credential changes, activation
codes, copied cookies, timeouts, fresh sign-in and sign-out. Where argon2 is watched, the
patch is on the library's PasswordHasher, never on our own code."""

import re
import time
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from freezegun import freeze_time

from school_tracker.auth.services import issue_activation_code
from school_tracker.extensions import db
from school_tracker.models import ActivationCode, AuditEntry, Role, User
from tests.conftest import PASSWORD, make_config
from tests.factories.accounts import (
    NEW_PASSWORD,
    activate,
    age_sign_in,
    password_change,
    pending_account,
)

# R8: credential changes --------------------------------------------------------------------


def _enrol_two_factor(client) -> str:
    page = client.get("/account/two-factor").get_data(as_text=True)
    secret = re.search(r'Key: <span class="font-monospace">([A-Z2-7]+)<', page)[1]
    response = client.post(
        "/account/two-factor", data={"current": PASSWORD, "code": pyotp.TOTP(secret).now()}
    )
    assert response.status_code == 302
    return secret


def _audit_actions(app, user_id: int) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                db.select(AuditEntry.action)
                .where(AuditEntry.entity_type == "user", AuditEntry.entity_id == user_id)
                .order_by(AuditEntry.id)
            )
        )


@pytest.mark.requirement("R8")
def test_r8_two_factor_removal_needs_the_current_password(app, client, login_as):
    user = login_as()
    secret = _enrol_two_factor(client)
    next_code = pyotp.TOTP(secret).at(time.time() + 30)
    refused = client.post(
        "/account/two-factor", data={"current": "not-my-password!", "code": next_code}
    )
    assert "not your current password" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, user.id).has_two_factor


@pytest.mark.requirement("R8")
def test_r8_each_credential_change_is_recorded_and_confirmed(app, client, login_as):
    user = login_as()
    secret = _enrol_two_factor(client)
    removed = client.post(
        "/account/two-factor",
        data={"current": PASSWORD, "code": pyotp.TOTP(secret).at(time.time() + 30)},
        follow_redirects=True,
    )
    assert "Two-factor sign-in is off." in removed.get_data(as_text=True)
    changed = client.post(
        "/account/", data=password_change(PASSWORD, NEW_PASSWORD), follow_redirects=True
    )
    assert "Your password has changed" in changed.get_data(as_text=True)
    actions = _audit_actions(app, user.id)
    for action in ("mfa_enrolled", "mfa_removed", "password_set"):
        assert action in actions


# R9 -------------------------------------------------------------------------------------------


@pytest.mark.requirement("R9")
def test_r9_codes_are_128_bit_stored_only_as_a_digest(app, make_school):
    school = make_school()
    code = pending_account(app, school, "pending@example.org")
    assert len(code) >= 22  # 16 random bytes, URL-safe base64
    with app.app_context():
        stored = db.session.scalars(db.select(ActivationCode.code_hash)).all()
    assert len(stored) == 1 and code not in stored[0] and len(stored[0]) == 64


@pytest.mark.requirement("R9")
def test_r9_code_works_at_59_minutes_and_not_at_61(app, make_school):
    school = make_school()
    with freeze_time(datetime.now(UTC)) as frozen:
        early = pending_account(app, school, "early@example.org")
        late = pending_account(app, school, "late@example.org")
        frozen.tick(timedelta(minutes=59))
        assert activate(app.test_client(), "early@example.org", early).status_code == 302
        frozen.tick(timedelta(minutes=2))
        refused = activate(app.test_client(), "late@example.org", late)
    assert "That code is not valid" in refused.get_data(as_text=True)


@pytest.mark.requirement("R9")
def test_r9_a_new_code_voids_the_old_one_and_each_works_once(app, make_school):
    school = make_school()
    first = pending_account(app, school, "pending@example.org")
    email = "pending@example.org"
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == email))
        second = issue_activation_code(user, by=None)
        db.session.commit()
    client = app.test_client()
    assert "That code is not valid" in activate(client, email, first).get_data(as_text=True)
    assert activate(client, email, second).status_code == 302
    client.post("/logout")
    reused = activate(client, email, second, "another-walrus-tundra-cello")
    assert "That code is not valid" in reused.get_data(as_text=True)


@pytest.mark.requirement("R9")
def test_r9_foreign_host_header_gets_400_on_sign_in_and_activation(make_app, database_url, app):
    hosted = make_app(make_config(database_url, TRUSTED_HOSTS=["tracker.example.org"]))
    client = hosted.test_client()
    evil = {"Host": "evil.example"}
    assert (
        client.post("/activate", data={"email": "a@example.org"}, headers=evil).status_code == 400
    )
    assert client.post("/login", data={"email": "a@example.org"}, headers=evil).status_code == 400
    good = {"Host": "tracker.example.org"}
    assert client.get("/activate", headers=good).status_code == 200


@pytest.mark.requirement("R9")
def test_r9_code_page_never_echoes_the_request_host(client, make_school, make_user):
    # No mail is sent: the admin hands the code on. Without TRUSTED_HOSTS (development), a
    # forged Host still never reaches the page that carries the code.
    school = make_school()
    member = make_user(school=school)
    admin = make_user(Role.ADMIN, school=school)
    evil = "http://evil.example"
    client.post("/login", data={"email": admin.email, "password": PASSWORD}, base_url=evil)
    response = client.post(f"/admin/users/{member.id}/activation-code", base_url=evil)
    page = response.get_data(as_text=True)
    assert "Activation code for" in page and "evil.example" not in page


@pytest.mark.requirement("R9")
def test_r9_activation_attempts_are_rate_limited(client):
    statuses = [
        activate(client, f"guess{n}@example.org", "Zm9vYmFyYmF6cXV4cXV1eA").status_code
        for n in range(22)
    ]
    assert statuses[:20] == [200] * 20 and statuses[20:] == [429, 429]


# R11/R12: copied cookies ----------------------------------------------------------------------


def _replay(app, cookie: str):
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief.get("/")


def _goes_to_login(response) -> bool:
    return response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.requirement("R11")
def test_r11_copied_cookie_dies_with_a_password_change(app, client, make_user, auth):
    user = make_user()
    auth.login(user.email)
    stolen = client.get_cookie("session").value
    assert _replay(app, stolen).status_code == 200
    client.post("/account/", data=password_change(PASSWORD, NEW_PASSWORD))
    assert _goes_to_login(_replay(app, stolen))


@pytest.mark.requirement("R11")
def test_r11_copied_cookie_dies_with_two_factor_removal(app, client, login_as):
    login_as()
    secret = _enrol_two_factor(client)
    stolen = client.get_cookie("session").value
    client.post(
        "/account/two-factor",
        data={"current": PASSWORD, "code": pyotp.TOTP(secret).at(time.time() + 30)},
    )
    assert _goes_to_login(_replay(app, stolen))


@pytest.mark.requirement("R12")
def test_r12_pre_login_cookie_changes_and_is_worthless(app, client, make_user, auth):
    user = make_user()
    client.get("/login")
    with client.session_transaction() as sess:
        sess["planted"] = "by-an-attacker"
    before = client.get_cookie("session").value
    auth.login(user.email)
    assert client.get_cookie("session").value != before
    assert _goes_to_login(_replay(app, before))


@pytest.mark.requirement("R12")
def test_r12_cookie_from_between_password_and_code_is_worthless(app, client, make_user, auth):
    user = make_user()
    auth.login(user.email)
    secret = _enrol_two_factor(client)
    client.post("/logout")
    auth.login(user.email)
    halfway = client.get_cookie("session").value
    code = pyotp.TOTP(secret).at(time.time() + 30)
    assert client.post("/login/two-factor", data={"code": code}).status_code == 302
    assert client.get_cookie("session").value != halfway
    assert _goes_to_login(_replay(app, halfway))


# R13 ------------------------------------------------------------------------------------------


@pytest.mark.requirement("R13")
def test_r13_idle_limit_is_30_minutes_then_back_to_sign_in(app, client, make_user, auth):
    user = make_user()
    with freeze_time(datetime.now(UTC)) as frozen:
        auth.login(user.email)
        frozen.tick(timedelta(minutes=29))
        assert client.get("/").status_code == 200
        stolen = client.get_cookie("session").value
        frozen.tick(timedelta(minutes=31))
        assert _goes_to_login(_replay(app, stolen))
        assert _goes_to_login(client.get("/"))
        assert client.get("/account/").status_code == 302  # really signed out, not one refusal


@pytest.mark.requirement("R13")
def test_r13_browser_cookie_lives_at_most_ten_hours(client, make_user):
    user = make_user()
    with freeze_time("2026-11-02 08:00:00"):
        response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    expires = re.search(r"Expires=([^;]+)", response.headers["Set-Cookie"])[1]
    lifetime = datetime.strptime(expires, "%a, %d %b %Y %H:%M:%S GMT") - datetime(2026, 11, 2, 8)
    assert timedelta(0) < lifetime <= timedelta(hours=10)


# R14 ------------------------------------------------------------------------------------------


@pytest.mark.requirement("R14")
def test_r14_no_remember_cookie_on_activation_either(app, make_school):
    school = make_school()
    code = pending_account(app, school, "pending@example.org")
    client = app.test_client()
    response = activate(client, "pending@example.org", code)
    assert response.status_code == 302
    assert not any("remember" in c.lower() for c in response.headers.getlist("Set-Cookie"))
    assert client.get_cookie("remember_token") is None


# R15 ------------------------------------------------------------------------------------------


SENSITIVE = [
    (Role.LEADER, "GET", "/reports/named.xlsx?term=autumn-2026"),
    (Role.LEADER, "GET", "/reports/pupils/{pupil}/subject-access.xlsx"),
    (Role.LEADER, "GET", "/reports/governors.xlsx?term=autumn-2026"),
    (Role.LEADER, "POST", "/reports/pupils/{pupil}/transfer"),
    (Role.LEADER, "GET", "/pupils/{pupil}/access"),
    (Role.ADMIN, "POST", "/admin/users/{member}/role"),
    (Role.ADMIN, "POST", "/admin/users/end-all-sessions"),
]


@pytest.mark.requirement("R15")
@pytest.mark.parametrize(("role", "method", "path"), SENSITIVE)
def test_r15_stale_sign_in_is_sent_to_confirm(
    app, client, login_as, make_school, make_user, make_pupil, role, method, path
):
    school = make_school()
    pupil = make_pupil(school)
    member = make_user(school=school)
    login_as(role, school=school)
    age_sign_in(client, 16)
    url = path.format(pupil=pupil.id, member=member.id)
    response = client.open(url, method=method, data={"role": "leader"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/confirm")
    with app.app_context():
        assert db.session.get(User, member.id).role is Role.STAFF


@pytest.mark.requirement("R15")
def test_r15_confirming_opens_the_page_again(client, login_as, make_school, make_pupil):
    school = make_school()
    pupil = make_pupil(school)
    login_as(Role.LEADER, school=school)
    age_sign_in(client, 16)
    assert client.get(f"/pupils/{pupil.id}/access").status_code == 302
    wrong = client.post("/account/confirm", data={"current": "not-my-password!"})
    assert "not your current password" in wrong.get_data(as_text=True)
    assert client.get(f"/pupils/{pupil.id}/access").status_code == 302
    client.post("/account/confirm", data={"current": PASSWORD})
    assert client.get(f"/pupils/{pupil.id}/access").status_code == 200


@pytest.mark.requirement("R15")
def test_r15_two_factor_changes_need_the_password_even_when_fresh(client, login_as):
    login_as()
    page = client.get("/account/two-factor").get_data(as_text=True)
    secret = re.search(r'Key: <span class="font-monospace">([A-Z2-7]+)<', page)[1]
    refused = client.post(
        "/account/two-factor", data={"current": "", "code": pyotp.TOTP(secret).now()}
    )
    assert refused.status_code == 200 and "This field is required" in refused.get_data(as_text=True)


# R16 ------------------------------------------------------------------------------------------


@pytest.mark.requirement("R16")
@pytest.mark.parametrize("path", ["/", "/pupils/", "/account/", "/reports/", "/no-such-page"])
def test_r16_sign_out_button_posts_from_every_page(client, login_as, path):
    login_as(Role.LEADER)
    body = client.get(path).get_data(as_text=True)
    assert re.search(r'<form method="post" action="/logout"', body)


@pytest.mark.requirement("R16")
def test_r16_admin_ending_sessions_kills_a_copied_cookie(app, make_school, make_user):
    school = make_school()
    member = make_user(school=school)
    victim = app.test_client()
    victim.post("/login", data={"email": member.email, "password": PASSWORD})
    stolen = victim.get_cookie("session").value
    admin = make_user(Role.ADMIN, school=school)
    admin_client = app.test_client()
    admin_client.post("/login", data={"email": admin.email, "password": PASSWORD})
    assert admin_client.post(f"/admin/users/{member.id}/end-sessions").status_code == 302
    assert _goes_to_login(_replay(app, stolen))
    assert admin_client.get("/").status_code == 200  # only that account was signed out
