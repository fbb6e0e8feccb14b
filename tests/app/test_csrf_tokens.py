"""CSRF switched on: missing, foreign and expired tokens (R37)."""

import re
from datetime import timedelta

import pytest
from freezegun import freeze_time

from config import Config, ProductionConfig
from school_tracker.calendar.terms import school_today
from school_tracker.extensions import db
from school_tracker.models import User
from tests.conftest import PASSWORD, make_config

TODAY = school_today()

# --- R37 CSRF switched on: missing, foreign and expired tokens ------------------------------

TOKEN = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')


def _csrf_app(make_app, database_url, **overrides):
    return make_app(make_config(database_url, WTF_CSRF_ENABLED=True, **overrides))


def _signed_in(app, user):
    client = app.test_client()
    token = TOKEN.search(client.get("/login").get_data(as_text=True))[1]
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    return client


def _page_token(client, path="/admin/users") -> str:
    return TOKEN.search(client.get(path).get_data(as_text=True))[1]


def _active(app, user_id) -> bool:
    with app.app_context():
        return db.session.get(User, user_id).active


@pytest.mark.requirement("R37")
def test_r37_token_lifetime_is_within_the_session_lifetime():
    for config in (Config, ProductionConfig):
        limit = config.WTF_CSRF_TIME_LIMIT
        assert limit and limit <= config.PERMANENT_SESSION_LIFETIME.total_seconds()
        assert limit <= config.SESSION_ABSOLUTE_HOURS * 3600


@pytest.mark.requirement("R37")
def test_r37_missing_token_is_refused_and_changes_nothing(make_app, database_url, school, people):
    app = _csrf_app(make_app, database_url)
    client = _signed_in(app, people["admin"])
    response = client.post(f"/admin/users/{people['staff'].id}/deactivate")
    assert response.status_code == 400 and _active(app, people["staff"].id)


@pytest.mark.requirement("R37")
def test_r37_another_signed_in_users_token_is_refused(make_app, database_url, school, people):
    app = _csrf_app(make_app, database_url)
    admin = _signed_in(app, people["admin"])
    other = _signed_in(app, people["leader"])
    foreign = _page_token(other, "/")
    response = admin.post(
        f"/admin/users/{people['staff'].id}/deactivate", data={"csrf_token": foreign}
    )
    assert response.status_code == 400 and _active(app, people["staff"].id)


@pytest.mark.requirement("R37")
def test_r37_expired_token_gets_a_friendly_400_then_a_fresh_one_works(
    make_app, database_url, school, people
):
    app = _csrf_app(make_app, database_url, WTF_CSRF_TIME_LIMIT=600)
    url = f"/admin/users/{people['staff'].id}/deactivate"
    with freeze_time(TODAY.isoformat() + " 10:00:00") as frozen:
        client = _signed_in(app, people["admin"])
        token = _page_token(client)
        frozen.tick(timedelta(seconds=601))
        response = client.post(url, data={"csrf_token": token})
        body = response.get_data(as_text=True)
        assert response.status_code == 400 and _active(app, people["staff"].id)
        assert "Your form expired" in body and "reference" in body and "CSRF" not in body
        fresh = client.post(url, data={"csrf_token": _page_token(client)})
    assert fresh.status_code == 302 and not _active(app, people["staff"].id)
