"""In Chromium: a TA who delivers a group logs a session and its outcomes, one page each;
axe on the register, the outcomes page (also with errors) and the delivery staff page."""

import os

import pytest
import sqlalchemy as sa

from school_tracker.extensions import db
from school_tracker.models import InterventionParticipant, InterventionSession, Role
from tests.factories.interventions import make_intervention
from tests.interventions.test_interventions_browser import _sign_in
from tests.support.accessibility import axe_violations
from tests.support.browser import browser_page, live_server
from tests.support.pickers import pick

pytestmark = pytest.mark.browser


def _shot(page, name: str) -> None:
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def test_ta_logs_a_session_and_outcomes(app, make_school, make_user, make_pupil):
    school = make_school()
    lead = make_user(Role.STAFF, school=school, full_name="Lena Lead")
    ta = make_user(Role.STAFF, school=school, full_name="Tia Assistant")
    pupils = [make_pupil(school, legal_surname=f"Pupil{n}") for n in range(6)]
    group = make_intervention(app, school, lead, pupils)
    failures = {}
    with live_server(app) as base, browser_page() as page:
        _sign_in(page, base, lead.email)
        page.goto(f"{base}/interventions/{group}/delivery")
        failures["delivery"] = axe_violations(page)
        _shot(page, "delivery")
        pick(page, "Staff who deliver it", "tia", "Tia Assistant")
        page.get_by_role("button", name="Save delivery staff").click()
        page.wait_for_url(f"{base}/interventions/{group}")

        _sign_in(page, base, ta.email)
        page.goto(f"{base}/interventions/{group}")
        page.get_by_role("link", name="Record a session").click()
        failures["register"] = axe_violations(page)
        page.get_by_label("Length (minutes)").fill("40")
        page.get_by_role("group", name=pupils[2].display_name).get_by_label("Absent").check()
        _shot(page, "register")
        page.get_by_role("button", name="Save session").click()
        page.wait_for_url(f"{base}/interventions/{group}")
        _shot(page, "detail_with_sessions")
        failures["detail"] = axe_violations(page)
        # Sessions attended now come from the register: 5 present, one absent.
        pupils_table = page.get_by_role("table", name="Pupils taking part and their outcomes")
        assert pupils_table.get_by_text("1 of 1 on the register").count() == 5
        assert pupils_table.get_by_text("0 of 1 on the register").count() == 1

        page.get_by_role("link", name="Record outcomes").click()
        failures["outcomes"] = axe_violations(page)
        assert page.get_by_text("1 of 1 on the register").count() == 5
        page.get_by_label(f"Exit score for {pupils[0].display_name}").fill("999")
        page.get_by_role("button", name="Save outcomes").click()
        page.locator("#error-summary").wait_for()
        failures["outcomes (errors)"] = axe_violations(page)
        _shot(page, "outcomes_errors")
        page.get_by_label(f"Exit score for {pupils[0].display_name}").fill("120")
        page.get_by_label(f"Impact for {pupils[1].display_name}").select_option("1")
        page.get_by_role("button", name="Save outcomes").click()
        page.wait_for_url(f"{base}/interventions/{group}")
    assert {name: problems for name, problems in failures.items() if problems} == {}
    with app.app_context():
        session = db.session.scalar(sa.select(InterventionSession))
        assert (session.minutes, session.present_count, len(session.attendance)) == (40, 5, 6)
        scores = db.session.scalars(
            sa.select(InterventionParticipant.exit_score).order_by(InterventionParticipant.id)
        ).all()
        assert scores[0] == 120.0
