"""The trust workbook: the trust's schools side by side, anonymised and suppressed."""

import io

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from pypdf import PdfReader

from school_tracker.extensions import db
from school_tracker.models import AuditEntry, Pupil, Role, Trust
from tests.factories import dashboard as dashboard_fixture
from tests.support.published import SYMBOLS, convert_to_pdf, every_part, named_tables


@pytest.fixture
def trust_book(app, client, login_as, make_school, make_user, make_pupil) -> bytes:
    """The hand-counted school beside a bigger one, downloaded by the trust leader."""
    school, other = make_school("hand", "Hand School"), make_school("big", "Big School")
    staff = make_user(Role.STAFF, school=school)
    with app.app_context():
        dashboard_fixture.build(school, other, staff, make_pupil)
    for _ in range(9):  # Big School: ten pupils on roll, a count that may be shown
        make_pupil(other)
    login_as(Role.TRUST_LEADER, school=school)
    response = client.get("/reports/trust.xlsx?term=autumn-2026")
    assert response.status_code == 200
    with app.app_context():
        trust_id = db.session.scalar(sa.select(Trust.id))
    assert response.headers["Content-Disposition"] == (
        f"attachment; filename=trust-{trust_id}_trust-report_autumn-2026.xlsx"
    )
    assert response.headers["Cache-Control"] == "no-store"
    return response.data


@pytest.mark.requirement("R47")
def test_schools_side_by_side_with_small_counts_hidden(app, trust_book):
    tables = named_tables(trust_book)
    header, rows = tables["Summary"]
    assert header == ["Figure", "Unit", "Big School", "Hand School"]
    summary = {row[0]: row[2:] for row in rows}
    assert summary["All pupils: on roll"] == [10, "[c]"]
    counted = 0
    for sheet, (header, rows) in tables.items():
        if sheet in ("Contents", "Notes", "Change"):
            continue
        for row in rows:
            assert len(row) == len(header)
            for value in row[2:]:
                assert isinstance(value, int | float) or value in SYMBOLS, (sheet, row[0])
                if row[1] in ("Pupils", "Number"):
                    counted += 1
                    assert value in (0, "[c]") or value > 5, (sheet, row[0], value)
    assert counted > 100
    with app.app_context():
        pupils = list(db.session.scalars(sa.select(Pupil)))
        audit = db.session.scalar(
            sa.select(AuditEntry).where(AuditEntry.entity_type == "trust_workbook")
        )
        assert audit.changes == {"report": "trust_workbook", "term": "autumn-2026", "schools": 2}
    text = every_part(trust_book)
    for pupil in pupils:  # the fixture's surnames are words ("One"), so whole cells only
        assert pupil.upn not in text and f">{pupil.legal_surname}<" not in text
        assert pupil.date_of_birth.strftime("%d/%m/%Y") not in text


def test_trust_workbook_follows_the_standard_and_opens_in_libreoffice(trust_book, tmp_path):
    wb = load_workbook(io.BytesIO(trust_book))
    assert wb.sheetnames[:5] == ["Cover", "Contents", "Notes", "Summary", "Change"]
    assert "Priorities" in wb.sheetnames and "Kindness" in wb.sheetnames
    for ws in wb.worksheets[1:]:
        assert list(ws.tables) == [ws.title]
        assert ws.page_setup.orientation == "landscape"
    contents = [row[0] for row in named_tables(trust_book)["Contents"][1]]
    assert contents == wb.sheetnames[3:]
    reader = PdfReader(io.BytesIO(convert_to_pdf(trust_book, tmp_path)))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Trust inclusion report: Autumn 2026" in text and "Big School" in text


@pytest.mark.parametrize("role", [Role.LEADER, Role.GOVERNOR, Role.STAFF, Role.ADMIN])
def test_only_trust_leaders_get_the_trust_workbook(client, login_as, make_school, role):
    login_as(role, school=make_school())
    assert client.get("/reports/trust.xlsx?term=autumn-2026").status_code == 403


def test_a_bad_term_is_refused(client, login_as, make_school):
    login_as(Role.TRUST_LEADER, school=make_school())
    assert client.get("/reports/trust.xlsx?term=winter-2026").status_code == 400
    assert client.get("/reports/trust.xlsx").status_code == 200  # this term by default
