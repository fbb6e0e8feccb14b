"""A leader raises a flag naming a teacher; the teacher signs in, sees the alert badge, opens the
alert and marks it read (issue 14). axe checks the alerts page with and without alerts.

E-mail is on, through a real SMTP server (aiosmtpd): the teacher's e-mail arrives, saying only
the kind of alert, who raised it and the school, with no pupil's details.
"""

import re
from datetime import timedelta

import pytest

from school_tracker.calendar.terms import school_today
from school_tracker.extensions import db
from school_tracker.mail.sender import send_due_messages
from school_tracker.models import AlertKind, Role
from tests.factories.alerts import recipients
from tests.factories.risk import MARKER, seed_reference
from tests.mail.privacy_scan import protected_values, pupil_details_in
from tests.support.accessibility import axe_violations
from tests.support.browser import browser_page, live_server, sign_in
from tests.support.pickers import pick
from tests.support.smtp import SmtpServer

pytestmark = pytest.mark.browser
SITE_URL = "https://tracker.example.org"


@pytest.fixture(scope="module")
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def app_config_overrides(smtp) -> dict:
    """E-mail on: the app sends through the real SMTP server above."""
    return {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp.port,
        "MAIL_DEFAULT_SENDER": "tracker@example.org",
        "SITE_URL": SITE_URL,
    }


def test_a_teacher_named_on_a_flag_sees_the_badge_opens_the_alert_and_marks_it_read(
    app, make_school, make_user, make_pupil, smtp
):
    seed_reference(app)
    school = make_school()
    leader = make_user(Role.LEADER, school=school, full_name="Lena Leader")
    teacher = make_user(Role.STAFF, school=school, full_name="Sami Staff")
    make_pupil(school, legal_surname="Adeyemi", legal_forename="Kofi")
    review = (school_today() + timedelta(days=28)).isoformat()
    with live_server(app) as base, browser_page() as page:
        sign_in(page, base, leader.email)
        page.goto(f"{base}/risk/new")
        pick(page, "Pupil", "ade", "Kofi Adeyemi (Year 3)")
        page.get_by_role("button", name="Continue").click()
        page.get_by_label("Level").select_option("high")
        page.get_by_label("Review date").fill(review)
        pick(page, "Staff named on the flag", "sami", "Sami Staff (Staff)")
        page.get_by_label("Protective factors").fill(f"Loves drawing. {MARKER}")
        page.get_by_role("button", name="Raise flag").click()
        page.get_by_text("Risk flag raised.").wait_for()
        flag_url = page.url
        page.get_by_role("button", name="Sign out").click()

        sign_in(page, base, teacher.email)
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

    with app.app_context():
        assert send_due_messages().sent == 1
        [email] = smtp.received
        assert email.to == [teacher.email]
        assert email.subject == "School tracker: You were named on an exclusion-risk flag"
        assert "From: Lena Leader, Oakfield Primary." in email.body
        assert f"{SITE_URL}/login" in email.body
        assert pupil_details_in([email], protected_values()) == []
        assert MARKER not in email.body
        db.session.remove()
