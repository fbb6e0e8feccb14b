"""Spreadsheet exports under attack (R43-R48). Exports are fetched over HTTP from a school
whose name and slug are themselves hostile, then unzipped and read as raw XML."""

import io
import re
import zipfile
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest
import sqlalchemy as sa
from defusedxml import ElementTree
from freezegun import freeze_time

from school_tracker.dashboard.model import GROUP_LABELS
from school_tracker.extensions import db
from school_tracker.models import AuditEntry, School, SenStatus, TransferRecord
from school_tracker.reports.governors.services import governors_workbook
from school_tracker.reports.xlsx import MAX_CELL_TEXT, TRUNCATION_MARKER, XLSX_MIMETYPE
from tests.conftest import PASSWORD
from tests.factories.exports import HOSTILE, HOSTILE_NAMES, NOTE, TERM, build_world
from tests.factories.rows import count_rows

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
HOSTILE_SCHOOL = '=HYPERLINK("http://evil.example","Oak")\r\nSet-Cookie: pwned=1'
HOSTILE_SLUG = 'oak"field\r\nx'
EXPORTS = ("named", "subject_access", "transfer", "governors")
REPORT_NAMES = {
    "named": "named_export",
    "subject_access": "subject_access",
    "transfer": "transfer_pack",
    "governors": "governors_workbook",
}


# --- exports: fixtures and raw-XML readers ------------------------------------------------


@pytest.fixture
def world(app, make_school, make_user, make_pupil):
    """The shared export world, with a school name and slug an attacker would choose."""
    built = build_world(app, make_school, make_user, make_pupil)
    with app.app_context():
        school = db.session.get(School, built.school.id)
        school.name, school.slug = HOSTILE_SCHOOL, HOSTILE_SLUG
        db.session.commit()
    return built


def _export(client, world, kind: str):
    if kind == "named":
        return client.get(f"/reports/named.xlsx?term={TERM}")
    if kind == "subject_access":
        return client.get(f"/reports/pupils/{world.mentee.id}/subject-access.xlsx")
    if kind == "transfer":
        return client.post(
            f"/reports/pupils/{world.mentee.id}/transfer", data={"sent_to": "Riverside Academy"}
        )
    if kind == "governors_pdf":
        return client.get(f"/reports/governors.pdf?term={TERM}")
    return client.get(f"/reports/governors.xlsx?term={TERM}")


@pytest.fixture(params=EXPORTS)
def download(request, world, client, auth):
    """(kind, response) for each export, downloaded by the school's leader."""
    auth.login(world.leader.email)
    response = _export(client, world, request.param)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return request.param, response


def _quote_prefixed_styles(archive: zipfile.ZipFile) -> list[bool]:
    styles = ElementTree.fromstring(archive.read("xl/styles.xml"))
    xfs = styles.find(f"{MAIN}cellXfs")
    return [xf.get("quotePrefix") == "1" for xf in xfs.findall(f"{MAIN}xf")]


def raw_cells(data: bytes) -> list[tuple[str, str | None, bool, str]]:
    """(text, t attribute, quote-prefixed style?, part) for every cell of every sheet part."""
    cells = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        quoted = _quote_prefixed_styles(archive)
        shared: list[str] = []
        if "xl/sharedStrings.xml" in archive.namelist():
            root = ElementTree.fromstring(archive.read("xl/sharedStrings.xml"))
            shared = ["".join(si.itertext()) for si in root.findall(f"{MAIN}si")]
        for part in archive.namelist():
            if not part.startswith("xl/worksheets/sheet"):
                continue
            root = ElementTree.fromstring(archive.read(part))
            assert root.find(f".//{MAIN}f") is None, f"formula element in {part}"
            for c in root.iter(f"{MAIN}c"):
                kind = c.get("t")
                if kind == "inlineStr":
                    text = "".join(c.find(f"{MAIN}is").itertext())
                elif kind == "s":
                    text = shared[int(c.findtext(f"{MAIN}v"))]
                else:
                    text = c.findtext(f"{MAIN}v") or ""
                cells.append((text, kind, quoted[int(c.get("s", "0"))], part))
    return cells


def _lf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --- R43 / R44 / R45: cell contents -------------------------------------------------------


@pytest.mark.requirement("R43")
def test_r43_no_export_is_offered_as_csv(app):
    """No export is a .csv route: CSV is only the dashboard's `?format=csv`, whose R43 tests
    are in tests/dashboard/test_dashboard_csv.py; a new CSV route must bring its own."""
    rules = [rule.rule for rule in app.url_map.iter_rules()]
    assert not [rule for rule in rules if rule.endswith(".csv") or "csv" in rule.lower()]


