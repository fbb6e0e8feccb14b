"""Sessions attended on the impact page and in the governors' workbook come from the register.

The hand-counted nurture group (tests/factories/dashboard.py) holds 50 sessions attended of 60
planned: 46 register presents and n5's 3 counted before the register. One more session with
all six pupils present must move every figure that reads attendance, and nothing else.
"""

import csv
import io
from datetime import date

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from school_tracker.calendar.terms import TermCalendar
from school_tracker.dashboard.impact import impact_report
from school_tracker.dashboard.sources import DashboardFilters
from school_tracker.extensions import db
from school_tracker.interventions.register import RegisterRow, record_session
from school_tracker.models import Intervention, InterventionType, Role, School, User
from school_tracker.reports.governors.services import governors_workbook
from tests.factories import dashboard as dashboard_fixture

AUTUMN = TermCalendar().term("autumn-2026")
IMPACT_CSV = "/dashboard/impact?term=autumn-2026&format=csv&table=impact_taking_part"


@pytest.fixture
def hand(app, make_school, make_user, make_pupil):
    school, other = make_school("hand", "Hand School"), make_school("other")
    staff = make_user(Role.STAFF, school=school)
    with app.app_context():
        dashboard_fixture.build(school, other, staff, make_pupil)
    dashboard_fixture.build_nurture_group(app, school, staff, make_pupil)
    return school, staff


def _add_session_all_present(app, staff) -> None:
    with app.app_context():
        nurture = db.session.scalar(
            sa.select(Intervention)
            .join(InterventionType)
            .where(InterventionType.name == "Nurture group")
        )
        record_session(
            nurture,
            held_on=date(2026, 11, 27),
            minutes=30,
            note="",
            rows=[RegisterRow(part.id, present=True) for part in nurture.participants],
            by=db.session.get(User, staff.id),
            today=date(2026, 12, 10),
        )
        db.session.commit()


def _nurture_line(app, school):
    with app.app_context():
        report = impact_report(school.id, AUTUMN, DashboardFilters(), small_group=5)
    return {line.label: line for line in report.by_type}["Nurture group"]


def _page_row(client) -> dict[str, str]:
    rows = list(csv.reader(io.StringIO(client.get(IMPACT_CSV).get_data(as_text=True))))
    header = next(row for row in rows if "Sessions attended" in row)
    nurture = next(row for row in rows if row and row[0] == "Nurture group")
    return dict(zip(header, nurture, strict=False))


def _workbook_row(app, school) -> dict[str, object]:
    with app.app_context():
        data = governors_workbook(db.session.get(School, school.id), "autumn-2026", by=None)[0]
    sheet = load_workbook(io.BytesIO(data.getvalue()))["Impact_by_type"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = next(row for row in rows if "Sessions attended" in row)
    everything = next(row for row in rows if row[0] == "All interventions")
    return dict(zip(header, everything, strict=True))


def test_impact_figures_read_the_register(app, hand):
    school, staff = hand
    before = _nurture_line(app, school)
    assert (before.sessions_attended, before.sessions_planned, before.attendance) == (50, 60, 83.3)
    _add_session_all_present(app, staff)
    after = _nurture_line(app, school)
    assert (after.sessions_attended, after.sessions_planned, after.attendance) == (56, 60, 93.3)
    assert (after.pupils, after.progress, after.positive) == (6, 4.0, 4)


def test_the_impact_page_and_the_governors_workbook_change_with_a_register_session(
    app, client, login_as, hand
):
    school, staff = hand
    login_as(Role.LEADER, school=school)
    page, book = _page_row(client), _workbook_row(app, school)
    assert (page["Sessions attended"], page["Attendance (%)"]) == ("50", "83.3")
    assert book["Sessions attended"] == 50
    _add_session_all_present(app, staff)
    page, book = _page_row(client), _workbook_row(app, school)
    assert (page["Sessions attended"], page["Attendance (%)"]) == ("56", "93.3")
    assert book["Sessions attended"] == 56


def test_the_impact_page_asks_no_more_questions_for_more_pupils(
    app, client, login_as, make_pupil, hand
):
    """Attendance is part of the impact query, not one count per pupil."""
    school, staff = hand
    login_as(Role.LEADER, school=school)
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    def page_queries() -> int:
        statements.clear()
        with app.app_context():
            sa.event.listen(db.engine, "before_cursor_execute", count)
            try:
                assert client.get("/dashboard/impact?term=autumn-2026").status_code == 200
            finally:
                sa.event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    first = page_queries()
    dashboard_fixture.build_nurture_group(app, school, staff, make_pupil, name="Second group")
    _add_session_all_present(app, staff)
    assert page_queries() == first
