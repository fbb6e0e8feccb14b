"""A leader records a suspension that takes a pupil past 15 days in a term, arranges the
governors' meeting; a panel governor downloads the pack; the leader records the decision."""

import pytest
import sqlalchemy as sa

from school_tracker.calendar.terms import school_today
from school_tracker.exclusions import pack, services
from school_tracker.extensions import db
from school_tracker.models import (
    AuditEntry,
    ExclusionKind,
    Pupil,
    ReinstatementReview,
    ReviewDecision,
    ReviewTrigger,
    Role,
    User,
)
from tests.conftest import PASSWORD
from tests.factories.risk import reason_id, seed_reference
from tests.support.accessibility import axe_violations
from tests.support.browser import browser_page, live_server, open_menu
from tests.support.published import pdf_text

pytestmark = pytest.mark.browser
TODAY = school_today()


def _sign_in(page, base: str, email: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Sign out").wait_for()


def test_suspension_to_governors_decision(app, make_school, make_user, make_pupil, tmp_path):
    seed_reference(app)
    school = make_school()
    leader = make_user(Role.LEADER, school=school, full_name="Lena Leader")
    panel = make_user(Role.GOVERNOR, school=school, full_name="Pat Panel")
    make_user(Role.GOVERNOR, school=school, full_name="Gus Governor")
    pupil = make_pupil(school, legal_surname="Adeyemi", legal_forename="Kofi")
    with app.app_context():  # 14 days already this term
        services.record_exclusion(
            db.session.get_one(Pupil, pupil.id),
            services.ExclusionData(
                kind=ExclusionKind.SUSPENSION,
                start_date=TODAY,
                sessions=28,
                reason_ids=[reason_id("DB")],
            ),
            by=db.session.get_one(User, leader.id),
        )
        db.session.commit()
    shots = tmp_path / "page"  # screenshots to look at by hand (kept in pytest's tmp folder)
    with live_server(app) as base, browser_page() as page:
        page.set_viewport_size({"width": 1280, "height": 900})
        _sign_in(page, base, leader.email)
        page.goto(f"{base}/exclusions/pupils/{pupil.id}/new")
        page.get_by_label("Type").select_option("suspension")
        page.get_by_label("Start date").fill(TODAY.isoformat())
        page.get_by_label("Length in sessions").fill("4")
        page.get_by_label("Reason 1").select_option(
            label="VA Verbal abuse or threatening behaviour against an adult"
        )
        page.get_by_role("button", name="Save").click()
        page.get_by_text("more than 15 school days in a term").first.wait_for()
        page.get_by_text(
            "the governing board must consider reinstatement within 15 school"
        ).wait_for()
        page.screenshot(path=f"{shots}-1-detail.png", full_page=True)

        page.get_by_role("link", name="Arrange the governors' meeting").click()
        page.get_by_label("Meeting date").fill(TODAY.isoformat())
        page.get_by_label("Pat Panel").check()
        page.get_by_label("The parents' representations").fill("We ask for a fresh start.")
        page.screenshot(path=f"{shots}-2-arrange.png", full_page=True)
        page.get_by_role("button", name="Save").click()
        page.get_by_text("Governors' meeting arranged.").wait_for()
        page.get_by_role("rowheader", name="Governors consider reinstatement").wait_for()
        assert axe_violations(page) == []
        page.screenshot(path=f"{shots}-3-review.png", full_page=True)

        _sign_in(page, base, panel.email)
        open_menu(page, "Records")
        page.get_by_role("link", name="Reinstatement panels").click()
        assert "Adeyemi" not in page.content()
        assert axe_violations(page) == []
        page.screenshot(path=f"{shots}-4-panels.png", full_page=True)
        with page.expect_download() as download_info:
            page.get_by_role("link", name="Download the pack").click()
        saved = tmp_path / "pack.pdf"
        download_info.value.save_as(saved)
        text = pdf_text(saved.read_bytes())
        assert "Kofi Adeyemi" in text and "Earlier suspension" in text

        _sign_in(page, base, leader.email)
        with app.app_context():
            review_id = db.session.scalar(sa.select(ReinstatementReview.id))
        page.goto(f"{base}/exclusions/reinstatement/{review_id}")
        page.get_by_label("Decision", exact=True).select_option("reinstate")
        page.get_by_label("The board's reasons").fill("The school's support plan was not tried.")
        page.get_by_label("Date of the decision").fill(TODAY.isoformat())
        page.get_by_label("Date the parents were told in writing").fill(TODAY.isoformat())
        page.get_by_role("button", name="Record the decision").click()
        page.get_by_text("Decision recorded.").wait_for()
        page.screenshot(path=f"{shots}-5-decided.png", full_page=True)

    with app.app_context():
        review = db.session.get_one(ReinstatementReview, review_id)
        assert (review.trigger, review.decision) == (
            ReviewTrigger.OVER_15_DAYS,
            ReviewDecision.REINSTATE,
        )
        assert [member.full_name for member in review.panel] == ["Pat Panel"]
        downloads = db.session.scalars(
            sa.select(AuditEntry.actor_id).where(AuditEntry.entity_type == pack.ENTITY)
        ).all()
        assert downloads == [panel.id]