@pytest.mark.requirement("R44")
def test_r44_hostile_text_is_a_quote_prefixed_inline_string_in_every_export(download):
    kind, response = download
    hostile = {_lf(v) for v in [*HOSTILE, *HOSTILE_NAMES, HOSTILE_SCHOOL]}
    found = {}
    for text, t, quoted, part in raw_cells(response.data):
        assert t != "e", (part, text)
        if _lf(text) in hostile:
            assert t in ("inlineStr", "s"), (part, text, t)
            assert quoted, (part, text)
            found[_lf(text)] = part
    must = {_lf(HOSTILE_SCHOOL)}
    if kind != "governors":  # governors see no free text, only the school's name
        must |= {'=HYPERLINK("http://evil.example","click")', "#REF!"}
    assert must <= found.keys(), must - found.keys()


@pytest.mark.requirement("R44")
def test_r44_reloaded_text_cells_are_strings_never_formulas_or_errors(download):
    _, response = download
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    texts = 0
    for ws in workbook.worksheets:
        for line in ws.iter_rows():
            for cell in line:
                assert cell.data_type not in ("f", "e"), (ws.title, cell.coordinate)
                if isinstance(cell.value, str):
                    texts += 1
                    assert cell.data_type == "s", (ws.title, cell.coordinate)
    assert texts > 10


@pytest.mark.requirement("R45")
@pytest.mark.parametrize("kind", ["named", "subject_access", "transfer"])
def test_r45_control_characters_and_40000_characters_export_with_the_marker(
    world, client, auth, kind
):
    auth.login(world.leader.email)
    response = _export(client, world, kind)
    assert response.status_code == 200
    long_cells = [text for text, *_ in raw_cells(response.data) if text.startswith("bell")]
    assert len(long_cells) == 1, kind
    cell = long_cells[0]
    assert cell.endswith(TRUNCATION_MARKER) and len(cell) == MAX_CELL_TEXT
    assert "\x01" not in cell and "\x0b" not in cell


# --- R46: download responses ---------------------------------------------------------------


@pytest.mark.requirement("R46")
def test_r46_download_headers_are_safe_for_a_hostile_school_name_and_slug(download):
    kind, response = download
    disposition = response.headers["Content-Disposition"]
    assert re.fullmatch(r"attachment; filename=[A-Za-z0-9._-]+\.xlsx", disposition), disposition
    assert disposition.startswith("attachment; filename=oak-field-x_")
    assert response.mimetype == XLSX_MIMETYPE
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    assert "pwned" not in str(response.headers), kind


# --- R47: governors' workbook --------------------------------------------------------------


@pytest.mark.requirement("R47")
def test_r47_no_marker_in_any_part_and_metadata_is_clean(world, client, auth):
    auth.login(world.leader.email)
    response = client.get(f"/reports/governors.xlsx?term={TERM}")
    assert response.status_code == 200
    markers = {NOTE, "Menteeson", "Peerington", "Quinn", "Lena Leader", "Sam Staff"}
    markers |= {"Loves football", "Shared a snack", "Escalated", "Moved class", "Elsewhere"}
    markers |= {"Trauma-informed", "Make a friend", "01/03/2018", "2018-03-01"}
    markers |= {p.upn for p in (world.mentee, world.peer, world.quiet, world.left)}
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        parts = {name: archive.read(name).decode("utf-8") for name in archive.namelist()}
    assert {"docProps/core.xml", "docProps/app.xml", "xl/workbook.xml"} <= parts.keys()
    leaks = {(m, name) for name, xml in parts.items() for m in markers if m in xml}
    assert leaks == set()
    assert not [name for name in parts if "comment" in name.lower() or "vml" in name.lower()]
    core = ElementTree.fromstring(parts["docProps/core.xml"])
    assert core.findtext("{http://purl.org/dc/elements/1.1/}creator") == (
        "Kindness & Mutuality Tracker"
    )
    assert "lastModifiedBy" not in parts["docProps/core.xml"]
    book = ElementTree.fromstring(parts["xl/workbook.xml"])
    assert {s.get("state") for s in book.iter(f"{MAIN}sheet")} == {"visible"}
    names = [n.get("name") for n in book.iter(f"{MAIN}definedName")]
    assert all(name.startswith("_xlnm.") for name in names), names  # print titles only


