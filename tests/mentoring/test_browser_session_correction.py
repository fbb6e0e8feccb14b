"""The mentor corrects a session they logged, by keyboard-reachable links; axe on the form."""

import os
from datetime import timedelta

import pytest

from school_tracker.models import Role
from tests.conftest import PASSWORD
from tests.factories.mentoring import TODAY, log, make_pairing
from tests.support.accessibility import AXE, axe_violations
from tests.support.browser import browser_page, live_server

pytestmark = pytest.mark.browser


def _shot(page, name: str) -> None:
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def test_mentor_corrects_a_session(app, make_school, make_user, make_pupil):
    school = make_school()
    teacher = make_user(Role.STAFF, school=school, full_name="Tara Teacher")
    mentee = make_pupil(school, legal_surname="Adeyemi", legal_forename="Tobi")
    pairing_id = make_pairing(app, mentee, teacher, starts_on=TODAY - timedelta(days=14))
    log(app, pairing_id, teacher, TODAY - timedelta(days=1))
    with live_server(app) as base, browser_page() as page:
        page.goto(f"{base}/login")
        page.get_by_label("E-mail").fill(teacher.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{base}/")
        page.goto(f"{base}/mentoring/{pairing_id}")
        page.get_by_role("link", name="Correct this session").click()
        page.get_by_role("heading", level=1, name="Correct a mentoring session").wait_for()
        problems = axe_violations(page) if AXE.exists() else []
        _shot(page, "mentoring-session-correction")
        page.get_by_label("Length in minutes").fill("45")
        page.get_by_label("What we did").fill("Played draughts, not chess.")
        page.get_by_label("Reason for this change (optional)").fill("Wrong game")
        page.get_by_role("button", name="Save correction").click()
        page.wait_for_url(f"{base}/mentoring/{pairing_id}")
        page.get_by_text("Session corrected.").wait_for()
        history = page.get_by_role("region", name="Changes to this record")
        history.get_by_text("Wrong game").wait_for()
        history.get_by_text("What we did").wait_for()
        _shot(page, "mentoring-session-corrected")
    assert problems == []
