"""Spreadsheet exports and roll uploads under attack (SECURITY R43-R58).

Exports are fetched over HTTP from a school whose name and slug are themselves hostile, then
unzipped and read as raw XML; uploads go through the real import pages. Marker strings stand
for pupil data and file content that must never reach a workbook for governors or a log line.
"""

import io
import logging
import re
import tempfile
import threading
import time
import tomllib
import tracemalloc
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from defusedxml import ElementTree
from freezegun import freeze_time
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from school_tracker import ROOT
from school_tracker.dashboard.model import GROUP_LABELS
from school_tracker.extensions import db
from school_tracker.imports import services as import_services
from school_tracker.imports.filecheck import ImportFileError
from school_tracker.imports.parser import parse_roll
from school_tracker.models import (
    AuditEntry,
    Pupil,
    Role,
    RollImport,
    RollImportStatus,
    School,
    SenStatus,
    TransferRecord,
)
from school_tracker.reports.governors.services import governors_workbook
from school_tracker.reports.xlsx import MAX_CELL_TEXT, TRUNCATION_MARKER, XLSX_MIMETYPE
from tests.conftest import PASSWORD, make_config
from tests.factories.exports import HOSTILE, HOSTILE_NAMES, NOTE, TERM, build_world
from tests.factories.imports import HEADER as ROLL_HEADER
from tests.factories.imports import csv_bytes, roll_csv, row
from tests.factories.spreadsheets import (
    BILLION_LAUGHS,
    XXE,
    forge_central_directory,
    replace_part,
    xlsx_bytes,
    zip_of,
)

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
MARKER = "ZANZIBAROV"  # stands for file content that must never be logged or kept


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
    """R43 is not applicable while no route answers with CSV; this fails if one is added."""
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
    groups = _percent_checks(_sheet_lines(data, "Groups"), ": on roll", "", threshold)
    assert groups["All pupils"][0] == (11 if threshold < 11 else "[c]")
    assert _number(groups["All pupils"][1]) == (threshold < 11)
    assert any(share == "–" for _, share in groups.values())  # SEND: base 3
    rates = _sheet_lines(data, "Suspensions")
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
        assert count(app, AuditEntry, AuditEntry.action == "export") == 3
        assert count(app, TransferRecord) == 0  # refused before anything was recorded


@pytest.mark.requirement("R48")
@pytest.mark.parametrize("kind", ["transfer", "governors"])
def test_r48_transfer_and_governors_downloads_need_a_fresh_login(app, world, client, auth, kind):
    with freeze_time(datetime.now(UTC)) as frozen:
        auth.login(world.leader.email)
        frozen.tick(timedelta(minutes=16))
        client.get("/reports/")
        frozen.tick(timedelta(minutes=1))
        response = _export(client, world, kind)
        assert response.status_code == 302 and "/account/confirm" in response.headers["Location"]
        assert count(app, AuditEntry, AuditEntry.action == "export") == 0
        client.post("/account/confirm?next=/reports/", data={"current": PASSWORD})
        assert _export(client, world, kind).status_code == 200


# --- imports: helpers ----------------------------------------------------------------------


@pytest.fixture
def admin(login_as, school):
    return login_as(Role.ADMIN, school=school)


@pytest.fixture
def spool_dir(tmp_path, monkeypatch) -> Path:
    """An empty directory that every tempfile of this process is created in."""
    path = tmp_path / "spool"
    path.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(path))
    return path


def post_body(client, fields: dict, url: str = "/imports/"):
    # Encoded in memory so the test client itself never spools to a temporary file.
    boundary, body = encode_multipart(fields)
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def upload(client, data: bytes, name: str = "roll.csv"):
    return post_body(client, {"file": FileStorage(io.BytesIO(data), filename=name)})


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def page_ref(body: str) -> str:
    found = re.search(r'id="import-ref">([0-9a-f]+)<', body)
    assert found, "the page shows no reference"
    return found.group(1)


def roll_with_marker(pupils: int = 2) -> bytes:
    return roll_csv(pupils, **{"Legal Surname": MARKER})


