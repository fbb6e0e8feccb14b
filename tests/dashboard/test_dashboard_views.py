"""The dashboard pages: who may open them, what governors see, drill-down and charts."""

import re

import pytest

from school_tracker.models import Role
from tests.factories import dashboard as dashboard_fixture


@pytest.fixture
def school_with_records(app, make_school, make_user, make_pupil):
    school, other = make_school("hand"), make_school("other")
    staff = make_user(Role.STAFF, school=school)
    with app.app_context():
        dashboard_fixture.build(school, other, staff, make_pupil)
    return school


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.LEADER, 200),
        (Role.GOVERNOR, 200),
        (Role.STAFF, 403),
        (Role.ADMIN, 403),
        (Role.TRUST_LEADER, 403),
    ],
)
def test_who_may_open_the_dashboard(client, login_as, school_with_records, role, status):
    login_as(role, school=school_with_records)
    assert client.get("/dashboard/?term=autumn-2026").status_code == status


def test_leader_sees_numbers_that_link_to_named_pupils(client, login_as, school_with_records):
    login_as(Role.LEADER, school=school_with_records)
    body = client.get("/dashboard/?term=autumn-2026").get_data(as_text=True)
    assert "Autumn 2026 ran from 01 Aug 2026 to 31 Dec 2026" in body
    body = client.get("/dashboard/reach?term=autumn-2026").get_data(as_text=True)
    link = re.search(
        r'href="(/dashboard/pupils\?figure=reached:any&amp;term=autumn-2026[^"]*)"', body
    )[1].replace("&amp;", "&")
    listed = client.get(link).get_data(as_text=True)
    for surname in ("One", "Two", "Three", "Five"):
        assert f"{surname}, " in listed
    assert "Four, " not in listed and "Elsewhere" not in listed


def test_governor_sees_no_names_no_links_and_no_small_counts(client, login_as, school_with_records):
    login_as(Role.GOVERNOR, school=school_with_records)
    summary = client.get("/dashboard/?term=autumn-2026").get_data(as_text=True)
    assert "/dashboard/pupils" not in summary and "[c]" in summary
    body = client.get("/dashboard/reach?term=autumn-2026").get_data(as_text=True)
    assert "/dashboard/pupils" not in body
    assert "[c]" in body
    for surname in ("One,", "Two,", "Three,", "Elsewhere"):
        assert surname not in body
    cells = re.findall(r'<td class="text-end[^"]*">\s*([^<]*?)\s*</td>', body)
    assert cells and not [c for c in cells if c in {"1", "2", "3", "4", "5"}]
    assert client.get("/dashboard/pupils?figure=reached:any&term=autumn-2026").status_code == 403


@pytest.mark.parametrize(
    "query",
    ["term=winter-2026", "term=autumn-2026&term=spring-2027", "year=14", "group=everyone"],
)
def test_bad_selections_are_400(client, login_as, school_with_records, query):
    login_as(Role.LEADER, school=school_with_records)
    assert client.get(f"/dashboard/?{query}").status_code == 400


@pytest.mark.parametrize("figure", ["nope:x", "reached", "intervention:everyone", "impact:x"])
def test_unknown_drill_downs_are_404(client, login_as, school_with_records, figure):
    login_as(Role.LEADER, school=school_with_records)
    assert client.get(f"/dashboard/pupils?figure={figure}").status_code == 404


def test_charts_are_svg_images_for_leaders_and_governors(client, login_as, school_with_records):
    login_as(Role.GOVERNOR, school=school_with_records)
    response = client.get("/dashboard/chart/reached.svg?term=autumn-2026")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert b"<svg" in response.data
    assert client.get("/dashboard/chart/nothing.svg").status_code == 404


def test_another_schools_records_never_count(client, login_as, make_school, school_with_records):
    login_as(Role.LEADER, school=make_school("empty"))
    for section in ("reach", "interventions", "risk", "suspensions", "impact", "spend"):
        body = client.get(f"/dashboard/{section}?term=autumn-2026").get_data(as_text=True)
        # Every count is zero, so there is nothing to drill into.
        assert "/dashboard/pupils" not in body and "/dashboard/records" not in body, section
