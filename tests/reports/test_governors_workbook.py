"""The governors' workbook: no child identifiable, small counts hidden, opens as a real workbook."""

import io
import re
import zipfile
from datetime import date

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from school_tracker.demo.school import seed_demo
from school_tracker.extensions import db
from school_tracker.models import AuditEntry, Pupil, Role, School
from school_tracker.reports.governors.services import governors_workbook
from school_tracker.reports.governors.workbook import SHEETS
from tests.factories import dashboard as dashboard_fixture

TERMS = [
    "autumn-2026",
    "summer-2026",
    "spring-2026",
    "autumn-2025",
    "summer-2025",
    "spring-2025",
    "autumn-2024",
]


def _texts(data: bytes) -> tuple[list[str], str]:
    """Every cell value as text, and every XML part of the file concatenated."""
    wb = load_workbook(io.BytesIO(data))
    cells = [
        str(c.value)
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.value is not None
    ]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = "\n".join(
            archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
        )
    return cells, xml


@pytest.mark.requirement("R47")
def test_demo_workbooks_never_carry_pupil_details(app):
    with app.app_context():
        seed_demo(today=date(2026, 11, 22))
        db.session.commit()
        school = db.session.scalar(sa.select(School).where(School.slug == "demo"))
        pupils = db.session.scalars(sa.select(Pupil).where(Pupil.school_id == school.id)).all()
        books = {key: governors_workbook(school, key, by=None)[0].getvalue() for key in TERMS}
    identifiers = set()
    for pupil in pupils:
        identifiers |= {
            pupil.upn,
            pupil.date_of_birth.strftime("%d/%m/%Y"),
            pupil.date_of_birth.isoformat(),
            pupil.legal_surname,
        }
        identifiers |= {n for n in (pupil.legal_forename, pupil.preferred_forename) if n}
    reg_groups = {p.registration_group for p in pupils if p.registration_group}
    for key, data in books.items():
        cells, xml = _texts(data)
        words = {w for cell in cells for w in re.findall(r"[\w'-]+", cell)}
        leaked = {i for i in identifiers if i in words or (len(i) > 5 and i in xml)}
        assert leaked == set(), key
        assert not reg_groups & set(cells), key
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            sheets = [
                archive.read(n).decode()
                for n in archive.namelist()
                if n.startswith("xl/worksheets/")
            ]
        assert not any("<f>" in sheet for sheet in sheets)  # charts may reference cells


def _count_cells(ws):
    """(row label, values) for every figure row on a sheet."""
    for row in ws.iter_rows(values_only=True):
        if row and isinstance(row[0], str) and row[1:] and row[0] not in ("Figure",):
            yield row[0], row[1:-1]


@pytest.mark.requirement("R47")
def test_no_small_count_and_no_recoverable_cell(app, make_school, make_user, make_pupil):
    school, other = make_school("hand"), make_school("other")
    staff = make_user(Role.STAFF, school=school)
    with app.app_context():
        dashboard_fixture.build(school, other, staff, make_pupil)
        data = governors_workbook(db.session.get(School, school.id), "autumn-2026", by=None)[
            0
        ].getvalue()
    wb = load_workbook(io.BytesIO(data))
    counted = 0
    for sheet in SHEETS:
        for label, values in _count_cells(wb[sheet]):
            if "%" in label or "£" in label or "Hours" in label or "Gap" in label:
                continue
            for value in values:
                counted += 1
                assert value in (0, "[c]", None, "–") or (
                    isinstance(value, int | float) and value > 5
                ), (sheet, label, value)
    assert counted > 100
    risk = {label: values for label, values in _count_cells(wb["Exclusion risk"])}
    parts = [risk["Open, low"], risk["Open, medium"], risk["Open, high"]]
    total = risk["Open at the end of the term"]
    for column, published in enumerate(total):
        hidden = sum(1 for part in parts if part[column] == "[c]")
        assert not (published != "[c]" and hidden == 1), column


def test_workbook_is_well_formed(app, make_school):
    school = make_school("plain", "Plain Primary")
    with app.app_context():
        buffer, name = governors_workbook(db.session.get(School, school.id), "spring-2027", by=None)
        db.session.commit()
        audit = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "export"))
        changes = dict(audit.changes)
        rows = changes.pop("rows")
        assert changes == {"report": "governors_workbook", "term": "spring-2027"}
        assert list(rows) == list(SHEETS) and rows["Priorities"] > 0
    assert name == "plain_governors-report_spring-2027.xlsx"
    wb = load_workbook(buffer)
    assert wb.sheetnames == ["Cover", *SHEETS, "Notes"]
    assert wb.properties.title == "Governors' inclusion report, Spring 2027"
    assert wb.properties.subject == "Plain Primary" and wb.properties.lastModifiedBy is None
    priorities = wb["Priorities"]
    assert priorities.freeze_panes == "B1"
    assert priorities.page_setup.orientation == "landscape" and priorities.page_setup.paperSize == 9
    assert priorities.column_dimensions["A"].width == 48
    values = [c.value for c in priorities[3]]
    assert values[0].startswith("P1") and all(isinstance(v, int) for v in values[1:])
    assert len(priorities._charts) == 1
    notes = [str(c.value) for row in wb["Notes"].iter_rows() for c in row]
    assert any("[c] means a count from 1 to 5" in n for n in notes)


def test_governor_downloads_and_cli(client, login_as, runner, make_school, tmp_path):
    school = make_school("gov", "Gov School")
    login_as(Role.GOVERNOR, school=school)
    response = client.get("/reports/governors.xlsx?term=autumn-2026")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=gov_governors-report_autumn-2026.xlsx"
    )
    assert response.headers["Cache-Control"] == "no-store"
    assert client.get("/reports/governors.xlsx?term=winter-2026").status_code == 400
    out = tmp_path / "g.xlsx"
    result = runner.invoke(
        args=["governor-report", "--school", "gov", "--term", "autumn-2026", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert load_workbook(out).sheetnames[0] == "Cover"
    bad = runner.invoke(
        args=[
            "governor-report",
            "--school",
            "nope",
            "--term",
            "autumn-2026",
            "--out",
            str(tmp_path / "x.xlsx"),
        ]
    )
    assert bad.exit_code == 1 and "No school" in bad.output


@pytest.mark.parametrize("role", [Role.STAFF, Role.ADMIN, Role.TRUST_LEADER])
def test_reports_refused_to_other_roles(client, login_as, make_school, role):
    login_as(role, school=make_school())
    assert client.get("/reports/").status_code == 403
    assert client.get("/reports/governors.xlsx?term=autumn-2026").status_code == 403


def test_trust_leader_compares_schools_anonymised(
    app, client, login_as, make_school, make_user, make_pupil
):
    school, other = make_school("hand", "Hand School"), make_school("other", "Other School")
    staff = make_user(Role.STAFF, school=school)
    with app.app_context():
        dashboard_fixture.build(school, other, staff, make_pupil)
    login_as(Role.TRUST_LEADER, school=school)
    body = client.get("/dashboard/trust?term=autumn-2026").get_data(as_text=True)
    assert "Hand School" in body and "Other School" in body and "[c]" in body
    assert "One," not in body and "/dashboard/pupils" not in body
    client.post("/logout")
    login_as(Role.LEADER, school=school)
    assert client.get("/dashboard/trust").status_code == 403
