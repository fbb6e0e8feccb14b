"""Passwords (R1-R3): argon2id parameters, length rules and the blocklist, and no hashing
inside a transaction. Where argon2 is watched, the patch is on the library's
PasswordHasher, never on our own code."""

import pytest
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from config import ProductionConfig
from school_tracker.auth.passwords import PasswordPolicyError, check_password_policy, hash_password
from school_tracker.auth.services import issue_activation_code
from school_tracker.extensions import db
from school_tracker.models import User
from tests.conftest import PASSWORD
from tests.factories.accounts import (
    NEW_PASSWORD,
    HasherSpy,
    activate,
    password_change,
    pending_account,
)


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
