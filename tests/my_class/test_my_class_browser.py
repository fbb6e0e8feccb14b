"""In Chromium: an admin assigns a teacher to a group, and the teacher opens My class; axe checks
the Class staff page (with an error beside a group's picker) and the class page."""

import os
from pathlib import Path

import pytest

from tests.conftest import PASSWORD
from tests.support.accessibility import axe_violations
from tests.support.browser import browser_page, live_server, open_menu
from tests.support.pickers import pick

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("SCREENSHOT_DIR")  # set it to keep a PNG of each page looked at


def _look(page, name: str) -> None:
    assert axe_violations(page) == [], name
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def _sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", level=1).first.wait_for()


def test_an_admin_assigns_a_teacher_who_then_sees_their_class(app, class_world):
    admin, other = class_world.people["admin"], class_world.people["other"]
    with live_server(app) as base, browser_page() as page:
        _sign_in(page, base, admin.email)
        open_menu(page, "Admin")
        page.get_by_role("link", name="Class staff").click()
        page.get_by_role("heading", level=1, name="Class staff").wait_for()
        _look(page, "class-staff")
        # Adding nobody is refused beside that group's picker, and nothing else moves.
        page.get_by_role("button", name="Add to 8C").click()
        page.get_by_text("Choose a member of staff.").wait_for()
        _look(page, "class-staff-error")
        pick(page, "Member of staff to add to 8C", "omar", "Omar Other")
        page.get_by_role("button", name="Add to 8C").click()
        page.get_by_text("Omar Other now sees 8C on My class.").wait_for()
        page.get_by_role("button", name="Sign out").click()

        _sign_in(page, base, other.email)
        open_menu(page, "Records")
        page.get_by_role("link", name="My class").click()
        page.get_by_role("heading", level=1, name="My class").wait_for()
        page.get_by_role("heading", level=2, name="8C").wait_for()
        assert page.get_by_role("link", name="Cedar, Cy").is_visible()
        _look(page, "my-class-8c")
        page.get_by_role("button", name="Sign out").click()

        _sign_in(page, base, class_world.people["tutor"].email)
        page.goto(f"{base}/pupils/my-class")
        page.get_by_role("columnheader", name="Risk flags").wait_for()
        assert page.get_by_role("row", name="Apple, Ada").is_visible()
        _look(page, "my-class-7b")


def test_someone_without_a_class_is_told_how_to_get_one(app, class_world):
    with live_server(app) as base, browser_page() as page:
        _sign_in(page, base, class_world.people["leader"].email)
        page.goto(f"{base}/pupils/my-class")
        page.locator("#no-class").wait_for()
        _look(page, "my-class-none")
