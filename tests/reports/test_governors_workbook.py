"""The governors' workbook: no child identifiable, small counts hidden, and built to the
Analysis Function standard (cover, linked contents, notes, one named table per sheet)."""

import io
import re
from datetime import date

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from openpyxl.utils import range_boundaries
from pypdf import PdfReader

from school_tracker.demo.school import seed_demo
from school_tracker.extensions import db
from school_tracker.models import AuditEntry, Pupil, Role, School
from school_tracker.reports.governors.services import governors_workbook
from school_tracker.reports.governors.workbook import SHEET_NAMES
from tests.factories import dashboard as dashboard_fixture
from tests.support.published import SYMBOLS, convert_to_pdf, every_part, named_tables

TERMS = [
    "autumn-2026",
    "summer-2026",
    "spring-2026",
    "autumn-2025",
    "summer-2025",
    "spring-2025",
    "autumn-2024",
]
TABLE_SHEETS = list(SHEET_NAMES.values())
VALUE_SHEETS = ["Impact_by_type", "Impact_by_group", "Wellbeing", "Spend", "Spend_pupils"]
# Columns of the value sheets that count pupils or sessions (the rest are money, rates, means).
VALUE_COUNTS = {
    "Pupils",
    "Sessions attended",
    "Impact -2",
    "Impact -1",
    "Impact 0",
    "Impact +1",
    "Impact +2",
    "Impact recorded",
    "Mentees",
    "Sessions held",
    "Mentees rated first and last",
}


def _workbook(school: School, term: str = "autumn-2026") -> bytes:
    return governors_workbook(db.session.get(School, school.id), term, by=None)[0].getvalue()


def _cell_texts(data: bytes) -> list[str]:
    wb = load_workbook(io.BytesIO(data))
    return [str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value]


@pytest.fixture
def hand_counted(app, make_school, make_user, make_pupil) -> bytes:
    """The workbook of the small hand-counted school (p1..p6, most counts 1 to 5)."""
    school, other = make_school("hand", "Hand School"), make_school("other")
    staff = make_user(Role.STAFF, school=school)
    with app.app_context():
        dashboard_fixture.build(school, other, staff, make_pupil)
        return _workbook(school)


@pytest.mark.requirement("R47")
def test_demo_workbooks_never_carry_pupil_details(app):
    with app.app_context():
        seed_demo(today=date(2026, 11, 22))
        db.session.commit()
        school = db.session.scalar(sa.select(School).where(School.slug == "demo"))
        pupils = db.session.scalars(sa.select(Pupil).where(Pupil.school_id == school.id)).all()
        books = {key: _workbook(school, key) for key in TERMS}
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
        cells = _cell_texts(data)
        xml = every_part(data)
        words = {w for cell in cells for w in re.findall(r"[\w'-]+", cell)}
        leaked = {i for i in identifiers if i in words or (len(i) > 5 and i in xml)}
        assert leaked == set(), key
        assert not reg_groups & set(cells), key
        assert "<f>" not in xml  # no formula anywhere


def _count_values(tables):
    """(sheet, label, value) for every pupil or record count in the term columns."""
    for sheet, (header, rows) in tables.items():
        if sheet not in TABLE_SHEETS:
            continue
        assert header[:2] == ["Figure", "Unit"] and header[-1] == "Change on last term"
        for row in rows:
            if row[1] in ("Pupils", "Number"):
                for value in row[2:-1]:
                    yield sheet, row[0], value


@pytest.mark.requirement("R47")
def test_no_small_count_and_no_recoverable_cell(hand_counted):
    tables = named_tables(hand_counted)
    counted = hidden = 0
    for sheet, label, value in _count_values(tables):
        counted += 1
        hidden += value == "[c]"
        assert value in (0, "[c]") or (isinstance(value, int) and value > 5), (sheet, label)
    assert counted > 200 and hidden > 50  # the fixture's counts are mostly 1 to 5
    value_counts = 0
    for sheet in VALUE_SHEETS:
        header, rows = tables[sheet]
        for row in rows:
            for name, value in zip(header, row, strict=True):
                if name in VALUE_COUNTS or sheet == "Spend_pupils" and name != header[0]:
                    value_counts += 1
                    assert value in (0, "[c]") or value > 5, (sheet, row[0], name, value)
    assert value_counts > 20
    risk = {row[0]: row[2:-1] for row in tables["Risk_levels"][1]}
    parts = [risk["Open, low"], risk["Open, medium"], risk["Open, high"]]
    for column, published in enumerate(risk["Open at the end of the term"]):
        lone = sum(1 for part in parts if part[column] == "[c]") == 1
        assert not (published != "[c]" and lone), column


