"""In Chromium: a pupil's sessions attended, in their two parts, on the intervention and on the
pupil's outcome form (which no longer takes a typed count); axe on both pages."""

import os

import pytest

from tests.factories.attendance import attendance_world
from tests.interventions.test_interventions_browser import _sign_in
from tests.support.accessibility import axe_violations
from tests.support.browser import browser_page, live_server

pytestmark = pytest.mark.browser
BOTH_PARTS = "2 of 2 on the register + 4 recorded as a count before the register"


def _shot(page, name: str) -> None:
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def test_attendance_shows_its_parts_and_is_never_typed(app, make_school, make_user, make_pupil):
    group = attendance_world(app, make_school, make_user, make_pupil)
    failures = {}
    with live_server(app) as base, browser_page() as page:
        _sign_in(page, base, group["lead"].email)
        page.goto(f"{base}/interventions/{group['id']}")
        failures["detail"] = axe_violations(page)
        _shot(page, "attendance_detail")
        ann = page.get_by_role("row").filter(has_text="Ann Pupil")
        assert "6 of 20" in ann.inner_text() and BOTH_PARTS in ann.inner_text()
        page.get_by_role("link", name="Outcome for Ann Pupil").click()
        failures["outcome"] = axe_violations(page)
        _shot(page, "attendance_outcome")
        assert page.get_by_label("Sessions attended").count() == 0
        page.locator("#sessions-attended").get_by_text(BOTH_PARTS, exact=False).wait_for()
        page.get_by_label("Exit score").fill("150")
        page.get_by_label("Impact").select_option(label="+1 better")
        page.get_by_role("button", name="Save outcome").click()
        page.get_by_text("Outcome saved.").wait_for()
    assert {name: problems for name, problems in failures.items() if problems} == {}
