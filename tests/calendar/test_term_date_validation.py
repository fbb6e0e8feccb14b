"""Term dates are held to their own term (R30)."""

import pytest

import school_tracker
from school_tracker.models import Role
from tests.factories.rows import count_rows


@pytest.mark.requirement("R30")
def test_r30_term_dates_are_held_to_their_own_term(app, client, login_as, school):
    login_as(Role.ADMIN, school=school)
    for starts_on, message in (
        ("0026-09-01", "too far from the Autumn 2026 term"),
        ("2026-12-19", "can&#39;t end before it starts"),
        ("2026-02-31", "Not a valid date"),
        ("01/09/2026", "Not a valid date"),
    ):
        data = {"starts_on": starts_on, "ends_on": "2026-12-18"}
        body = client.post("/admin/terms/autumn-2026", data=data).get_data(as_text=True)
        assert message in body, starts_on
    assert count_rows(app, school_tracker.models.TermDate) == 0
