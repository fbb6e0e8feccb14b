"""In Chromium: a teacher plans a group intervention and records an outcome; axe on every page."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from school_tracker.calendar.terms import school_today
from school_tracker.extensions import db
from school_tracker.models import Intervention, InterventionParticipant, Role
from tests.conftest import PASSWORD
from tests.factories.interventions import make_conversation, make_intervention, seed_catalogue
from tests.support.accessibility import axe_violations
from tests.support.browser import browser_page, live_server, open_menu
from tests.support.pickers import pick

pytestmark = pytest.mark.browser
TODAY = school_today()


def _sign_in(page, base: str, email: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def test_teacher_plans_a_group_and_records_an_outcome(app, make_school, make_user, make_pupil):
    school = make_school()
    teacher = make_user(Role.STAFF, school=school, full_name="Tess Teacher")
    make_pupil(school, legal_surname="Adeyemi", legal_forename="Bola")
    make_pupil(school, legal_surname="Brown", legal_forename="Cara")
    seed_catalogue(app, school)
    start = TODAY - timedelta(days=7)
    with live_server(app) as base, browser_page() as page:
        _sign_in(page, base, teacher.email)
        open_menu(page, "Records")
        page.get_by_role("link", name="Interventions").click()
        page.get_by_role("link", name="Plan an intervention").click()
        page.get_by_label("Type").select_option(label="Nurture group")
        page.get_by_label("Group", exact=True).check()
        pick(page, "Pupils taking part", "ade", "Bola Adeyemi (Year 3)")
        pick(page, "Pupils taking part", "bro", "Cara Brown (Year 3)")
        page.get_by_label("Measure used").select_option(
            label="Boxall Profile (developmental strands)"
        )
        page.get_by_label("Lowest possible score").fill("0")
        page.get_by_label("Highest possible score").fill("136")
        page.get_by_label("Planned sessions").fill("20")
        page.get_by_label("Cost (£)").fill("1200.00")
        page.get_by_label("Funding stream").select_option(label="Pupil premium")
        page.get_by_label("Start date").fill(start.isoformat())
        page.get_by_label("Review date").fill((start + timedelta(days=42)).isoformat())
        page.get_by_label("Pupil voice").fill("I like the breakfast bit.")
        page.get_by_role("button", name="Save intervention").click()
        page.get_by_text("Intervention planned.").wait_for()
        page.get_by_role("heading", level=1, name="Nurture group").wait_for()
        assert page.title().startswith("Intervention ")
        page.get_by_label("New status").select_option(label="Active")
        page.get_by_role("button", name="Change status").click()
        page.get_by_text("Intervention marked active.").wait_for()
        page.get_by_role("link", name="Outcome for Bola Adeyemi").click()
        page.get_by_label("Exit score").fill("150")
        page.get_by_role("button", name="Save outcome").click()
        page.get_by_text("at most 136").first.wait_for()
        page.get_by_label("Exit score").fill("96")
        page.get_by_text("Sessions attended: none recorded yet").wait_for()
        page.get_by_label("Impact").select_option(label="+1 better")
        page.get_by_role("button", name="Save outcome").click()
        page.get_by_text("Outcome saved.").wait_for()
    with app.app_context():
        record = db.session.scalar(sa.select(Intervention))
        assert record.status.value == "active" and record.cost_pence == 120_000
        part = db.session.scalar(
            sa.select(InterventionParticipant).where(InterventionParticipant.impact.is_not(None))
        )
        assert (part.exit_score, part.impact) == (96.0, 1)


def test_intervention_cpd_and_family_pages_pass_axe(app, make_school, make_user, make_pupil):
    school = make_school()
    leader = make_user(Role.LEADER, school=school)
    admin = make_user(Role.ADMIN, school=school)
    pupils = [make_pupil(school) for _ in range(3)]
    group = make_intervention(app, school, leader, pupils)
    with app.app_context():
        part = db.session.get(Intervention, group).participants[0].id
    talk = make_conversation(app, school, leader, pupils[0])
    pages = {
        leader.email: [
            "/",
            "/interventions/",
            "/interventions/new",
            f"/interventions/{group}",
            f"/interventions/{group}/edit",
            f"/interventions/{group}/pupils/new",
            f"/interventions/{group}/pupils/{part}/outcome",
            f"/interventions/{group}/pupils/{part}/withdraw",
            "/learning/",
            "/learning/new",
            "/families/",
            "/families/new",
            f"/families/{talk}",
            f"/pupils/{pupils[0].id}",
        ],
        admin.email: ["/interventions/catalogue/", "/interventions/catalogue/new"],
    }
    failures = {}
    with live_server(app) as base, browser_page() as page:
        for email, paths in pages.items():
            _sign_in(page, base, email)
            for path in paths:
                page.goto(base + path)
                problems = axe_violations(page)
                if problems:
                    failures[path] = problems
        # A form sent back with errors must stay accessible too.
        page.goto(f"{base}/interventions/catalogue/new")
        page.get_by_role("button", name="Save type").click()
        page.locator("#error-summary").wait_for()
        problems = axe_violations(page)
        if problems:
            failures["/interventions/catalogue/new (errors)"] = problems
    assert failures == {}
