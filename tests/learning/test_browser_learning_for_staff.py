"""A leader records an INSET day for everyone at the school on one page; axe on the form."""

import os

import pytest

from school_tracker.models import Role
from tests.conftest import PASSWORD
from tests.support.accessibility import AXE, axe_violations
from tests.support.browser import browser_page, live_server

pytestmark = pytest.mark.browser


def test_leader_records_an_inset_day_for_everyone(app, make_school, make_user):
    school = make_school()
    leader = make_user(Role.LEADER, school=school, full_name="Lee Leader")
    for name in ("Sam Staff", "Tess Teacher", "Ana Assistant"):
        make_user(Role.STAFF, school=school, full_name=name)
    with live_server(app) as base, browser_page() as page:
        page.goto(f"{base}/login")
        page.get_by_label("E-mail").fill(leader.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{base}/")
        page.goto(f"{base}/learning/")
        page.get_by_role("link", name="Record for several staff (INSET)").click()
        page.get_by_role("heading", level=1, name="Record learning for several staff").wait_for()
        problems = axe_violations(page) if AXE.exists() else []
        if os.environ.get("SCREENSHOT_DIR"):
            page.screenshot(
                path=os.path.join(os.environ["SCREENSHOT_DIR"], "learning-for-staff.png"),
                full_page=True,
            )
        page.get_by_label("Everyone at this school").check()
        page.get_by_label("Activity").fill("INSET: emotion coaching")
        page.get_by_label("Hours").fill("6")
        page.get_by_role("button", name="Save for everyone chosen").click()
        page.wait_for_url(f"{base}/learning/")
        page.get_by_text("Professional learning recorded for 4 staff.").wait_for()
    assert problems == []
