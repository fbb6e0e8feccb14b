"""Pupil search is rate-limited with a friendly 429 (R77)."""

import pytest

from school_tracker.models import Role
from tests.conftest import PASSWORD

# --- R77: search and roll upload are rate-limited per person ----------------------------------


def _friendly_429(response) -> bool:
    body = response.get_data(as_text=True)
    return response.status_code == 429 and "Too many attempts" in body and "reference" in body


class TestSearchLimit:
    @pytest.fixture
    def app_config_overrides(self):
        return {"SEARCH_LIMIT": "3 per minute"}

    @pytest.mark.requirement("R77")
    def test_r77_the_fourth_search_in_a_minute_gets_the_friendly_429(
        self, app, client, make_school, make_user, auth
    ):
        school = make_school()
        staff, colleague = (make_user(Role.STAFF, school=school) for _ in range(2))
        auth.login(staff.email)
        statuses = [client.post("/pupils/", data={"query": f"name{n}"}) for n in range(4)]
        assert [r.status_code for r in statuses[:3]] == [302, 302, 302]
        assert _friendly_429(statuses[3])
        assert client.get("/pupils/").status_code == 200  # reading the list is not limited
        other = app.test_client()
        other.post("/login", data={"email": colleague.email, "password": PASSWORD})
        assert other.post("/pupils/", data={"query": "name"}).status_code == 302  # per person
