"""Each rendered form carries a nonce, so two forms loaded in the same second both save and a
resend saves once (R85)."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time

from school_tracker.models import MentoringSession, RiskAction, Role
from tests.conftest import PASSWORD, make_config
from tests.factories.mentoring import TODAY, make_pairing
from tests.factories.risk import make_flag, seed_reference
from tests.factories.rows import count_rows

TOKEN = re.compile(r'name="([a-z]+-)?csrf_token" type="hidden" value="([^"]+)"')
NONCE = re.compile(r'name="form_nonce" type="hidden" value="([^"]+)"')
TERM = "autumn-2026"


# --- R85: every form that saves carries the per-render nonce -----------------------------------


@pytest.fixture
def csrf_app(make_app, database_url, app):
    return make_app(make_config(database_url, WTF_CSRF_ENABLED=True))


def _signed_in(app, user):
    client = app.test_client()
    token = TOKEN.search(client.get("/login").get_data(as_text=True))[2]
    data = {"email": user.email, "password": PASSWORD, "csrf_token": token}
    assert client.post("/login", data=data).status_code == 302
    return client


def _form_block(page: str, action: str | None) -> str:
    """The inside of the form posting to `action` (None: the page's form without one)."""
    target = f'action="{re.escape(action)}"' if action else "novalidate"
    match = re.search(rf'<form method="post"[^>]*{target}[^>]*>(.*?)</form>', page, re.S)
    assert match, action
    return match[1]


def _hidden(page: str, action: str | None) -> dict[str, str]:
    block = _form_block(page, action)
    prefix, token = TOKEN.search(block).groups()
    nonce = NONCE.search(block)
    return {f"{prefix or ''}csrf_token": token, "form_nonce": nonce[1] if nonce else ""}


def test_r85_two_session_forms_loaded_in_the_same_second_both_save_and_a_resend_saves_once(
    app, csrf_app, make_school, make_user, make_pupil
):
    school = make_school()
    mentor = make_user(Role.STAFF, school=school)
    pairing_id = make_pairing(app, make_pupil(school), mentor, starts_on=TODAY - timedelta(30))
    client = _signed_in(csrf_app, mentor)
    url = f"/mentoring/{pairing_id}/sessions/new"
    with freeze_time(datetime.now(UTC)):  # one instant: Flask-WTF gives both the same token
        first, second = (_hidden(client.get(url).get_data(as_text=True), None) for _ in range(2))
    assert first["csrf_token"] == second["csrf_token"]
    session = {
        "held_on": (TODAY - timedelta(days=1)).isoformat(),
        "minutes": "40",
        "activities": "Built a den in the garden.",
    }
    for form in (first, second, first):  # the last is a resend of the first
        assert client.post(url, data={**session, **form}).status_code == 302
    assert count_rows(app, MentoringSession) == 2


@pytest.mark.requirement("R85")
def test_r85_a_resent_risk_action_saves_once(app, csrf_app, make_school, make_user, make_pupil):
    """The action form is prefixed ("action-csrf_token"); its token must still be claimed."""
    seed_reference(app)
    school = make_school()
    leader = make_user(Role.LEADER, school=school)
    flag_id = make_flag(app, make_pupil(school), leader)
    client = _signed_in(csrf_app, leader)
    url = f"/risk/{flag_id}/actions"
    hidden = _hidden(client.get(f"/risk/{flag_id}").get_data(as_text=True), url)
    action = {
        "action-description": "Daily check-in",
        "action-owner": str(leader.id),
        "action-due_on": (TODAY + timedelta(days=7)).isoformat(),
        **hidden,
    }
    for _ in range(2):
        assert client.post(url, data=action).status_code == 302
    assert count_rows(app, RiskAction) == 1


@pytest.mark.requirement("R85")
def test_r85_every_saving_form_renders_a_nonce(app, csrf_app, make_school, make_user, make_pupil):
    seed_reference(app)
    school = make_school()
    admin, leader = make_user(Role.ADMIN, school=school), make_user(Role.LEADER, school=school)
    pupil = make_pupil(school)
    flag_id = make_flag(app, pupil, leader)
    pages = {
        admin: [
            ("/admin/users/new", None),
            ("/admin/users", f"/admin/users/{leader.id}/role"),
            (f"/admin/terms/{TERM}", None),
            ("/interventions/catalogue/new", None),
        ],
        leader: [
            (f"/reports/pupils/{pupil.id}/transfer", f"/reports/pupils/{pupil.id}/transfer"),
            (f"/risk/{flag_id}", f"/risk/{flag_id}/actions"),
        ],
    }
    for user, forms in pages.items():
        client = _signed_in(csrf_app, user)
        for page, action in forms:
            block = _form_block(client.get(page).get_data(as_text=True), action)
            assert NONCE.search(block), (page, action)
