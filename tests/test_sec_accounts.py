"""SECURITY.md R1-R16: passwords, sign-in throttling, enumeration, activation codes, sessions.

Fills the clauses that tests/test_auth.py, test_two_factor.py, test_passwords.py,
test_admin.py and test_security*.py leave out. Where argon2 is watched, the patch is on the
library's PasswordHasher, never on our own code.
"""

import re
import statistics
import time
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from freezegun import freeze_time
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from config import ProductionConfig
from school_tracker.auth.passwords import PasswordPolicyError, check_password_policy, hash_password
from school_tracker.auth.services import issue_activation_code
from school_tracker.extensions import db
from school_tracker.models import ActivationCode, AuditEntry, Role, User
from tests.conftest import PASSWORD, make_config
from tests.factories.accounts import (
    NEW_PASSWORD,
    HasherSpy,
    activate,
    age_sign_in,
    password_change,
    pending_account,
)

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
NO_LIMITS = {"LOGIN_LIMIT_PER_ADDRESS": "1000/minute", "LOGIN_LIMIT_PER_ACCOUNT": "1000/minute"}


def _stored_hash(app, user_id: int) -> str:
    with app.app_context():
        return db.session.get(User, user_id).password_hash


def _argon2_params(stored: str) -> dict[str, int]:
    return {k: int(v) for k, v in (p.split("=") for p in stored.split("$")[3].split(","))}


# R1 -------------------------------------------------------------------------------------------


@pytest.mark.requirement("R1")
def test_r1_production_hash_parameters_meet_the_owasp_floor(make_app, database_url):
    config = type(
        "Production",
        (ProductionConfig,),
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "p" * 48,
            "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/15",
            "TRUSTED_HOSTS": ["localhost"],
        },
    )
    with make_app(config).app_context():
        stored = hash_password(NEW_PASSWORD)
    params = _argon2_params(stored)
    assert stored.startswith("$argon2id$")
    assert params["m"] >= 19456 and params["t"] >= 2 and params["p"] >= 1


@pytest.mark.requirement("R1")
def test_r1_raised_memory_cost_rehashes_on_the_next_sign_in(app, client, make_user, auth):
    user = make_user()
    before = _stored_hash(app, user.id)
    app.config["ARGON2_MEMORY_COST"] = 16
    assert auth.login(user.email, "not-the-password").status_code == 200
    assert _stored_hash(app, user.id) == before  # a failed sign-in never rehashes
    assert auth.login(user.email).status_code == 302
    after = _stored_hash(app, user.id)
    assert after.startswith("$argon2id$") and _argon2_params(after)["m"] == 16
    client.post("/logout")
    assert auth.login(user.email).status_code == 302  # the new hash verifies


# R2 -------------------------------------------------------------------------------------------


@pytest.mark.requirement("R2")
def test_r2_eleven_characters_refused_twelve_accepted(client, login_as):
    login_as()
    short = client.post("/account/", data=password_change(PASSWORD, "Zq7#mV2!pLx"))
    assert "Use at least 12 characters." in short.get_data(as_text=True)
    assert (
        client.post("/account/", data=password_change(PASSWORD, "Zq7#mV2!pLx9")).status_code == 302
    )


@pytest.mark.requirement("R2")
def test_r2_64_characters_with_emoji_and_spaces_round_trip_unchanged(client, make_user, auth):
    password = " 🌻 sunflower  maths ladder 🦔 hedgehog 🚲 bicycle orchard 🎻 viola "
    assert len(password) == 64
    user = make_user()
    auth.login(user.email)
    assert client.post("/account/", data=password_change(PASSWORD, password)).status_code == 302
    client.post("/logout")
    assert auth.login(user.email, password.strip()).status_code == 200  # nothing trimmed
    assert auth.login(user.email, password).status_code == 302


@pytest.mark.requirement("R2")
def test_r2_passwords_longer_than_72_characters_are_accepted(client, make_user, auth):
    # zxcvbn refuses more than 72 characters unless told otherwise; this once gave a 500.
    password = "quiet otters gather driftwood while seven lanterns hum beneath the orchard walls"
    assert 72 < len(password) <= 128
    user = make_user()
    auth.login(user.email)
    assert client.post("/account/", data=password_change(PASSWORD, password)).status_code == 302
    client.post("/logout")
    assert auth.login(user.email, password).status_code == 302


