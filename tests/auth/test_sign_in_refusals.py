"""Sign-in throttling (R4) and no account enumeration (R5): every refusal looks the same and
costs one argon2 verification."""

import re
import statistics
import time

import pytest

from school_tracker.auth.passwords import hash_password
from school_tracker.extensions import db
from school_tracker.models import User
from tests.conftest import PASSWORD, make_config
from tests.factories.accounts import NEW_PASSWORD, HasherSpy, pending_account

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
NO_LIMITS = {"LOGIN_LIMIT_PER_ADDRESS": "1000/minute", "LOGIN_LIMIT_PER_ACCOUNT": "1000/minute"}


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