def _sheet_lines(data: bytes, sheet: str) -> dict[str, object]:
    """Label -> this term's value (the last term column) for one sheet."""
    ws = openpyxl.load_workbook(io.BytesIO(data))[sheet]
    lines = {}
    for line in ws.iter_rows(values_only=True):
        if line and isinstance(line[0], str) and len(line) > 2:
            lines[line[0]] = line[-2]  # the last column is "Change on last term"
    return lines


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _percent_checks(lines: dict[str, object], base: str, pct: str, threshold: int) -> dict:
    """For each group: (published base, percentage) with the rule checked."""
    seen = {}
    for label in GROUP_LABELS.values():
        if f"{label}{base}" not in lines or f"{label}{pct}" not in lines:
            continue
        on_roll, share = lines[f"{label}{base}"], lines[f"{label}{pct}"]
        shown = _number(share)
        big_base = _number(on_roll) and on_roll > threshold
        assert shown == big_base, (label, on_roll, share)
        seen[label] = (on_roll, share)
    return seen


@pytest.mark.requirement("R47")
@pytest.mark.parametrize("threshold", [5, 12])
def test_r47_percentages_only_where_the_base_is_above_the_threshold(
    app, make_school, make_pupil, threshold
):
    school = make_school("pct", "Percent Primary")
    for _ in range(8):
        make_pupil(school)
    for _ in range(3):
        make_pupil(school, sen_status=SenStatus.SUPPORT, pupil_premium=True)
    app.config["SUPPRESSION_THRESHOLD"] = threshold
    with app.app_context():
        data = governors_workbook(db.session.get(School, school.id), TERM, by=None)[0].getvalue()
    lines = {**_sheet_lines(data, "Groups"), **_sheet_lines(data, "Gap")}
    groups = _percent_checks(lines, ": on roll", "", threshold)
    assert groups["All pupils"][0] == (11 if threshold < 11 else "[c]")
    assert _number(groups["All pupils"][1]) == (threshold < 11)
    assert groups["SEN support (K)"][1] == "[c]"  # base 3: hidden, not undefined
    rates = _sheet_lines(data, "Suspension_rates")
    checked = 0
    for label in ("Pupils with SEND", "Pupils without SEND", "Other pupils"):
        on_roll, share = rates[f"{label}: on roll"], rates[f"{label}: % suspended"]
        assert _number(share) == (_number(on_roll) and on_roll > threshold), (label, on_roll)
        checked += 1
    assert checked == 3


# --- R48: audit, rate limit, fresh login ---------------------------------------------------


@pytest.mark.requirement("R48")
def test_r48_one_export_writes_exactly_one_audit_row_with_its_details(app, world, download):
    kind, _ = download
    with app.app_context():
        entries = list(
            db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "export"))
        )
    assert len(entries) == 1
    entry = entries[0]
    assert entry.actor_id == world.leader.id and entry.school_id == world.school.id
    assert entry.entity_type == REPORT_NAMES[kind] == entry.changes["report"]
    assert entry.at is not None
    rows = entry.changes["rows"]
    assert rows and all(isinstance(n, int) for n in rows.values())
    if kind in ("named", "governors"):
        assert entry.changes["term"] == TERM
    else:
        assert entry.pupil_id == world.mentee.id


class TestExportLimit:
    @pytest.fixture
    def app_config_overrides(self):
        return {"EXPORT_LIMIT": "3 per hour"}

    @pytest.mark.requirement("R48")
    def test_r48_the_export_past_the_hourly_limit_gets_429_and_leaves_no_trace(
        self, app, world, client, auth
    ):
        auth.login(world.leader.email)
        order = ["governors", "named", "subject_access", "transfer"]
        statuses = [_export(client, world, kind).status_code for kind in order]
        assert statuses == [200, 200, 200, 429]
        assert count_rows(app, AuditEntry, AuditEntry.action == "export") == 3
        assert count_rows(app, TransferRecord) == 0  # refused before anything was recorded


@pytest.mark.requirement("R48")
@pytest.mark.parametrize("kind", ["transfer", "governors", "governors_pdf"])
def test_r48_transfer_and_governors_downloads_need_a_fresh_login(app, world, client, auth, kind):
    with freeze_time(datetime.now(UTC)) as frozen:
        auth.login(world.leader.email)
        frozen.tick(timedelta(minutes=16))
        client.get("/reports/")
        frozen.tick(timedelta(minutes=1))
        response = _export(client, world, kind)
        assert response.status_code == 302 and "/account/confirm" in response.headers["Location"]
        assert count_rows(app, AuditEntry, AuditEntry.action == "export") == 0
        client.post("/account/confirm?next=/reports/", data={"current": PASSWORD})
        assert _export(client, world, kind).status_code == 200
