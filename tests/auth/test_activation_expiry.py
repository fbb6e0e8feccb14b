"""An activation code works for an hour and no longer (R9)."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time

from school_tracker.models import Role


@pytest.mark.requirement("R9")
def test_activation_code_expires_after_an_hour(client, login_as, make_school):
    school = make_school()
    start = datetime.now(UTC)
    with freeze_time(start) as frozen:
        login_as(Role.ADMIN, school=school)
        page = client.post(
            "/admin/users/new",
            data={"full_name": "Late Larry", "email": "larry@example.org", "role": "staff"},
        )
        code = re.search(r"font-monospace border[^>]*>([^<]+)<", page.get_data(as_text=True))[1]
        client.post("/logout")
        frozen.tick(timedelta(minutes=61))
        response = client.post(
            "/activate",
            data={
                "email": "larry@example.org",
                "code": code,
                "password": "marble-otter-lantern-9",
                "confirm": "marble-otter-lantern-9",
            },
        )
    assert response.status_code == 200 and "not valid" in response.get_data(as_text=True)