@pytest.mark.requirement("R2")
def test_r2_129_characters_refused_everywhere_without_hashing(
    app, client, make_school, make_user, auth, monkeypatch
):
    school = make_school()
    user = make_user(school=school)
    code = pending_account(app, school, "new.starter@example.org")
    auth.login(user.email)
    spy = HasherSpy(monkeypatch)
    too_long = "correct horse battery staple " * 4 + "xxxxxxxxxxxxx"
    assert len(too_long) == 129
    change = client.post("/account/", data=password_change(PASSWORD, too_long))
    assert "longer than 128" in change.get_data(as_text=True)
    confirm = client.post("/account/confirm", data={"current": too_long})
    assert "not your current password" in confirm.get_data(as_text=True)
    anonymous = app.test_client()
    assert (
        anonymous.post("/login", data={"email": user.email, "password": too_long}).status_code
        == 200
    )
    activation = activate(anonymous, "new.starter@example.org", code, too_long)
    assert "longer than 128" in activation.get_data(as_text=True)
    assert spy.calls == []


# R3 -------------------------------------------------------------------------------------------


@pytest.fixture
def ada(make_school, make_user):
    """Ada Whitfield of Greenhill Academy, whose slug gives nothing of its name away."""
    school = make_school(slug="gha", name="Greenhill Academy")
    return make_user(school=school, full_name="Ada Whitfield", email="ada.w@example.org")


@pytest.mark.requirement("R3")
@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("password1234", "This is a very common password."),
        ("qwertyuiop12", "This is similar to a commonly used password."),
        ("Greenhill2026!", "Don&#39;t build the password from your name, e-mail, school"),
        ("GreenhillAcademy2026!", "Don&#39;t build the password from your name, e-mail, school"),
        ("Whitfield123456", "Don&#39;t build the password from your name, e-mail, school"),
    ],
)
def test_r3_common_and_context_passwords_refused_with_a_reason(
    app, client, ada, auth, password, message
):
    before = _stored_hash(app, ada.id)
    auth.login(ada.email)
    response = client.post("/account/", data=password_change(PASSWORD, password))
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert _stored_hash(app, ada.id) == before
    client.post("/logout")
    assert auth.login(ada.email, password).status_code == 200


@pytest.mark.requirement("R3")
def test_r3_random_passphrase_accepted(client, ada, auth):
    auth.login(ada.email)
    assert client.post("/account/", data=password_change(PASSWORD, NEW_PASSWORD)).status_code == 302


@pytest.mark.requirement("R3")
def test_r3_admin_reset_code_applies_the_same_policy(app, ada):
    with app.app_context():
        code = issue_activation_code(db.session.get(User, ada.id), by=None)
        db.session.commit()
    anonymous = app.test_client()
    refused = activate(anonymous, ada.email, code, "Greenhill2026!")
    assert "Don&#39;t build the password" in refused.get_data(as_text=True)
    assert activate(anonymous, ada.email, code).status_code == 302


@pytest.mark.requirement("R3")
def test_r3_bundled_breached_list_entries_of_policy_length_are_all_refused(app):
    # zxcvbn ships the 30,000 commonest passwords of a leaked-password corpus: our local list.
    leaked = FREQUENCY_LISTS["passwords"]
    assert len(leaked) >= 3000
    fitting = [p for p in leaked if 12 <= len(p) <= 128]
    assert fitting
    with app.app_context():
        accepted = [p for p in fitting if _policy_accepts(p)]
    assert accepted == []


@pytest.mark.requirement("R3")
def test_r3_top_3000_common_passwords_padded_to_length_are_refused(app):
    padded = [(p + "1234567890ab")[: max(12, len(p))] for p in FREQUENCY_LISTS["passwords"][:3000]]
    with app.app_context():
        accepted = [p for p in padded if _policy_accepts(p)]
    assert accepted == []


