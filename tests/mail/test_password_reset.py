"""Password reset and activation by e-mail: same answer for any address, single-use hashed
tokens valid for an hour, throttled, every other session ended and a security alert raised.

The link is read from the e-mail the real SMTP server received, as a person would follow it.
"""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from school_tracker.extensions import db
from school_tracker.mail.sender import send_due_messages
from school_tracker.models import ActivationCode, Alert, AlertKind, Role
from school_tracker.orm import utcnow
from tests.conftest import PASSWORD, make_config
from tests.factories.accounts import signed_in
from tests.mail.conftest import SITE_URL

NEW_PASSWORD = "copper-lantern-meadow-91"
LINK = re.compile(re.escape(SITE_URL) + r"/password-reset/([A-Za-z0-9_-]+)")


def _ask(client, email: str):
    return client.post("/password-reset", data={"email": email})


def _link_sent(app, smtp, email: str) -> str:
    with app.app_context():
        send_due_messages()
    bodies = [m.body for m in smtp.received if m.to == [email]]
    assert len(bodies) == 1
    match = LINK.search(bodies[0])
    assert match is not None, bodies[0]
    return match.group(1)


def _set(client, token: str, password: str = NEW_PASSWORD):
    return client.post(f"/password-reset/{token}", data={"password": password, "confirm": password})


@pytest.mark.requirement("R9")
@pytest.mark.requirement("R8")
def test_a_reset_link_sets_the_password_once_ends_other_sessions_and_alerts(
    app, school, make_user, smtp
):
    amy = make_user(Role.STAFF, school=school, full_name="Amy Teacher")
    other_session = signed_in(app, amy)
    assert other_session.get("/").status_code == 200
    client = app.test_client()
    page = _ask(client, amy.email).get_data(as_text=True)
    assert "If that address has an account" in page
    token = _link_sent(app, smtp, amy.email)
    with app.app_context():  # only the token's hash is stored
        hashes = list(db.session.scalars(sa.select(ActivationCode.code_hash)))
    assert token not in hashes and len(hashes) == 1

    assert client.get(f"/password-reset/{token}").status_code == 200
    response = _set(client, token)
    assert response.status_code == 302 and response.location.endswith("/login")
    # The other browser is signed out; the new password signs in; the old one does not.
    assert other_session.get("/").status_code == 302
    assert client.post("/login", data={"email": amy.email, "password": PASSWORD}).status_code != 302
    login = app.test_client().post("/login", data={"email": amy.email, "password": NEW_PASSWORD})
    assert login.status_code == 302
    with app.app_context():
        kinds = list(db.session.scalars(sa.select(Alert.kind).where(Alert.recipient_id == amy.id)))
    assert kinds == [AlertKind.PASSWORD_CHANGED]
    # The security alert is e-mailed too.
    with app.app_context():
        assert send_due_messages().sent == 1

    # Used once: a second use is refused and changes nothing.
    again = _set(app.test_client(), token, "another-quiet-orchard-55")
    assert again.status_code == 404 and "not valid" in again.get_data(as_text=True)


@pytest.mark.requirement("R5")
def test_known_and_unknown_addresses_get_the_same_answer_and_only_one_gets_mail(
    app, school, make_user, smtp
):
    amy = make_user(Role.STAFF, school=school)
    known = _ask(app.test_client(), amy.email)
    unknown = _ask(app.test_client(), "nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    assert known.get_data() == unknown.get_data()
    with app.app_context():
        assert send_due_messages().sent == 1
    assert [m.to for m in smtp.received] == [[amy.email]]


@pytest.mark.requirement("R9")
def test_a_link_expires_after_an_hour(app, school, make_user, smtp):
    amy = make_user(Role.STAFF, school=school)
    _ask(app.test_client(), amy.email)
    token = _link_sent(app, smtp, amy.email)
    asked_at = utcnow()
    with freeze_time(asked_at + timedelta(minutes=59), ignore=["asyncio"]):
        assert app.test_client().get(f"/password-reset/{token}").status_code == 200
    with freeze_time(asked_at + timedelta(minutes=61), ignore=["asyncio"]):
        assert app.test_client().get(f"/password-reset/{token}").status_code == 404
        assert _set(app.test_client(), token).status_code == 404
    with app.app_context():
        assert not db.session.scalars(sa.select(Alert)).all()  # no password was set


@pytest.mark.requirement("R9")
def test_a_new_link_replaces_the_earlier_one(app, school, make_user, smtp):
    amy = make_user(Role.STAFF, school=school)
    _ask(app.test_client(), amy.email)
    first = _link_sent(app, smtp, amy.email)
    smtp.received.clear()
    _ask(app.test_client(), amy.email)
    second = _link_sent(app, smtp, amy.email)
    assert app.test_client().get(f"/password-reset/{first}").status_code == 404
    assert app.test_client().get(f"/password-reset/{second}").status_code == 200


def test_a_weak_password_is_refused_beside_the_field_and_the_link_still_works(
    app, school, make_user, smtp
):
    amy = make_user(Role.STAFF, school=school)
    _ask(app.test_client(), amy.email)
    token = _link_sent(app, smtp, amy.email)
    weak = _set(app.test_client(), token, "password1234")
    assert weak.status_code == 200 and "is-invalid" in weak.get_data(as_text=True)
    assert _set(app.test_client(), token).status_code == 302


@pytest.mark.requirement("R9")
def test_asking_is_throttled_per_address_asked_about(app, school, make_user, smtp):
    amy = make_user(Role.STAFF, school=school)
    client = app.test_client()
    statuses = [_ask(client, amy.email).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_with_email_off_the_page_points_to_the_admins_activation_code(
    database_url, make_app, school, make_user
):
    app = make_app(make_config(database_url, MAIL_SERVER=None))
    amy = make_user(Role.STAFF, school=school)
    page = _ask(app.test_client(), amy.email).get_data(as_text=True)
    assert "sends no e-mail" in page and "/activate" in page
    with app.app_context():
        assert not db.session.scalars(sa.select(ActivationCode)).all()
