"""People are told when how they sign in changes (R8): today's home-page notices are alerts.

Each change goes through its real page; the alert reaches only the person whose account it is,
whoever made the change, and stays until they mark it read.
"""

import re

import pyotp
import pytest

from school_tracker.models import AlertKind, Role
from tests.conftest import PASSWORD
from tests.factories.accounts import NEW_PASSWORD, password_change
from tests.factories.alerts import alerts_of, recipients


def _enrol(client) -> None:
    page = client.get("/account/two-factor").get_data(as_text=True)
    secret = re.search(r'Key: <span class="font-monospace">([A-Z2-7]+)<', page)[1]
    code = pyotp.TOTP(secret).now()
    assert (
        client.post("/account/two-factor", data={"current": PASSWORD, "code": code}).status_code
        == 302
    )


@pytest.mark.requirement("R8")
def test_r8_a_password_change_is_an_alert_at_the_next_sign_in(app, client, make_user, auth):
    user = make_user(Role.STAFF)
    auth.login(user.email)
    assert "unread alert" not in client.get("/").get_data(as_text=True)
    assert client.post("/account/", data=password_change(PASSWORD, NEW_PASSWORD)).status_code == 302
    client.post("/logout")
    auth.login(user.email, NEW_PASSWORD)
    home = client.get("/").get_data(as_text=True)
    assert "1 unread alert" in home and 'data-testid="alert-badge">1<' in home
    page = client.get("/alerts/").get_data(as_text=True)
    assert "Your password was set or changed" in page
    assert "tell your school's admin straight away" in page
    assert recipients(app, AlertKind.PASSWORD_CHANGED) == [user.id]


@pytest.mark.requirement("R8")
def test_r8_an_admins_role_change_is_alerted_and_only_to_that_person(
    app, client, make_school, make_user, auth
):
    school = make_school()
    member, colleague = make_user(Role.STAFF, school=school), make_user(Role.STAFF, school=school)
    admin = make_user(Role.ADMIN, school=school, full_name="Ada Admin")
    auth.login(admin.email)
    client.post(f"/admin/users/{member.id}/role", data={"role": "leader"})
    client.post(f"/admin/users/{colleague.id}/end-sessions")
    client.post("/logout")
    assert alerts_of(app) == [
        (member.id, AlertKind.ROLE_CHANGED, None, None),
        (colleague.id, AlertKind.SIGNED_OUT_EVERYWHERE, None, None),
    ]
    auth.login(member.email)
    page = client.get("/alerts/").get_data(as_text=True)
    assert "Your role was changed by an admin" in page and "From Ada Admin" in page
    assert "signed you out everywhere" not in page


@pytest.mark.requirement("R8")
def test_r8_turning_two_factor_on_and_off_is_alerted(app, client, make_user, auth):
    user = make_user(Role.STAFF)
    auth.login(user.email)
    _enrol(client)
    assert recipients(app, AlertKind.TWO_FACTOR_ON) == [user.id]
    assert "Two-factor sign-in was turned on" in client.get("/alerts/").get_data(as_text=True)
