"""CSRF protection switched on, as in production."""

import re

import pytest

from school_tracker.extensions import db
from school_tracker.models import User
from tests.conftest import PASSWORD


@pytest.fixture
def app_config_overrides():
    return {"WTF_CSRF_ENABLED": True}


def _token(client, path="/login") -> str:
    return re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"', client.get(path).get_data(as_text=True)
    )[1]


def test_login_without_token_is_refused(client, make_user):
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "form expired" in response.get_data(as_text=True)


@pytest.mark.requirement("R37")
def test_login_with_token_and_logout_needs_one(app, client, make_user):
    user = make_user()
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": _token(client)}
    )
    assert response.status_code == 302
    assert client.post("/logout").status_code == 400  # no token: still signed in
    assert client.get("/").status_code == 200
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").get_data(as_text=True))[
        1
    ]
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302


def test_token_from_another_session_is_refused(app, client, make_user):
    user = make_user()
    other = app.test_client()
    foreign_token = _token(other)
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": foreign_token}
    )
    assert response.status_code == 400


@pytest.mark.requirement("R37")
def test_admin_change_without_token_changes_nothing(app, client, make_school, make_user):
    school = make_school()
    admin, member = (
        make_user(role=__import__("school_tracker").models.Role.ADMIN, school=school),
        make_user(school=school),
    )
    client.post(
        "/login", data={"email": admin.email, "password": PASSWORD, "csrf_token": _token(client)}
    )
    assert client.post(f"/admin/users/{member.id}/deactivate").status_code == 400
    with app.app_context():
        assert db.session.get(User, member.id).active
