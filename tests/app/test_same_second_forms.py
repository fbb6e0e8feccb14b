"""Forms and buttons loaded in the same second each save once (R85)."""

import re
from datetime import UTC, datetime

import pytest
from freezegun import freeze_time

from school_tracker.models import KindnessMoment, ParentConversation, Role
from tests.conftest import PASSWORD, make_config
from tests.factories.interventions import make_conversation
from tests.factories.rows import count_rows

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
NONCE = re.compile(r'name="form_nonce" type="hidden" value="([^"]+)"')


# --- R85: double submits ----------------------------------------------------------------------


@pytest.fixture
def csrf_client(make_app, database_url):
    """A client of an app with CSRF on, as in production."""
    return make_app(make_config(database_url, WTF_CSRF_ENABLED=True)).test_client()


def _sign_in(client, user) -> None:
    token = TOKEN.search(client.get("/login").get_data(as_text=True))[1]
    data = {"email": user.email, "password": PASSWORD, "csrf_token": token}
    assert client.post("/login", data=data).status_code == 302


def _hidden(page: str) -> dict[str, str]:
    return {"csrf_token": TOKEN.search(page)[1], "form_nonce": NONCE.search(page)[1]}


@pytest.mark.requirement("R85")
def test_r85_two_forms_loaded_in_the_same_second_both_save_and_each_saves_once(
    app, csrf_client, make_school, make_user, make_pupil
):
    school = make_school()
    pupil = make_pupil(school)
    _sign_in(csrf_client, make_user(Role.STAFF, school=school))
    with freeze_time(datetime.now(UTC)):  # one instant: Flask-WTF gives both the same token
        first, second = (
            _hidden(csrf_client.get(f"/kindness/new?pupil_id={pupil.id}").get_data(as_text=True))
            for _ in range(2)
        )
    assert first["csrf_token"] == second["csrf_token"]
    moment = {
        "giver_kind": "pupil",
        "giver_pupils": str(pupil.id),
        "giver_name": "",
        "receiver_pupil": "",
        "receiver_name": "",
        "description": "Shared their snack",
        "values": ["friendship"],
        "occurred_on": "2026-11-02",
        "priorities": ["P1"],
    }
    for form in (first, second, first, second):  # the last two are resends
        assert csrf_client.post("/kindness/new", data={**moment, **form}).status_code == 302
    assert count_rows(app, KindnessMoment) == 2


@pytest.mark.requirement("R85")
def test_r85_buttons_for_two_records_work_from_pages_loaded_in_the_same_second(
    app, csrf_client, make_school, make_user, make_pupil
):
    """A button form without the nonce (a token alone) is still told apart by its path."""
    school = make_school()
    staff = make_user(Role.STAFF, school=school)
    idents = [make_conversation(app, school, staff, make_pupil(school)) for _ in range(2)]
    _sign_in(csrf_client, staff)
    with freeze_time(datetime.now(UTC)):
        tokens = [
            TOKEN.search(csrf_client.get(f"/families/{i}").get_data(as_text=True))[1]
            for i in idents
        ]
    assert tokens[0] == tokens[1]
    for ident, token in zip(idents, tokens, strict=True):
        done = csrf_client.post(f"/families/{ident}/follow-up-done", data={"csrf_token": token})
        assert done.status_code == 302
    assert (
        count_rows(app, ParentConversation, ParentConversation.follow_up_done_on.is_not(None)) == 2
    )