def _policy_accepts(password: str) -> bool:
    try:
        check_password_policy(password, context_words=[])
    except PasswordPolicyError:
        return False
    return True


# R4 -------------------------------------------------------------------------------------------


@pytest.mark.requirement("R4")
def test_r4_hundred_usernames_from_one_address_get_429_others_unaffected(app, make_user):
    user = make_user()
    attacker = app.test_client()
    statuses = [
        attacker.post(
            "/login", data={"email": f"guess{n}@example.org", "password": "x" * 12}
        ).status_code
        for n in range(100)
    ]
    assert statuses[:20] == [200] * 20
    assert set(statuses[20:]) == {429}
    colleague = app.test_client().post(
        "/login",
        data={"email": user.email, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.9.8.7"},
    )
    assert colleague.status_code == 302


@pytest.mark.requirement("R4")
def test_r4_account_throttle_follows_the_account_across_addresses(app, make_user):
    target, bystander = make_user(), make_user()
    for n in range(5):
        app.test_client().post(
            "/login",
            data={"email": target.email, "password": "wrong-password-here"},
            environ_base={"REMOTE_ADDR": f"10.0.0.{n + 1}"},
        )
    fresh_address = {"REMOTE_ADDR": "10.0.1.1"}
    blocked = app.test_client().post(
        "/login", data={"email": target.email, "password": PASSWORD}, environ_base=fresh_address
    )
    assert blocked.status_code == 429
    other = app.test_client().post(
        "/login", data={"email": bystander.email, "password": PASSWORD}, environ_base=fresh_address
    )
    assert other.status_code == 302


@pytest.mark.requirement("R4")
def test_r4_successful_sign_ins_never_lock_anyone_out(client, make_user, auth):
    user = make_user()
    for _ in range(7):
        assert auth.login(user.email).status_code == 302
        client.post("/logout")


# R5 -------------------------------------------------------------------------------------------


@pytest.fixture
def csrf_app(app, make_app, database_url):
    """CSRF on (so the compared pages carry real tokens) and sign-in limits out of the way."""
    return make_app(make_config(database_url, WTF_CSRF_ENABLED=True, **NO_LIMITS))


def _csrf_post(application, path: str, data: dict):
    client = application.test_client()
    token = TOKEN.search(client.get(path).get_data(as_text=True))[1]
    return client.post(path, data={**data, "csrf_token": token})


def _comparable(response, *echoed: str) -> tuple:
    body = response.get_data(as_text=True)
    assert TOKEN.search(body), "the page should carry a CSRF token to strip"
    body = TOKEN.sub('name="csrf_token" type="hidden" value=""', body)
    for value in echoed:
        body = body.replace(value, "ECHOED")
    return response.status_code, body, sorted(response.headers.keys())


@pytest.mark.requirement("R5")
def test_r5_sign_in_refusals_are_identical_for_every_kind_of_account(
    app, csrf_app, make_school, make_user
):
    school = make_school()
    known = make_user(school=school)
    inactive = make_user(school=school, active=False)
    pending_account(app, school, "pending@example.org")
    attempts = {
        "unknown": ("nobody.here@example.org", "wrong-password-here"),
        "wrong password": (known.email, "wrong-password-here"),
        "not activated": ("pending@example.org", "wrong-password-here"),
        "deactivated": (inactive.email, PASSWORD),
    }
    pages = {
        name: _comparable(_csrf_post(csrf_app, "/login", {"email": e, "password": p}), e)
        for name, (e, p) in attempts.items()
    }
    assert pages["unknown"][0] == 200
    assert "match an active account" in pages["unknown"][1]
    assert all(page == pages["unknown"] for page in pages.values())


@pytest.mark.requirement("R5")
def test_r5_activation_refusals_are_identical_for_known_and_unknown_e_mails(
    app, csrf_app, make_school, make_user
):
    school = make_school()
    known = make_user(school=school)
    pending_account(app, school, "pending@example.org")
    wrong_code = "Zm9vYmFyYmF6cXV4cXV1eA"
    pages = [
        _comparable(
            _csrf_post(
                csrf_app,
                "/activate",
                {
                    "email": email,
                    "code": wrong_code,
                    "password": NEW_PASSWORD,
                    "confirm": NEW_PASSWORD,
                },
            ),
            email,
        )
        for email in ("nobody.here@example.org", known.email, "pending@example.org")
    ]
    assert pages[0][0] == 200 and "That code is not valid" in pages[0][1]
    assert pages[1] == pages[0] and pages[2] == pages[0]


@pytest.mark.requirement("R5")
def test_r5_throttled_unknown_and_known_accounts_look_the_same(client, make_user):
    user = make_user()
    for email in (user.email, "nobody.here@example.org"):
        for _ in range(5):
            client.post("/login", data={"email": email, "password": "wrong-password-here"})
    known = client.post("/login", data={"email": user.email, "password": "wrong-password-here"})
    unknown = client.post(
        "/login", data={"email": "nobody.here@example.org", "password": "wrong-password-here"}
    )
    assert known.status_code == unknown.status_code == 429
    reference = re.compile(r'reference <span class="font-monospace">[^<]*<')  # per request
    bodies = [reference.sub("", r.get_data(as_text=True)) for r in (known, unknown)]
    assert bodies[0] == bodies[1]


@pytest.mark.requirement("R5")
def test_r5_every_refusal_costs_exactly_one_argon2_verification(
    app, client, make_school, make_user, auth, monkeypatch
):
    school = make_school()
    known = make_user(school=school)
    pending_account(app, school, "pending@example.org")
    auth.login("warm.up@example.org", "wrong-password-here")  # the dummy hash is made once
    spy = HasherSpy(monkeypatch)
    for email in ("nobody.here@example.org", known.email, "pending@example.org"):
        spy.calls.clear()
        assert auth.login(email, "wrong-password-here").status_code == 200
        assert (spy.count("verify"), spy.count("hash")) == (1, 0), email


@pytest.mark.requirement("R5")
def test_r5_unknown_and_pending_accounts_take_as_long_as_a_wrong_password(
    make_app, database_url, make_school, make_user
):
    # Parameters near OWASP's floor make argon2, not the page, dominate each response, so a
    # path that skipped the dummy verification would be several times faster.
    slow = make_app(
        make_config(database_url, ARGON2_TIME_COST=2, ARGON2_MEMORY_COST=19456, **NO_LIMITS)
    )
    school = make_school()
    known = make_user(school=school)
    pending_account(slow, school, "pending@example.org")
    with slow.app_context():
        db.session.get(User, known.id).password_hash = hash_password(PASSWORD)
        db.session.commit()
    client = slow.test_client()
    emails = {"known": known.email, "unknown": "nobody.here@example.org"}
    emails["pending"] = "pending@example.org"
    timings: dict[str, list[float]] = {name: [] for name in emails}
    client.post("/login", data={"email": "warm.up@example.org", "password": "x" * 12})
    for _ in range(20):
        for name, email in emails.items():  # interleaved, so machine load hits all alike
            start = time.perf_counter()
            response = client.post("/login", data={"email": email, "password": "wrong-password"})
            timings[name].append(time.perf_counter() - start)
            assert response.status_code == 200
    medians = {name: statistics.median(values) for name, values in timings.items()}
    for name in ("unknown", "pending"):
        ratio = medians[name] / medians["known"]
        assert 1 / 3 < ratio < 3, medians


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


# Performance: slow hashes never hold the SQLite write lock -----------------------------------


def test_password_checks_run_outside_any_transaction(app, client, make_user, auth, monkeypatch):
    user = make_user()
    app.config["ARGON2_MEMORY_COST"] = 16  # so sign-in also rehashes
    spy = HasherSpy(monkeypatch)
    auth.login(user.email)
    client.post("/account/confirm", data={"current": "not-my-password!"})
    client.post("/account/confirm", data={"current": PASSWORD})
    client.post("/account/", data=password_change("not-my-password!", NEW_PASSWORD))
    client.post("/account/two-factor", data={"current": "not-my-password!", "code": "123456"})
    assert spy.count("verify") == 5 and spy.count("hash") == 1
    assert [name for name, open_ in spy.calls if open_] == []
