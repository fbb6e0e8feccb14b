"""An admin keeps the school's lists in Chromium: adds a measure, is refused a duplicate beside
the field, retires an agency and reinstates it; axe checks every page (issue 16 item 6)."""

import os
from datetime import timedelta
from pathlib import Path

import pytest

from school_tracker.calendar.terms import school_today
from school_tracker.models import Role
from tests.conftest import PASSWORD
from tests.support.accessibility import axe_violations
from tests.support.browser import browser_page, live_server

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("SCREENSHOT_DIR")  # set it to keep a PNG of each page looked at


def _look(page, name: str) -> None:
    assert axe_violations(page) == [], name
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def test_an_admin_adds_refuses_retires_and_reinstates(app, make_school, make_user):
    school = make_school()
    admin = make_user(Role.ADMIN, school=school, full_name="Ada Admin")
    with live_server(app) as base, browser_page() as page:
        page.goto(f"{base}/login")
        page.get_by_label("E-mail").fill(admin.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("link", name="Keep the school's lists").click()
        page.get_by_role("heading", level=1, name="Reference data").wait_for()
        _look(page, "reference-data")

        page.get_by_role("link", name="Intervention measures").click()
        page.get_by_role("heading", level=1, name="Intervention measures").wait_for()
        page.get_by_role("link", name="Add a measure").click()
        page.get_by_label("Name").fill("Strengths scale")
        page.get_by_role("button", name="Save").click()
        page.get_by_text("Strengths scale added.").wait_for()
        page.get_by_role("link", name="Add a measure").click()
        page.get_by_label("Name").fill("strengths SCALE")
        page.get_by_role("button", name="Save").click()
        page.get_by_text("The list already has a measure with this name").first.wait_for()
        assert page.get_by_label("Name").get_attribute("aria-invalid") == "true"
        _look(page, "reference-value-refused")

        page.goto(f"{base}/admin/reference-data/agencies")
        page.get_by_role("button", name="Retire Early Help").click()
        page.get_by_text("Early Help is no longer offered.").wait_for()
        row = page.get_by_role("row").filter(has_text="Early Help")
        assert "Retired" in row.inner_text() and "0 records" in row.inner_text()
        _look(page, "reference-list-agencies")
        page.get_by_role("button", name="Reinstate Early Help").click()
        page.get_by_text("Early Help is offered again.").wait_for()
        page.get_by_role("link", name="Rename or change dates of Early Help").click()
        page.get_by_label("Name").fill("Early Help hub")
        page.get_by_label("Last day offered").fill(
            (school_today() + timedelta(days=200)).isoformat()
        )
        _look(page, "reference-value-form")
        page.get_by_role("button", name="Save").click()
        page.get_by_text("Early Help hub saved.").wait_for()
