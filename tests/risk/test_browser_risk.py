"""A leader raises a risk flag on a pupil with an EHC plan, then closes it with an outcome."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from school_tracker.calendar.terms import school_today
from school_tracker.extensions import db
from school_tracker.models import RiskFlag, RiskLevel, RiskOutcome, RiskStatus, Role, SenStatus
from tests.conftest import PASSWORD
from tests.factories.risk import seed_reference
from tests.support.browser import browser_page, live_server, open_menu
from tests.support.pickers import pick

pytestmark = pytest.mark.browser


def test_leader_raises_then_closes_a_risk_flag(app, make_school, make_user, make_pupil):
    seed_reference(app)
    school = make_school()
    leader = make_user(Role.LEADER, school=school, full_name="Lena Leader")
    make_user(Role.STAFF, school=school, full_name="Sami Staff")
    make_pupil(
        school, legal_surname="Adeyemi", legal_forename="Kofi", sen_status=SenStatus.EHC_PLAN
    )
    review = (school_today() + timedelta(days=28)).isoformat()
    with live_server(app) as base, browser_page() as page:
        page.goto(f"{base}/login")
        page.get_by_label("E-mail").fill(leader.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        open_menu(page, "Records")
        page.get_by_role("link", name="Risk flags").click()
        page.get_by_role("link", name="Raise a risk flag").click()
        pick(page, "Pupil", "ade", "Kofi Adeyemi (Year 3)")
        page.get_by_role("button", name="Continue").click()

        page.get_by_role("heading", name="Extra duties for this pupil").wait_for()
        page.get_by_text("The pupil has an EHC plan").wait_for()
        assert "early annual review" in page.content()
        page.get_by_label("Level").select_option("high")
        page.get_by_label("Review date").fill(review)
        page.get_by_label("Persistent disruption").check()
        page.get_by_label("Protective factors").fill("Trusts his TA; loves drumming.")
        page.get_by_label("LA SEN team").check()
        pick(page, "Staff named on the flag", "sami", "Sami Staff (Staff)")
        page.get_by_role("button", name="Raise flag").click()

        page.get_by_text("Risk flag raised.").wait_for()
        page.get_by_role("heading", level=1, name="Exclusion-risk flag").wait_for()
        assert page.title().startswith("Exclusion-risk flag")
        assert "Adeyemi" not in page.title()
        page.get_by_label("Outcome").select_option(label="Managed move")
        page.get_by_label("Closing note (optional)").fill("Agreed with the family and the LA.")
        page.get_by_role("button", name="Close flag").click()
        page.get_by_text("Flag closed.").wait_for()
        page.get_by_text("Managed move (closed").wait_for()
        page.get_by_role("heading", name="Reopen the flag").wait_for()

    with app.app_context():
        flag = db.session.scalar(sa.select(RiskFlag))
        assert (flag.status, flag.outcome, flag.level) == (
            RiskStatus.CLOSED,
            RiskOutcome.MANAGED_MOVE,
            RiskLevel.HIGH,
        )
        assert [agency.code for agency in flag.agencies] == ["la_sen"]
        assert [user.full_name for user in flag.named_staff] == ["Sami Staff"]
