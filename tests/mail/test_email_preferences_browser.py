"""A teacher chooses the daily digest on their account page in Chromium; axe checks the page
with e-mail on (before and after saving) and with e-mail off (the page says so)."""

import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from school_tracker.extensions import db
from school_tracker.models import EmailAlerts, Role, User
from tests.conftest import make_config
from tests.support.accessibility import axe_violations
from tests.support.browser import browser_page, live_server, sign_in

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("SCREENSHOT_DIR")  # set it to keep a PNG of each page looked at


def _look(page, name: str) -> None:
    assert axe_violations(page) == [], name
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def test_a_teacher_chooses_the_daily_digest_on_their_account_page(app, school, make_user, smtp):
    teacher = make_user(Role.STAFF, school=school, full_name="Sami Staff")
    with live_server(app) as base, browser_page() as page:
        sign_in(page, base, teacher.email)
        page.goto(f"{base}/account/")
        page.get_by_role("heading", level=2, name="E-mails about your alerts").wait_for()
        assert page.get_by_label("An e-mail for each alert, as it happens").is_checked()
        _look(page, "account-email-choice")

        page.get_by_label("One summary e-mail a day").check()
        page.get_by_role("button", name="Save e-mail choice").click()
        page.get_by_text("Your e-mail choice is saved: One summary e-mail a day.").wait_for()
        assert page.get_by_label("One summary e-mail a day").is_checked()
        _look(page, "account-email-saved")
    with app.app_context():
        choice = db.session.scalar(sa.select(User.email_alerts).where(User.id == teacher.id))
    assert choice is EmailAlerts.DIGEST


def test_with_email_off_the_account_page_says_so(database_url, make_app, make_user, smtp):
    off = make_app(make_config(database_url))  # no MAIL_SERVER
    teacher = make_user(Role.STAFF, full_name="Sami Staff")
    with live_server(off) as base, browser_page() as page:
        sign_in(page, base, teacher.email)
        page.goto(f"{base}/account/")
        page.get_by_text("E-mail is off: this tracker has no mail server set up").wait_for()
        _look(page, "account-email-off")
