"""The summary against its sections, every linked number against its list, and the CSVs
against the tables (tests/factories/dashboard.py, plus the nurture group for impact and spend).
"""

import csv
import io
import re
from datetime import date
from html.parser import HTMLParser

import pytest

from school_tracker.calendar.terms import TermCalendar
from school_tracker.dashboard.anonymise import anonymise
from school_tracker.dashboard.figures import build_dashboard
from school_tracker.dashboard.sections import IMPACT, SECTIONS, SPEND
from school_tracker.dashboard.sources import DashboardFilters
from school_tracker.dashboard.spend import spend_report
from school_tracker.dashboard.summary import build_summary
from school_tracker.models import Role
from tests.factories import dashboard as dashboard_fixture

TERM = "autumn-2026"
TERMS = TermCalendar().recent(TERM, 6)
SURNAMES = ("One", "Two", "Three", "Four", "Five", "Six", "Elsewhere", "Nurture")
HOSTILE_TYPE = '=HYPERLINK("http://evil.example","Nurture")'


@pytest.fixture
def school(app, make_school, make_user, make_pupil):
    school, other = make_school("hand"), make_school("other")
    staff = make_user(Role.STAFF, school=school)
    with app.app_context():
        dashboard_fixture.build(school, other, staff, make_pupil)
    dashboard_fixture.build_nurture_group(app, school, staff, make_pupil, name=HOSTILE_TYPE)
    return school