def test_every_table_follows_the_analysis_function_standard(hand_counted):
    wb = load_workbook(io.BytesIO(hand_counted))
    assert wb.sheetnames == ["Cover", "Contents", "Notes", *TABLE_SHEETS, *VALUE_SHEETS]
    assert wb["Cover"]["A1"].value == "Governors' inclusion report: Autumn 2026"
    assert not wb["Cover"].tables  # the cover is text, not a table
    assert all(len(name) <= 31 for name in wb.sheetnames)
    assert len({name.lower() for name in wb.sheetnames}) == len(wb.sheetnames)
    notes = [row[0] for row in named_tables(hand_counted)["Notes"][1]]
    for ws in wb.worksheets[1:]:
        assert list(ws.tables) == [ws.title], ws.title  # one named table per sheet
        assert not ws.merged_cells.ranges, ws.title
        min_col, header_row, max_col, max_row = range_boundaries(ws.tables[ws.title].ref)
        assert (min_col, max_row) == (1, ws.max_row), ws.title  # the table ends the sheet
        assert ws.freeze_panes == f"B{header_row + 1}", ws.title  # its one header row frozen
        assert ws.print_title_rows == f"${header_row}:${header_row}", ws.title
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
        header = [ws.cell(header_row, c).value for c in range(1, max_col + 1)]
        assert all(isinstance(h, str) and h for h in header) and len(set(header)) == len(header)
        for row in ws.iter_rows(min_row=header_row + 1, max_row=max_row, max_col=max_col):
            assert all(cell.value not in (None, "") for cell in row), (ws.title, row[0].row)
        if ws.title in TABLE_SHEETS or ws.title in VALUE_SHEETS:
            first_value = 3 if ws.title in TABLE_SHEETS else 2
            for row in ws.iter_rows(min_row=header_row + 1, min_col=first_value, max_col=max_col):
                for cell in row:  # numbers as numbers; the shorthand aligned as numbers are
                    assert isinstance(cell.value, int | float) or cell.value in SYMBOLS
                    if cell.value in SYMBOLS:
                        assert cell.alignment.horizontal == "right"
            cited = re.findall(r"\[note \d+\]", str(ws["A3"].value))
            assert cited and set(cited) <= set(notes), ws.title


def test_contents_links_to_every_table(hand_counted):
    wb = load_workbook(io.BytesIO(hand_counted))
    _, rows = named_tables(hand_counted)["Contents"]
    assert [row[0] for row in rows] == TABLE_SHEETS + VALUE_SHEETS
    contents = wb["Contents"]
    links = {
        cell.value: cell.hyperlink.location
        for row in contents.iter_rows(min_col=1, max_col=1)
        for cell in row
        if cell.hyperlink
    }
    assert links == {name: f"'{name}'!A1" for name in TABLE_SHEETS + VALUE_SHEETS}


def test_values_and_symbols_match_the_hand_count(hand_counted):
    tables = named_tables(hand_counted)
    groups = {row[0]: row[2:] for row in tables["Groups"][1]}
    # p1..p5 on roll in autumn 2026 (p6 left in July): five pupils, hidden; change hidden too.
    assert groups["All pupils: on roll"][-2:] == ["[c]", "[c]"]
    assert groups["Looked after (CLA): on roll"][-2] == 0
    gap = {row[0]: row[2:] for row in tables["Gap"][1]}
    # No looked-after pupil at all: no share to show ([z]), which is not the same as hidden.
    assert gap["Looked after (CLA)"][-2] == "[z]"
    assert gap["All pupils"][-2] == "[c]"  # a base of 5 is not above the threshold
    cpd = {row[0]: row for row in tables["Staff_learning"][1]}
    assert cpd["Hours of professional learning"][1] == "Hours"


def test_workbook_is_audited_and_named_for_the_school(app, make_school):
    school = make_school("plain", "Plain Primary")
    with app.app_context():
        buffer, name = governors_workbook(db.session.get(School, school.id), "spring-2027", by=None)
        db.session.commit()
        audit = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "export"))
        changes = dict(audit.changes)
        rows = changes.pop("rows")
        assert changes == {"report": "governors_workbook", "term": "spring-2027"}
        assert list(rows) == TABLE_SHEETS and rows["Priorities"] > 0
    assert name == "plain_governors-report_spring-2027.xlsx"
    wb = load_workbook(buffer)
    assert wb.properties.title == "Governors' inclusion report: Spring 2027"
    assert wb.properties.subject == "Plain Primary" and wb.properties.lastModifiedBy is None
    notes = " ".join(str(row[1]) for row in named_tables(buffer.getvalue())["Notes"][1])
    assert "[c] means a count from 1 to 5" in notes


def test_the_workbook_opens_in_libreoffice_and_prints(hand_counted, tmp_path):
    """LibreOffice headless opens it and prints every sheet; the printout shows the figures."""
    pdf = convert_to_pdf(hand_counted, tmp_path)
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) >= len(TABLE_SHEETS) + 3
    assert "Governors' inclusion report: Autumn 2026" in text
    assert "Table of contents" in text and "Pupils reached, by priority" in text
    assert "[c]" in text
    width, height = reader.pages[-1].mediabox.width, reader.pages[-1].mediabox.height
    assert width > height  # landscape


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
    assert load_workbook(out).sheetnames[:3] == ["Cover", "Contents", "Notes"]
    bad = runner.invoke(
        args=["governor-report", "--school", "nope", "--term", "autumn-2026", "--out", "x.xlsx"]
    )
    assert bad.exit_code == 1 and "No school" in bad.output


@pytest.mark.parametrize("role", [Role.STAFF, Role.ADMIN, Role.TRUST_LEADER])
def test_reports_refused_to_other_roles(client, login_as, make_school, role):
    login_as(role, school=make_school())
    assert client.get("/reports/").status_code == 403
    assert client.get("/reports/governors.xlsx?term=autumn-2026").status_code == 403
    assert client.get("/reports/governors.pdf?term=autumn-2026").status_code == 403


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
