"""The summary and every section in Chromium: axe finds nothing serious, the summary fits two
screens at 1280 × 800, and a leader follows a tile's number to the records behind it."""

import os
from pathlib import Path

import pytest

from school_tracker.dashboard.sections import SECTIONS
from school_tracker.models import Role
from tests.conftest import PASSWORD
from tests.factories import dashboard as dashboard_fixture
from tests.support.accessibility import axe_violations
from tests.support.browser import browser_page, live_server

pytestmark = pytest.mark.browser

TERM = "term=autumn-2026"
SCREEN = {"width": 1280, "height": 800}
# Set to a folder to keep a screenshot of every page (for looking at them, not for the test).
SHOTS = os.environ.get("DASHBOARD_SCREENSHOTS")


def _sign_in(page, base, email):
    page.context.clear_cookies()
    page.goto(f"{base}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def _shot(page, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("role", [Role.LEADER, Role.GOVERNOR])
def test_summary_and_every_section_pass_axe(app, make_school, make_user, make_pupil, role):
    school = make_school("hand")
    user = make_user(role, school=school)
    staff = make_user(Role.STAFF, school=school)
    with app.app_context():
        dashboard_fixture.build(school, make_school("other"), staff, make_pupil)
    failures = {}
    with live_server(app) as base, browser_page() as page:
        page.set_viewport_size(SCREEN)
        _sign_in(page, base, user.email)
        page.goto(f"{base}/dashboard/?{TERM}")
        height = page.evaluate("() => document.documentElement.scrollHeight")
        assert height <= 2 * SCREEN["height"], height
        _shot(page, f"{role.value}-summary")
        failures["summary"] = axe_violations(page)
        for key in SECTIONS:
            page.goto(f"{base}/dashboard/{key}?{TERM}")
            page.get_by_role("heading", level=1).wait_for()
            _shot(page, f"{role.value}-{key}")
            failures[key] = axe_violations(page)
    assert {page: problems for page, problems in failures.items() if problems} == {}


def test_leader_follows_a_tile_to_the_records_behind_it(app, make_school, make_user, make_pupil):
    school = make_school("hand")
    leader = make_user(Role.LEADER, school=school)
    with app.app_context():
        dashboard_fixture.build(school, make_school("other"), leader, make_pupil)
    with live_server(app) as base, browser_page() as page:
        _sign_in(page, base, leader.email)
        page.goto(f"{base}/dashboard/?{TERM}")
        page.get_by_role(
            "link", name="2.0: School sessions lost to suspension, Autumn 2026"
        ).click()
        page.get_by_role("heading", name="The suspensions behind this figure").wait_for()
        assert page.locator("tbody tr").count() == 1
        assert axe_violations(page) == []
        _shot(page, "leader-records")
        page.goto(f"{base}/dashboard/?{TERM}")
        page.get_by_role("link", name="Staff professional learning", exact=False).first.click()
        page.get_by_role("heading", name="P3 Staff professional learning: Autumn 2026").wait_for()
