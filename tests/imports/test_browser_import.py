"""An admin uploads the sample MIS export, checks the preview, confirms, and finds the pupils."""

import pytest

from school_tracker.models import Role
from tests.conftest import PASSWORD
from tests.factories.imports import SAMPLE, SAMPLE_PUPILS, sample_bytes
from tests.support.browser import browser_page, live_server, open_menu

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config_overrides():
    # CSRF on, as in production: the upload and confirm forms must carry their tokens.
    return {"WTF_CSRF_ENABLED": True}


def test_admin_imports_the_sample_roll(app, make_school, make_user):
    sample_bytes()  # fails clearly if the sample is missing
    school = make_school()
    admin = make_user(Role.ADMIN, school=school, full_name="Ada Admin")
    with live_server(app) as base, browser_page() as page:
        page.goto(f"{base}/login")
        page.get_by_label("E-mail").fill(admin.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        open_menu(page, "Admin")
        page.get_by_role("link", name="Import roll").click()
        page.get_by_role("heading", level=1, name="Import the pupil roll").wait_for()
        page.get_by_label("Roll file (CSV or Excel .xlsx, up to 5 MB)").set_input_files(str(SAMPLE))
        page.get_by_role("button", name="Preview import").click()
        page.get_by_role("heading", level=1, name="Preview of the import").wait_for()
        counts = page.locator("#preview-counts")
        assert (
            counts.get_by_role("row", name="To add to the roll")
            .inner_text()
            .endswith(str(SAMPLE_PUPILS))
        )
        assert counts.get_by_role("row", name="Unchanged").inner_text().endswith("0")
        assert page.locator("#creates tbody tr").count() == SAMPLE_PUPILS
        page.get_by_role("button", name="Confirm import").click()
        page.get_by_role("heading", level=1, name="Import complete").wait_for()
        summary = page.locator("#import-summary")
        assert (
            summary.get_by_role("row", name="Added to the roll")
            .inner_text()
            .endswith(str(SAMPLE_PUPILS))
        )
        page.get_by_role("link", name="See the pupil list").click()
        page.get_by_text(f"{SAMPLE_PUPILS} pupils").wait_for()
        page.get_by_role("link", name="Abernethy, Callum").wait_for()
