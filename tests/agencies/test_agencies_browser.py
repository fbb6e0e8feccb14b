"""A leader records a referral to an agency and corrects a pupil's characteristics in Chromium;
axe checks the list, the form, the record and the characteristics page (issue 16 items 5, 7)."""

import os
from datetime import timedelta
from pathlib import Path

import pytest

from school_tracker.calendar.terms import school_today
from school_tracker.models import Role
from tests.support.accessibility import axe_violations
from tests.support.browser import browser_page, live_server, sign_in
from tests.support.pickers import pick

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("SCREENSHOT_DIR")  # set it to keep a PNG of each page looked at


def _look(page, name: str) -> None:
    assert axe_violations(page) == [], name
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def test_a_leader_records_a_referral_and_corrects_a_characteristic(
    app, make_school, make_user, make_pupil
):
    school = make_school()
    leader = make_user(Role.LEADER, school=school, full_name="Lena Leader")
    make_user(Role.STAFF, school=school, full_name="Sami Staff")
    pupil = make_pupil(school, legal_surname="Adeyemi", legal_forename="Kofi")
    today = school_today()
    with live_server(app) as base, browser_page() as page:
        sign_in(page, base, leader.email)
        page.goto(f"{base}/agencies/")
        page.get_by_role("heading", level=1, name="Agency involvement").wait_for()
        _look(page, "agencies-empty-list")
        page.get_by_role("link", name="Record a referral").click()
        pick(page, "Pupil", "ade", "Kofi Adeyemi (Year 3)")
        page.get_by_label("Agency").select_option(label="CAMHS / CYPMHS")
        page.get_by_label("Referral date").fill((today - timedelta(days=10)).isoformat())
        page.get_by_label("Professional's role").fill("Clinical psychologist")
        page.get_by_label("Professional's contact").fill("Dr Rao, 01632 960000")
        page.get_by_label("Next step", exact=True).fill("Chase the first appointment")
        page.get_by_label("Next step by").fill((today - timedelta(days=1)).isoformat())
        pick(page, "Staff named on this record", "sami", "Sami Staff")
        _look(page, "agencies-form")
        page.get_by_role("button", name="Save").click()
        page.get_by_text("Agency involvement recorded.").wait_for()
        page.get_by_role("heading", level=1, name="CAMHS / CYPMHS").wait_for()
        assert "overdue" in page.content() and "Sami Staff" in page.content()
        _look(page, "agencies-detail")
        page.get_by_role("link", name="Back to agency involvement").click()
        page.get_by_role("cell", name="Adeyemi").first.wait_for()
        _look(page, "agencies-list")

        page.goto(f"{base}/pupils/{pupil.id}")
        page.get_by_text("Referral to CAMHS / CYPMHS").wait_for()
        page.get_by_role("link", name="Correct these characteristics").click()
        page.get_by_label("Young carer").check()
        page.get_by_label("Reason for the change").fill("Confirmed by the young carers service")
        page.get_by_role("button", name="Save characteristics").click()
        page.get_by_text("Characteristics saved.").wait_for()
        page.get_by_text("Set by hand so far: Young carer").wait_for()
        _look(page, "pupil-characteristics")
