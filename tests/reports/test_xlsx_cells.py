"""Export cells never become formulas, errors or crashes (R44, R45, R46)."""

import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from school_tracker.reports.xlsx import (
    MAX_CELL_TEXT,
    TRUNCATION_MARKER,
    download_name,
    text_cell,
    value_cell,
)

HOSTILE = [
    '=HYPERLINK("http://evil.example","click")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "#REF!",
    "#N/A",
    "=cmd|' /C calc'!A0",
    "plain text",
]


def _workbook(values) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Data")
    for value in values:
        ws.append([text_cell(ws, value), value_cell(ws, -5), value_cell(ws, 3.5)])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@pytest.mark.requirement("R44")
def test_hostile_text_is_inline_text_with_quote_prefix():
    data = _workbook(HOSTILE)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
        styles = archive.read("xl/styles.xml").decode()
    assert "<f>" not in sheet and 't="e"' not in sheet
    assert sheet.count('t="inlineStr"') == len(HOSTILE)
    assert 'quotePrefix="1"' in styles
    ws = load_workbook(io.BytesIO(data)).active
    for row, original in zip(ws.iter_rows(), HOSTILE, strict=True):
        assert row[0].data_type == "s"
        assert row[0].value == original.replace("\r", "\n")  # XML turns CR into LF
        assert row[1].value == -5 and row[1].data_type == "n"
        if original[0] in "=+-@\t\r":
            assert row[0].quotePrefix


@pytest.mark.requirement("R45")
def test_control_characters_and_overlong_text_do_not_crash():
    data = _workbook(["bell\x01 vt\x0b ff\x0c", "x" * 40_000])
    ws = load_workbook(io.BytesIO(data)).active
    assert ws["A1"].value == "bell vt ff"
    assert len(ws["A2"].value) == MAX_CELL_TEXT
    assert ws["A2"].value.endswith(TRUNCATION_MARKER)


@pytest.mark.requirement("R46")
@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (("demo", "governors", "autumn-2026"), "demo_governors_autumn-2026.xlsx"),
        (('evil"\r\nSet-Cookie: x', "report"), "evil-Set-Cookie-x_report.xlsx"),
    ],
)
def test_download_names_are_safe_ascii(parts, expected):
    assert download_name(*parts) == expected