def import_id_of(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    return response.headers["Location"].rsplit("/", 1)[-1]


# --- R49: request size limits --------------------------------------------------------------


@pytest.mark.requirement("R49")
def test_r49_a_6mb_upload_gets_the_friendly_413_and_leaves_no_temp_file(
    app, client, admin, spool_dir
):
    response = upload(client, b"UPN," + MARKER.encode() * (6 * 1024 * 1024 // len(MARKER)))
    assert response.status_code == 413
    assert "That file is too large" in response.get_data(as_text=True)
    assert list(spool_dir.iterdir()) == []
    assert count(app, RollImport) == 0


@pytest.mark.requirement("R49")
def test_r49_a_multipart_body_with_2000_parts_gets_413(app, client, admin):
    assert app.config["MAX_FORM_PARTS"] <= 1000
    assert app.config["MAX_FORM_MEMORY_SIZE"] <= 500_000
    fields = {f"field{i}": "x" for i in range(2000)}
    fields["file"] = FileStorage(io.BytesIO(roll_csv(1)), filename="roll.csv")
    response = post_body(client, fields)
    assert response.status_code == 413
    assert count(app, RollImport) == 0


# --- R50-R55, R57: every malformed file is a 400 with a reference, logged without content ---


def _csv_text(lines: list[str]) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode()


QUADRATIC_BLOWUP = (
    b'<?xml version="1.0"?>\n<!DOCTYPE q [<!ENTITY a "'
    + b"A" * 10_000
    + b'">]>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    + b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
    + b"&a;" * 10_000
    + b"</t></is></c></row></sheetData></worksheet>"
)


def _good_xlsx() -> bytes:
    return xlsx_bytes([ROLL_HEADER[:7], [*list(row(1, **{"Legal Surname": MARKER}).values())[:7]]])


def _sheet(payload: bytes) -> bytes:
    return replace_part(_good_xlsx(), "xl/worksheets/sheet1.xml", payload)


def _zip_bomb() -> bytes:
    parts = {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}
    return zip_of({**parts, "xl/worksheets/sheet1.xml": b"<x>" + b"\0" * (30 << 20) + b"</x>"})


def _too_many_rows() -> bytes:
    return roll_csv(5_001)


OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + MARKER.encode()
MALFORMED = {
    # R50: type by content, never by name
    "xls-ole2": (lambda: OLE2, "roll.xls", "Files of type .xls are not accepted"),
    "password-xlsx-ole2": (lambda: OLE2, "roll.xlsx", "password-protected workbook"),
    "xlsm-by-name": (_good_xlsx, "roll.xlsm", "Files of type .xlsm are not accepted"),
    "xlsb-by-name": (_good_xlsx, "roll.xlsb", "Files of type .xlsb are not accepted"),
    "macros-inside": (
        lambda: zip_of(
            {
                "[Content_Types].xml": b"<Types/>",
                "xl/workbook.xml": b"<workbook/>",
                "xl/vbaProject.bin": MARKER.encode(),
            }
        ),
        "roll.xlsx",
        "contains macros",
    ),
    "encrypted-entries": (
        lambda: forge_central_directory(_good_xlsx(), flags=1),
        "roll.xlsx",
        "The workbook is encrypted",
    ),
    "csv-renamed-xlsx": (roll_with_marker, "roll.xlsx", "not an Excel workbook"),
    "xlsx-renamed-csv": (_good_xlsx, "roll.csv", "is named .csv"),
    "zip-without-content-types": (
        lambda: zip_of({"xl/workbook.xml": MARKER.encode()}),
        "roll.xlsx",
        "not a real .xlsx",
    ),
    "truncated-zip": (lambda: b"PK\x03\x04" + MARKER.encode(), "roll.xlsx", "not a real .xlsx"),
    "empty": (lambda: b"", "roll.csv", "The file is empty"),
    "png": (lambda: b"\x89PNG\r\n\x1a\n" + MARKER.encode(), "roll.csv", "PNG image"),
    # R51: zip bomb
    "zip-bomb": (_zip_bomb, "roll.xlsx", "possible zip bomb"),
    # R52: XML attacks
    "billion-laughs": (lambda: _sheet(BILLION_LAUGHS), "roll.xlsx", "XML entity declarations"),
    "quadratic-blowup": (lambda: _sheet(QUADRATIC_BLOWUP), "roll.xlsx", "XML entity"),
    "xxe": (lambda: _sheet(XXE), "roll.xlsx", "XML entity declarations"),
    "damaged-sheet": (
        lambda: _sheet(b"<worksheet><sheetData><row>" + MARKER.encode()),
        "roll.xlsx",
        "could not be read",
    ),
    # R53: caps
    "5001-rows": (_too_many_rows, "roll.csv", "more than 5,000 pupils"),
    "61-columns": (
        lambda: _csv_text([",".join([*ROLL_HEADER, *[f"X{i}" for i in range(50)]]), MARKER]),
        "roll.csv",
        "more than 60 columns",
    ),
    # R55: CSV pitfalls
    "field-over-131072": (
        lambda: roll_csv(1, **{"Legal Surname": MARKER + "x" * 131_073}),
        "roll.csv",
        "longer than 131,072 characters",
    ),
    "unterminated-quote": (
        lambda: roll_csv(1) + f'"{MARKER},x,y\r\n'.encode() + roll_csv(2).split(b"\r\n", 1)[1],
        "roll.csv",
        "quote",
    ),
    "nul-bytes": (lambda: roll_with_marker().replace(b"Forename1", b"Fore\x00"), "roll.csv", "NUL"),
    "bad-utf8-after-bom": (
        lambda: b"\xef\xbb\xbf" + roll_with_marker() + b"\xff\xfe",
        "roll.csv",
        "marked as UTF-8",
    ),
    "neither-utf8-nor-cp1252": (
        lambda: roll_with_marker() + b"\x81\x8d",
        "roll.csv",
        "neither UTF-8 nor Windows-1252",
    ),
    "header-only": (lambda: _csv_text([",".join(ROLL_HEADER)]), "roll.csv", "no pupils"),
}


@pytest.mark.requirement("R57")
@pytest.mark.parametrize("name", list(MALFORMED))
def test_r57_every_malformed_file_gets_400_and_a_logged_reference_without_content(
    app, client, admin, caplog, name
):
    make, filename, message = MALFORMED[name]
    caplog.set_level(logging.INFO)
    started = time.perf_counter()
    response = upload(client, make(), filename)
    elapsed = time.perf_counter() - started
    body = response.get_data(as_text=True)
    assert response.status_code == 400, body[:800]
    assert "This file can't be imported" in body and message in body
    assert "Traceback" not in body and MARKER not in body
    ref = page_ref(body)
    logged = [r.getMessage() for r in caplog.records]
    assert any(f"ref={ref}" in line and "refused" in line for line in logged), logged
    assert not any(MARKER in line for line in logged)
    assert count(app, Pupil) == 0 and count(app, RollImport) == 0
    assert elapsed < 5, elapsed


@pytest.mark.requirement("R51")
def test_r51_zip_bomb_is_refused_over_http_in_under_a_second_and_small_memory(client, admin):
    bomb = _zip_bomb()
    # Time and memory are measured on separate uploads: tracing every allocation slows the
    # request several times over, so a timed run under tracemalloc measures the tracer.
    started = time.perf_counter()
    response = upload(client, bomb, "roll.xlsx")
    elapsed = time.perf_counter() - started
    assert response.status_code == 400 and "zip bomb" in response.get_data(as_text=True)
    assert elapsed < 1.0
    tracemalloc.start()
    try:
        again = upload(client, bomb, "roll.xlsx")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert again.status_code == 400
    assert peak < 10 << 20  # the 30 MB part is never inflated


@pytest.mark.requirement("R52")
def test_r52_quadratic_blowup_is_refused_by_the_parser_quickly():
    started = time.perf_counter()
    with pytest.raises(ImportFileError) as caught:
        parse_roll(_sheet(QUADRATIC_BLOWUP), "r.xlsx")
    assert "XML entity" in str(caught.value)
    assert time.perf_counter() - started < 2


@pytest.mark.requirement("R52")
def test_r52_the_app_refuses_to_start_without_defusedxml(make_app, database_url, monkeypatch):
    monkeypatch.setattr(openpyxl, "DEFUSEDXML", False)
    with pytest.raises(RuntimeError, match="defusedxml"):
        make_app(make_config(database_url))


@pytest.mark.requirement("R52")
def test_r52_defusedxml_is_a_pinned_dependency():
    pyproject = ROOT / "pyproject.toml"
    deps = tomllib.loads(pyproject.read_text())["project"]["dependencies"]
    pins = [d for d in deps if re.match(r"defusedxml\s*(==|~=)", d)]
    assert pins, deps


@pytest.mark.requirement("R53")
def test_r53_forged_dimension_is_ignored_and_the_file_imports(app, client, admin):
    data = xlsx_bytes([ROLL_HEADER[:7], list(row(1).values())[:7]])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    forged = re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:XFD1048576"/>', sheet)
    assert forged != sheet
    started = time.perf_counter()
    response = upload(client, replace_part(data, "xl/worksheets/sheet1.xml", forged), "r.xlsx")
    assert time.perf_counter() - started < 2
    import_id = import_id_of(response)
    body = client.get(f"/imports/{import_id}").get_data(as_text=True)
    assert 'To add to the roll</th><td class="text-end">1<' in body


@pytest.mark.requirement("R53")
def test_r53_a_5000_row_file_is_accepted_and_5001_is_not(app, client, admin):
    assert import_id_of(upload(client, roll_csv(5_000)))
    refused = upload(client, roll_csv(5_001))
    assert refused.status_code == 400
    assert "more than 5,000 pupils" in refused.get_data(as_text=True)


@pytest.mark.requirement("R54")
def test_r54_r55_row_problems_get_400_with_a_reference_and_store_nothing(
    app, client, admin, caplog
):
    caplog.set_level(logging.INFO)
    header = ROLL_HEADER[:7]
    formulas = xlsx_bytes(
        [
            header,
            [*list(row(1, **{"Legal Surname": '=HYPERLINK("http://x","a")'}).values())[:7]],
            [*list(row(2, **{"Legal Forename": "#REF!"}).values())[:7]],
            [*list(row(3, **{"Legal Surname": MARKER}).values())[:7]],
        ]
    )
    ragged = _csv_text(
        [",".join(header), ",".join(list(row(1).values())[:6]), ",".join(row(2).values())]
    )
    for data, name, expected in (
        (formulas, "roll.xlsx", ["holds a formula", "holds the Excel error value"]),
        (ragged, "roll.csv", ["a comma is probably missing or extra"]),
    ):
        response = upload(client, data, name)
        body = response.get_data(as_text=True)
        assert response.status_code == 400 and "Nothing was imported" in body
        assert all(text in body for text in expected), body[:2000]
        ref = page_ref(body)
        assert any(f"ref={ref}" in r.getMessage() for r in caplog.records)
    assert not any(MARKER in r.getMessage() for r in caplog.records)
    assert count(app, Pupil) == 0 and count(app, RollImport) == 0


@pytest.mark.requirement("R55")
def test_r55_excel_bom_does_not_stick_to_the_first_header(app, client, admin):
    data = b"\xef\xbb\xbf" + roll_csv(2)
    import_id = import_id_of(upload(client, data))
    with app.app_context():
        assert db.session.get(RollImport, import_id).encoding == "utf-8"


# --- R56: nothing kept on disk, nothing served ---------------------------------------------


@pytest.mark.requirement("R56")
def test_r56_an_upload_leaves_no_file_behind_and_no_url_serves_it(app, client, admin, spool_dir):
    header = [*ROLL_HEADER, "Notes"]
    rows = [row(n, Notes=MARKER + "x" * 300) for n in range(1, 2_001)]
    data = csv_bytes(rows, header=header)
    assert len(data) > 600_000  # big enough for Werkzeug to spool it to a temporary file
    import_id = import_id_of(upload(client, data, "../../static/evil.csv"))
    assert client.post(f"/imports/{import_id}/confirm").status_code == 302
    assert count(app, Pupil) == 2_000
    with app.app_context():
        assert db.session.get(RollImport, import_id).file_name == "evil.csv"
    assert list(spool_dir.iterdir()) == []
    for root in (Path(app.static_folder), Path(app.instance_path)):
        if root.exists():
            assert not [p for p in root.rglob("*evil*")], root
            assert not [p for p in root.rglob("*.csv")], root
    for url in (
        "/static/evil.csv",
        "/evil.csv",
        f"/imports/{import_id}/evil.csv",
        f"/imports/{import_id}/file",
        f"/imports/{import_id}/download",
        "/uploads/evil.csv",
    ):
        assert client.get(url).status_code == 404, url
    preview = client.get(f"/imports/{import_id}")
    assert preview.mimetype == "text/html" and MARKER not in preview.get_data(as_text=True)
    endpoints = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("imports.")}
    assert endpoints == {"imports.index", "imports.preview", "imports.confirm", "imports.refresh"}
    columns = RollImport.__table__.columns
    assert not [c.name for c in columns if isinstance(c.type, sa.LargeBinary)]


# --- R58: two-step import ------------------------------------------------------------------


def test_r58_another_admins_import_id_is_404_and_a_second_confirm_is_409(
    app, client, admin, school, make_user, auth
):
    import_id = import_id_of(upload(client, roll_csv(2)))
    colleague = make_user(Role.ADMIN, school=school)
    auth.logout()
    auth.login(colleague.email)
    assert client.post(f"/imports/{import_id}/confirm").status_code == 404
    auth.logout()
    auth.login(admin.email)
    assert client.post(f"/imports/{import_id}/confirm").status_code == 302
    assert client.post(f"/imports/{import_id}/confirm").status_code == 409
    assert count(app, Pupil) == 2


@pytest.mark.requirement("R58")
def test_r58_four_concurrent_confirms_apply_the_import_exactly_once(app, admin):
    uploader = app.test_client()
    uploader.post("/login", data={"email": admin.email, "password": PASSWORD})
    import_id = import_id_of(upload(uploader, roll_csv(5)))
    clients = [app.test_client() for _ in range(4)]
    for c in clients:
        assert (
            c.post("/login", data={"email": admin.email, "password": PASSWORD}).status_code == 302
        )
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []

    def confirm(c):
        barrier.wait()
        statuses.append(c.post(f"/imports/{import_id}/confirm").status_code)

    threads = [threading.Thread(target=confirm, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(statuses) == [302, 409, 409, 409]
    assert count(app, Pupil) == 5
    assert count(app, AuditEntry, AuditEntry.action == "import") == 1
    with app.app_context():
        assert db.session.get(RollImport, import_id).status is RollImportStatus.APPLIED


# --- import performance: one INSERT batch for the roll ------------------------------------


def test_a_1500_pupil_import_inserts_the_roll_in_one_batch(app, school):
    header = [*ROLL_HEADER, "Primary Need"]
    rows = []
    for n in range(1, 1_501):
        # Optional values present on some rows only: the shape that split the batch before.
        values = {"Preferred Forename": "Kit" if n % 3 == 0 else ""}
        if n % 5 == 0:
            values |= {"SEN Status": "K", "Primary Need": "SEMH"}
        if n % 7 == 0:
            values |= {"Admission Date": "", "Reg Group": ""}
        rows.append(row(n, **values))
    data = csv_bytes(rows, header=header)
    result = parse_roll(data, "roll.csv")
    assert result.ok, result.errors[:3]
    inserts: list[int] = []

    def count_inserts(_conn, _cursor, statement, parameters, _context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO PUPILS"):
            inserts.append(len(parameters) if executemany else 1)

    with app.app_context():
        school_row = db.session.get(School, school.id)
        plan = import_services.preview_import(school_row, result, mark_leavers=False, by=None)
        sa.event.listen(db.engine, "before_cursor_execute", count_inserts)
        try:
            import_services.apply_import(
                school_row, plan, mark_leavers=False, by=None, file_name="r.csv", sha256="0"
            )
            db.session.commit()
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count_inserts)
        pupils = db.session.scalars(sa.select(Pupil).where(Pupil.school_id == school.id)).all()
    assert len(pupils) == 1_500
    # SQLite takes one executemany; PostgreSQL's insertmanyvalues pages 1,000 rows at a time.
    assert len(inserts) <= 2, len(inserts)
    by_upn = {p.upn: p for p in pupils}
    third = by_upn[row(3)["UPN"]]
    assert third.preferred_forename == "Kit" and third.primary_need is None
    assert by_upn[row(1)["UPN"]].preferred_forename is None
    assert by_upn[row(5)["UPN"]].sen_status is SenStatus.SUPPORT
    assert by_upn[row(7)["UPN"]].admission_date is None
