"""A double-clicked or resent form saves once (R85), with CSRF on as in production."""

import re
import threading
import time

import pytest
import sqlalchemy as sa

from school_tracker.extensions import db
from school_tracker.models import KindnessMoment, Role
from tests.conftest import PASSWORD


@pytest.fixture
def app_config_overrides():
    return {"WTF_CSRF_ENABLED": True}


def _sign_in(client, user):
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
    client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})


def _moment_form(client, pupil_id):
    page = client.get(f"/kindness/new?pupil_id={pupil_id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
    return {
        "csrf_token": token,
        "giver_kind": "pupil",
        "giver_pupils": str(pupil_id),
        "giver_name": "",
        "receiver_pupil": "",
        "receiver_name": "",
        "description": "Helped a friend tie their laces",
        "values": ["friendship"],
        "occurred_on": "2026-11-02",
        "priorities": ["P1"],
    }


def _moments(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(KindnessMoment.id)))


@pytest.mark.requirement("R85")
def test_the_same_form_sent_twice_saves_once(app, client, make_school, make_user, make_pupil):
    school = make_school()
    pupil = make_pupil(school)
    _sign_in(client, make_user(Role.STAFF, school=school))
    form = _moment_form(client, pupil.id)
    first = client.post("/kindness/new", data=form)
    assert first.status_code == 302, first.get_data(as_text=True)[:3000]
    second = client.post("/kindness/new", data=form, headers={"Referer": "http://localhost/"})
    assert second.status_code == 302
    assert "already saved" in client.get("/").get_data(as_text=True)
    assert _moments(app) == 1
    time.sleep(1.1)  # tokens carry a one-second timestamp; a person never reloads faster
    client.post("/kindness/new", data=_moment_form(client, pupil.id))
    assert _moments(app) == 2  # a freshly loaded form is a new submission


def test_a_refused_form_can_be_corrected_and_sent_again(
    app, client, make_school, make_user, make_pupil
):
    school = make_school()
    pupil = make_pupil(school)
    _sign_in(client, make_user(Role.STAFF, school=school))
    form = _moment_form(client, pupil.id)
    refused = client.post("/kindness/new", data={**form, "occurred_on": "2099-01-01"})
    assert refused.status_code == 200
    assert client.post("/kindness/new", data=form).status_code == 302
    assert _moments(app) == 1


@pytest.mark.requirement("R82", "R85")
def test_concurrent_double_click_saves_once(app, make_school, make_user, make_pupil):
    school = make_school()
    pupil = make_pupil(school)
    user = make_user(Role.STAFF, school=school)
    client = app.test_client()
    _sign_in(client, user)
    form = _moment_form(client, pupil.id)
    cookie = client.get_cookie("session").value
    barrier = threading.Barrier(2)
    statuses = []

    def click():
        other = app.test_client()
        other.set_cookie("session", cookie)
        barrier.wait()
        statuses.append(other.post("/kindness/new", data=form).status_code)

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [302, 302]
    assert _moments(app) == 1
