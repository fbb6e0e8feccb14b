"""Requests a browser would never send: 1,001 form parts (R49), a cross-site Referer behind a
TLS proxy (R38), and non-integer or repeated ids (R36)."""

import re

import pytest

from school_tracker.models import Role
from tests.conftest import make_config


def test_too_many_form_parts_is_413(client, login_as):
    login_as(Role.STAFF)
    fields = {f"f{n}": "x" for n in range(2000)}
    response = client.post("/pupils/", data=fields, content_type="multipart/form-data")
    assert response.status_code == 413


@pytest.mark.requirement("R38")
def test_cross_site_referer_refused_behind_a_tls_proxy(make_app, database_url, make_user):
    app = make_app(make_config(database_url, WTF_CSRF_ENABLED=True, PROXY_FIX_X_PROTO=1))
    user = make_user(Role.STAFF)
    client = app.test_client()
    page = client.get("/login", headers={"X-Forwarded-Proto": "https"}).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
    data = {"email": user.email, "password": "violet-harbour-engine-42", "csrf_token": token}
    evil = client.post(
        "/login",
        data=data,
        headers={"X-Forwarded-Proto": "https", "Referer": "https://evil.example/"},
    )
    assert evil.status_code == 400
    good = client.post(
        "/login",
        data=data,
        headers={"X-Forwarded-Proto": "https", "Referer": "https://localhost/login"},
    )
    assert good.status_code == 302


@pytest.mark.requirement("R36")
def test_non_integer_and_duplicate_ids_are_not_500(client, login_as):
    login_as(Role.LEADER)
    assert client.get("/pupils/abc").status_code == 404
    assert client.get("/pupils/?page=1&page=2").status_code == 200
    assert client.get("/dashboard/?group=eal&group=cla").status_code == 400
