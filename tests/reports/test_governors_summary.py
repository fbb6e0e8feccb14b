"""The governors' summary PDF: a short board pack with the workbook's anonymisation."""

import re
from datetime import date

import pytest
import sqlalchemy as sa

from school_tracker.demo.school import seed_demo
from school_tracker.extensions import db
from school_tracker.models import AuditEntry, Pupil, Role, School
from school_tracker.reports.governors.services import governors_summary
from tests.factories import dashboard as dashboard_fixture
from tests.support.published import pdf_pages, pdf_text, small_numbers_in_text


def _summary(school: School, term: str = "autumn-2026") -> bytes:
    return governors_summary(db.session.get(School, school.id), term, by=None)[0]


@pytest.fixture
def hand_school(app, make_school, make_user, make_pupil) -> School:
    """The small hand-counted school: six pupils, so most counts are 1 to 5."""
    school, other = make_school("hand", "Hand School"), make_school("other")
    staff = make_user(Role.STAFF, school=school)
    with app.app_context():
        dashboard_fixture.build(school, other, staff, make_pupil)
    return school


@pytest.mark.requirement("R47")
def test_no_count_of_one_to_five_in_the_pdf_text(app, hand_school):
    with app.app_context():
        text = pdf_text(_summary(hand_school))
    assert small_numbers_in_text(text, 5) == []
    assert text.count("[c]") > 50  # the counts are there, hidden


def test_the_small_number_check_can_fail(app, hand_school):
    """With suppression off the same school's PDF is full of counts from 1 to 5: the scan
    above would have found them."""
    app.config["SUPPRESSION_THRESHOLD"] = 0
    with app.app_context():
        text = pdf_text(_summary(hand_school))
    assert len(small_numbers_in_text(text, 5)) > 20


@pytest.mark.requirement("R47")
def test_demo_summary_carries_no_pupil_details(app):
    with app.app_context():
        seed_demo(today=date(2026, 11, 22))
        db.session.commit()
        school = db.session.scalar(sa.select(School).where(School.slug == "demo"))
        pupils = db.session.scalars(sa.select(Pupil).where(Pupil.school_id == school.id)).all()
        pdf = _summary(school)
    text = pdf_text(pdf)
    words = set(re.findall(r"[\w'-]+", text))
    for pupil in pupils:
        assert pupil.upn not in text
        assert pupil.date_of_birth.strftime("%d/%m/%Y") not in text
        assert pupil.date_of_birth.isoformat() not in text
        names = {pupil.legal_surname, pupil.legal_forename, pupil.preferred_forename} - {None}
        assert not names & words, names & words
    assert small_numbers_in_text(text, 5) == []
    assert 2 <= pdf_pages(pdf) <= 6
    assert "A break in a line is a hidden number" in text  # a line chart's caption
    assert "A missing bar is none or a hidden number" in text  # a bar chart's


def test_summary_has_the_headlines_charts_and_symbols(app, hand_school):
    with app.app_context():
        pdf = _summary(hand_school)
        audit = db.session.scalar(
            sa.select(AuditEntry).where(AuditEntry.entity_type == "governors_summary")
        )
        assert audit.changes["report"] == "governors_summary"
    text = pdf_text(pdf)
    assert 2 <= pdf_pages(pdf) <= 6
    assert "Governors’ inclusion summary: Autumn 2026" in text and "Hand School" in text
    assert "Headline figures" in text and "Summer 2026" in text
    assert "Pupils reached by any priority" in text
    for symbol in ("[c]", "[z]", "pts"):
        assert symbol in text
    assert "What the symbols and figures mean" in text
    assert "A break in a line" not in text  # no chart of numbers that are all hidden


def test_governor_downloads_the_pdf_and_the_cli_writes_it(
    client, login_as, runner, make_school, tmp_path
):
    make_school("gov", "Gov School")
    login_as(Role.GOVERNOR, school=make_school("gov2", "Second School"))
    response = client.get("/reports/governors.pdf?term=autumn-2026")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=gov2_governors-summary_autumn-2026.pdf"
    )
    assert response.headers["Cache-Control"] == "no-store"
    assert "Second School" in pdf_text(response.data)
    assert client.get("/reports/governors.pdf?term=winter-2026").status_code == 400
    out = tmp_path / "g.pdf"
    args = ["governor-report", "--school", "gov", "--term", "autumn-2026", "--out", str(out)]
    result = runner.invoke(args=[*args, "--pdf"])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF-") and "Gov School" in pdf_text(out.read_bytes())
