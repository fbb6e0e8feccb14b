"""In Chromium: a teacher records a class's kindness (a whole registration group plus a pupil
picked by typing) and the moment names them all; axe on the form and the moment.
SCREENSHOT_DIR keeps PNGs."""

import os

import pytest

from school_tracker.models import Role, YearGroup
from tests.conftest import PASSWORD
from tests.support.accessibility import AXE, axe_violations
from tests.support.browser import browser_page, live_server
from tests.support.pickers import pick

pytestmark = pytest.mark.browser


def _shot(page, name: str) -> None:
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def test_teacher_records_a_class_moment_with_one_more_pupil(
    app, make_school, make_user, make_pupil
):
    school = make_school()
    teacher = make_user(Role.STAFF, school=school, full_name="Tess Teacher")
    for forename, surname, group in (
        ("Amy", "Archer", "7B"),
        ("Ben", "Baker", "7B"),
        ("Cal", "Carter", "7B"),
        ("Dev", "Dixon", "7A"),
    ):
        make_pupil(
            school,
            legal_forename=forename,
            legal_surname=surname,
            registration_group=group,
            year_group=YearGroup.Y7,
        )
    with live_server(app) as base, browser_page() as page:
        page.set_viewport_size({"width": 1280, "height": 1000})
        page.goto(f"{base}/login")
        page.get_by_label("E-mail").fill(teacher.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{base}/")
        page.goto(f"{base}/kindness/new")
        page.get_by_role("heading", level=1, name="Record a kindness moment").wait_for()
        form_problems = axe_violations(page) if AXE.exists() else []
        page.get_by_label("Or a whole registration group").select_option(label="7B (3 pupils)")
        pick(page, "Pupils who were kind", "dix", "Dev Dixon (7A)")
        page.get_by_label("Or kind to whom (optional)").fill("the new pupil")
        page.get_by_label("What happened").fill("Made a welcome banner together.")
        page.get_by_label("Friendship").check()
        _shot(page, "kindness-class-form")
        page.get_by_role("button", name="Save kindness moment").click()
        page.get_by_text("Kindness moment recorded.").wait_for()
        page.get_by_text("Given by 7B (4 pupils)").wait_for()
        for name in ("Amy Archer", "Ben Baker", "Cal Carter", "Dev Dixon"):
            page.get_by_role("link", name=name).wait_for()
        moment_problems = axe_violations(page) if AXE.exists() else []
        _shot(page, "kindness-class-moment")
        page.goto(f"{base}/kindness/wall")
        page.get_by_role("heading", name="7B were kind to the new pupil").wait_for()
        _shot(page, "kindness-class-wall")
    assert form_problems == [] and moment_problems == []