class _Tables(HTMLParser):
    """{table id: [[cell text, ...] per row]} and every link (href, text) on a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.links: list[tuple[str, str]] = []
        self._table: str | None = None
        self._cell: list[str] | None = None
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id", "").startswith("table-"):
            self._table = attrs["id"][len("table-") :]
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table:
            self._cell = []
        elif tag == "a":
            self._href, self._text = attrs.get("href"), []

    def handle_endtag(self, tag):
        if tag == "table":
            self._table = None
        elif tag in ("td", "th") and self._cell is not None and self._table:
            self.tables[self._table][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "a" and self._href:
            self.links.append((self._href.replace("&amp;", "&"), "".join(self._text).strip()))
            self._href = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._href is not None:
            self._text.append(data)


def _page(client, path) -> _Tables:
    response = client.get(path)
    assert response.status_code == 200, path
    parsed = _Tables()
    parsed.feed(response.get_data(as_text=True))
    return parsed


def _number(text: str) -> float | None:
    """A shown number as a float (£, %, commas, 'pts' and signs read), else None."""
    cleaned = text.replace("£", "").replace(",", "").replace("%", "").replace(" pts", "")
    try:
        return float(cleaned)
    except ValueError:
        return None


@pytest.mark.parametrize("governor", [False, True])
def test_every_summary_figure_equals_its_sections_figure(app, school, governor):
    threshold = 5 if governor else None
    with app.app_context():
        summary = build_summary(school.id, TERMS, DashboardFilters(), date(2026, 12, 1), threshold)
        checked = 0
        for tile in [*summary.priorities, *summary.headlines]:
            if tile.section == SPEND:
                year = TermCalendar().academic_year_terms(TERM)
                section_value = spend_report(school.id, year, DashboardFilters()).term_spend(TERM)
                assert tile.latest == section_value
            else:
                raw = build_dashboard(school.id, TERMS, only=SECTIONS[tile.section].tables)
                shown = anonymise(raw, 5) if governor else raw
                row = next(r for r in shown.built_table(tile.table).rows if r.key == tile.row)
                factor = 0.5 if tile.unit == "days" else 1  # days are sessions ÷ 2
                assert tile.values == [None if v is None else v * factor for v in row.values]
            checked += 1
    assert checked == 13


def test_summary_page_shows_each_tiles_number_in_its_section(client, login_as, school):
    login_as(Role.LEADER, school=school)
    body = client.get(f"/dashboard/?term={TERM}").get_data(as_text=True)
    assert re.search(r"P3 Teachers as professional learners: staff taking part", body)
    assert "5.5 hours of professional learning" in body
    reach = _page(client, f"/dashboard/reach?term={TERM}").tables["reached"]
    # The nurture group is tagged with no priority, so it reaches nobody under one.
    assert reach[-1][0] == "Any priority" and reach[-1][-1] == "4"
    assert 'aria-label="4: Any priority, Autumn 2026, list the pupils"' in body


def test_every_linked_number_lists_as_many_rows(client, login_as, school):
    """Walk every linked cell of the summary and every section; open its list."""
    login_as(Role.LEADER, school=school)
    pages = [f"/dashboard/?term={TERM}"] + [f"/dashboard/{k}?term={TERM}" for k in SECTIONS]
    walked, counted = set(), 0
    for path in pages:
        for href, text in _page(client, path).links:
            if not href.startswith(("/dashboard/pupils?", "/dashboard/records?")):
                continue
            if (href, text) in walked:
                continue
            walked.add((href, text))
            listed = client.get(href).get_data(as_text=True)
            total = int(re.search(r"· (\d+) ", listed)[1])
            value = _number(text)
            is_count = value is not None and re.fullmatch(r"[\d,]+", text)
            if is_count and "figure=suspension:any" not in href:
                assert total == value, (path, href, text)
                counted += 1
            else:  # a sum (hours, pounds, sessions lost): the records it is taken over
                assert total > 0, (path, href, text)
    assert counted >= 60 and len(walked) >= 90


def _csv(client, section, table) -> list[list[str]]:
    response = client.get(f"/dashboard/{section}?term={TERM}&format=csv&table={table}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


@pytest.mark.parametrize("role", [Role.LEADER, Role.GOVERNOR])
def test_each_csv_equals_its_table(client, login_as, school, role):
    login_as(role, school=school)
    compared = 0
    for key in SECTIONS:
        page = _page(client, f"/dashboard/{key}?term={TERM}")
        assert page.tables, key
        for table_key, html_rows in page.tables.items():
            rows = _csv(client, key, table_key)
            figure_table = key not in (IMPACT, SPEND)
            assert len(rows) == len(html_rows), table_key
            for csv_row, html_row in zip(rows[1:], html_rows[1:], strict=True):
                values = csv_row[2:] if figure_table else csv_row[1:]
                assert csv_row[0].lstrip("'") == html_row[0], table_key
                for value, shown in zip(values, html_row[1:], strict=True):
                    if value in ("[c]", "[z]"):
                        assert shown in ("[c]", "–"), (table_key, csv_row[0])
                    elif _number(value) is not None:
                        assert _number(value) == _number(shown.split(" ")[0]), (table_key, value)
                    else:
                        assert value == shown, (table_key, value)
                    compared += 1
    assert compared > 500


@pytest.mark.requirement("R47")
def test_governors_csvs_carry_no_names_and_no_small_counts(client, login_as, school):
    login_as(Role.GOVERNOR, school=school)
    for key in SECTIONS:
        for table_key in _page(client, f"/dashboard/{key}?term={TERM}").tables:
            text = "\n".join(",".join(row) for row in _csv(client, key, table_key))
            for surname in SURNAMES:
                assert surname not in text.replace(HOSTILE_TYPE, ""), (table_key, surname)
            assert not re.search(r"\b\d{3}\d{4}\d{2}\d{3}\b|[A-Z]\d{12}", text)  # no UPN
            for row in _csv(client, key, table_key)[1:]:
                # Counts are written as whole numbers, measures with a decimal point.
                assert not {"1", "2", "3", "4", "5"} & set(row), (table_key, row)


@pytest.mark.requirement("R43")
def test_csv_text_never_becomes_a_formula(client, login_as, school):
    login_as(Role.LEADER, school=school)
    rows = _csv(client, IMPACT, "impact_value")
    labels = [row[0] for row in rows]
    assert "'" + HOSTILE_TYPE in labels and HOSTILE_TYPE not in labels
    spend = _csv(client, SPEND, "spend_terms")
    assert spend[-1][0] == "All funding streams" and float(spend[-1][1]) == 1800.0


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/dashboard/nothing", 404),
        (f"/dashboard/reach?term={TERM}&format=xlsx", 400),
        (f"/dashboard/reach?term={TERM}&format=csv&table=cost", 404),
        (f"/dashboard/impact?term={TERM}&format=csv&table=nope", 404),
        ("/dashboard/records?figure=nope:any", 404),
        ("/dashboard/records?figure=moment:nonsense", 404),
        ("/dashboard/records?figure=running", 404),
        ("/dashboard/pupils?figure=spend_pupils:nope:all", 404),
        ("/dashboard/pupils?figure=impact_type:x", 404),
    ],
)
def test_unknown_sections_tables_and_lists_are_refused(client, login_as, school, path, status):
    login_as(Role.LEADER, school=school)
    assert client.get(path).status_code == status


def test_governors_get_no_lists_of_records(client, login_as, school):
    login_as(Role.GOVERNOR, school=school)
    assert client.get(f"/dashboard/records?figure=running:any&term={TERM}").status_code == 403
    for key in SECTIONS:
        body = client.get(f"/dashboard/{key}?term={TERM}").get_data(as_text=True)
        assert "/dashboard/records" not in body and "/dashboard/pupils" not in body, key
