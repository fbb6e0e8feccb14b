"""A leader raises a flag naming a teacher; the teacher signs in, sees the alert badge, opens the
alert and marks it read (issue 14). axe checks the alerts page with and without alerts."""

import re
from datetime import timedelta

import pytest

from school_tracker.calendar.terms import school_today
from school_tracker.models import AlertKind, Role
from tests.conftest import PASSWORD
from tests.factories.alerts import recipients
from tests.factories.risk import seed_reference
from tests.support.accessibility import axe_violations
from tests.support.browser import browser_page, live_server

pytestmark = pytest.mark.browser


def _sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_teacher_named_on_a_flag_sees_the_badge_opens_the_alert_and_marks_it_read(
    app, make_school, make_user, make_pupil
):
    seed_reference(app)
    school = make_school()
    leader = make_user(Role.LEADER, school=school, full_name="Lena Leader")
    teacher = make_user(Role.STAFF, school=school, full_name="Sami Staff")
    make_pupil(school, legal_surname="Adeyemi", legal_forename="Kofi")
    review = (school_today() + timedelta(days=28)).isoformat()
    with live_server(app) as base, browser_page() as page:
        _sign_in(page, base, leader.email)
        page.goto(f"{base}/risk/new")
        page.get_by_label("Pupil").select_option(label="Adeyemi, Kofi (Year 3)")
        page.get_by_role("button", name="Continue").click()
        page.get_by_label("Level").select_option("high")
        page.get_by_label("Review date").fill(review)
        page.get_by_label("Sami Staff (Staff)").check()
        page.get_by_role("button", name="Raise flag").click()
        page.get_by_text("Risk flag raised.").wait_for()
        flag_url = page.url
        page.get_by_role("button", name="Sign out").click()

        _sign_in(page, base, teacher.email)
        badge = page.get_by_test_id("alert-badge")
        assert badge.text_content() == "1 unread"  # the number and its words for screen readers
        page.get_by_role("link", name=re.compile(r"^Alerts 1 unread")).click()
        page.get_by_role("heading", level=1, name="Alerts").wait_for()
        page.get_by_text("You were named on an exclusion-risk flag", exact=True).wait_for()
        page.get_by_text("From Lena Leader").wait_for()
        assert "Adeyemi" not in page.content() and "Kofi" not in page.content()
        assert axe_violations(page) == []

        page.get_by_role("link", name=re.compile("^Open the risk flag")).click()
        page.get_by_role("heading", level=1, name="Exclusion-risk flag").wait_for()
        assert page.url == flag_url

        page.get_by_role("link", name=re.compile(r"^Alerts")).click()
        page.get_by_role("button", name=re.compile("^Mark as read")).click()
        page.get_by_text("Alert marked as read.").wait_for()
        page.get_by_text("No unread alerts.").wait_for()
        assert page.get_by_test_id("alert-badge").count() == 0
        assert axe_violations(page) == []
    assert recipients(app, AlertKind.FLAG_NAMED) == [teacher.id]
