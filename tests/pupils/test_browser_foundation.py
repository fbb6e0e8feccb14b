"""A member of staff signs in, finds a pupil, opens the pupil page and signs out."""

import pytest

from school_tracker.models import Role
from tests.conftest import PASSWORD
from tests.support.browser import browser_page, live_server

pytestmark = pytest.mark.browser


def test_staff_search_open_pupil_sign_out(app, make_school, make_user, make_pupil):
    school = make_school()
    staff = make_user(Role.STAFF, school=school, full_name="Sam Staff")
    make_pupil(school, legal_surname="Zielińska", legal_forename="Ella")
    make_pupil(school, legal_surname="Okafor", legal_forename="Oscar")
    with live_server(app) as base, browser_page() as page:
        page.goto(f"{base}/pupils/")
        assert "/login" in page.url
        page.get_by_label("E-mail").fill(staff.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{base}/pupils/")
        page.get_by_label("Name or UPN").fill("zieli")
        page.get_by_role("button", name="Search", exact=True).click()
        page.get_by_text("1 pupil matching your search").wait_for()
        assert "zieli" not in page.url.lower()
        page.get_by_role("link", name="Zielińska, Ella").click()
        page.get_by_role("heading", level=1, name="Ella Zielińska").wait_for()
        assert page.title().startswith("Pupil record")
        page.get_by_role("button", name="Sign out").click()
        page.get_by_text("You have signed out.").wait_for()
        page.goto(f"{base}/pupils/")
        assert "/login" in page.url
