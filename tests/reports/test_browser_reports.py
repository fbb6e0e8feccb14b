"""A governor downloads the summary and workbook, a trust leader the trust workbook; a leader
drills from a dashboard number to its pupils."""

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from school_tracker.models import Role
from tests.conftest import PASSWORD
from tests.factories import dashboard as dashboard_fixture
from tests.support.accessibility import axe_violations
from tests.support.browser import browser_page, live_server
from tests.support.published import pdf_text

pytestmark = pytest.mark.browser


def _sign_in(page, base, email):
    page.goto(f"{base}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def test_governor_downloads_the_summary_and_the_workbook(app, make_school, make_user, tmp_path):
    school = make_school("gov", "Gov School")
    governor = make_user(Role.GOVERNOR, school=school)
    with live_server(app) as base, browser_page() as page:
        _sign_in(page, base, governor.email)
        page.get_by_role("link", name="Reports").click()
        assert axe_violations(page) == []
        page.get_by_label("Term", exact=True).select_option("autumn-2026")
        page.screenshot(path=str(tmp_path / "reports.png"), full_page=True)
        with page.expect_download() as download_info:
            page.get_by_role("button", name="Download the workbook (Excel)").click()
        download = download_info.value
        assert download.suggested_filename == "gov_governors-report_autumn-2026.xlsx"
        workbook = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
        assert workbook.sheetnames[:3] == ["Cover", "Contents", "Notes"]
        with page.expect_download() as download_info:
            page.get_by_role("button", name="Download the summary (PDF)").click()
        download = download_info.value
        assert download.suggested_filename == "gov_governors-summary_autumn-2026.pdf"
        assert "Gov School" in pdf_text(Path(download.path()).read_bytes())


def test_trust_leader_downloads_the_trust_workbook(app, make_school, make_user):
    school = make_school("first", "First School")
    make_school("second", "Second School")
    leader = make_user(Role.TRUST_LEADER, school=school)
    with live_server(app) as base, browser_page() as page:
        _sign_in(page, base, leader.email)
        page.goto(f"{base}/dashboard/trust")
        assert axe_violations(page) == []
        with page.expect_download() as download_info:
            page.get_by_role("button", name="Download the trust workbook (Excel)").click()
        workbook = load_workbook(io.BytesIO(Path(download_info.value.path()).read_bytes()))
        summary = workbook["Summary"]
        header = [cell.value for cell in next(summary.iter_rows(min_row=4, max_row=4))]
        assert header == ["Figure", "Unit", "First School", "Second School"]


def test_leader_drills_from_a_number_to_the_pupils(app, make_school, make_user, make_pupil):
    school, other = make_school("hand"), make_school("other")
    leader = make_user(Role.LEADER, school=school)
    with app.app_context():
        dashboard_fixture.build(school, other, leader, make_pupil)
    with live_server(app) as base, browser_page() as page:
        _sign_in(page, base, leader.email)
        page.get_by_role("link", name="Dashboard").click()
        page.get_by_label("Term", exact=True).select_option("autumn-2026")
        page.get_by_role("button", name="Show").click()
        page.get_by_role("link", name="4: Any priority, Autumn 2026, list the pupils").click()
        page.get_by_role("heading", name="Pupils behind this figure").wait_for()
        names = page.locator("tbody td:first-child a").all_inner_texts()
        assert sorted(n.split(",")[0] for n in names) == ["Five", "One", "Three", "Two"]
