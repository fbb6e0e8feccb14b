"""Workbooks to the Analysis Function's standard for releasing statistics in spreadsheets.

A cover sheet, a contents sheet whose sheet names link to their sheets, a notes sheet, then one
table per sheet: a title and a few lines of text above it, one header row (frozen, repeated on
every printed page), no blank row or merged cell inside, numbers stored as numbers, and the
shorthand `[c]` / `[z]` right-aligned like the numbers it stands in for. Each table, the
contents and the notes are named Excel tables, so a screen reader announces them as tables.
Every sheet prints on A4 landscape, fitted to the page width.

Built with openpyxl in its ordinary mode: these workbooks hold hundreds of cells, not the
hundreds of thousands write-only mode is for, and tables and internal links need it.
"""

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from school_tracker.reports.xlsx import prepare_sheet, set_properties, text_cell

# Named, so LibreOffice does not fall back to a serif face for the bold cells.
TITLE_FONT = Font(name="Calibri", bold=True, size=15)
HEADING_FONT = Font(name="Calibri", bold=True, size=12)
HEADER_FONT = Font(name="Calibri", bold=True)
HEADER_BORDER = Border(bottom=Side(style="medium"))
WRAP = Alignment(wrap_text=True, vertical="top")
HEADER_RIGHT = Alignment(wrap_text=True, vertical="bottom", horizontal="right")
HEADER_LEFT = Alignment(wrap_text=True, vertical="bottom")
RIGHT = Alignment(horizontal="right")
LINE_HEIGHT = 15  # points per line of 11-point text
MAX_LABEL_WIDTH = 70
COVER_WIDTH, NOTE_WIDTH = 100, 110
# A plain style with banded rows: bold header row, no meaning carried by colour.
TABLE_STYLE = TableStyleInfo(name="TableStyleLight1", showRowStripes=True)
MAX_SHEET_NAME = 31
_TABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

CellValue = int | float | str


@dataclass(frozen=True)
class TableRow:
    """One row: its text columns, then its numbers (or a shorthand symbol in their place)."""

    labels: Sequence[str]
    values: Sequence[CellValue]
    number_format: str = "#,##0"
    # Formats for particular value columns (by index into values), e.g. a change column.
    formats: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class TableSheet:
    """One table on its own sheet."""

    sheet_name: str  # short and unique; also the Excel table's name
    title: str
    about: Sequence[str]  # lines of text between the title and the table
    header: Sequence[str]
    rows: Sequence[TableRow]
    label_widths: Sequence[int] = (48,)
    value_width: int = 14
    notes: str = ""  # the notes that apply, e.g. "[note 1], [note 4]" (shown on Contents)


@dataclass(frozen=True)
class CoverSection:
    """A heading on the cover and its paragraphs."""

    heading: str
    paragraphs: Sequence[str]


@dataclass(frozen=True)
class Publication:
    """Everything a workbook holds."""

    title: str
    subject: str
    keywords: str
    cover: Sequence[CoverSection]
    notes: Sequence[str]  # note 1, note 2, ... in order
    tables: Sequence[TableSheet]


def note_reference(number: int) -> str:
    """How a note is cited: the Analysis Function's "[note 1]"."""
    return f"[note {number}]"


def _check_names(tables: Sequence[TableSheet]) -> None:
    names = ["Cover", "Contents", "Notes", *(table.sheet_name for table in tables)]
    if len({name.lower() for name in names}) != len(names):
        raise ValueError(f"sheet names must be unique: {names}")
    for name in names:
        if len(name) > MAX_SHEET_NAME or not _TABLE_NAME.match(name):
            raise ValueError(f"sheet name {name!r} must be a short identifier")


def _value_cell(ws: Worksheet, value: CellValue, number_format: str) -> Cell:
    if isinstance(value, str):  # a shorthand symbol stands where a number would
        cell = text_cell(ws, value)
        cell.alignment = RIGHT
        return cell
    cell = WriteOnlyCell(ws, value=value)
    cell.number_format = number_format
    return cell


def _fit_row(ws: Worksheet, text: str, width: float) -> None:
    """Give the last row room for its wrapped text (LibreOffice does not size rows on opening)."""
    lines = sum(max(1, math.ceil(len(part) / max(width * 0.9, 1))) for part in text.split("\n"))
    if lines > 1:
        ws.row_dimensions[ws.max_row].height = LINE_HEIGHT * lines


def _text_above(ws: Worksheet, title: str, lines: Sequence[str]) -> int:
    """The sheet's title and its lines of text; returns the header row's number."""
    ws.append([text_cell(ws, title)])
    ws.cell(row=1, column=1).font = TITLE_FONT
    ws.row_dimensions[1].height = 22
    for line in lines:
        ws.append([text_cell(ws, line)])
    return len(lines) + 2


def _header(ws: Worksheet, names: Sequence[str], text_columns: int) -> None:
    cells = []
    for index, name in enumerate(names):
        cell = text_cell(ws, name)
        cell.font = HEADER_FONT
        cell.border = HEADER_BORDER
        cell.alignment = HEADER_LEFT if index < text_columns else HEADER_RIGHT
        cells.append(cell)
    ws.append(cells)
    # Room for the longest header as it wraps in its column (bold text runs a little wider).
    lines = max(
        math.ceil(
            len(name) / max((ws.column_dimensions[get_column_letter(i)].width or 10) * 0.8, 1)
        )
        for i, name in enumerate(names, start=1)
    )
    ws.row_dimensions[ws.max_row].height = max(2, lines) * LINE_HEIGHT


def _finish_table(ws: Worksheet, name: str, header_row: int, n_columns: int) -> None:
    """Name the table, freeze and repeat its header row, print it landscape."""
    last_row = ws.max_row
    ref = f"A{header_row}:{get_column_letter(n_columns)}{last_row}"
    ws.add_table(Table(displayName=name, ref=ref, tableStyleInfo=TABLE_STYLE))
    ws.freeze_panes = f"B{header_row + 1}"
    ws.print_title_rows = f"{header_row}:{header_row}"


def _write_table(ws: Worksheet, table: TableSheet) -> None:
    label_widths = [
        min(max(width, *(len(row.labels[i]) + 2 for row in table.rows)), MAX_LABEL_WIDTH)
        if table.rows
        else width
        for i, width in enumerate(table.label_widths)
    ]
    values = len(table.header) - len(label_widths)
    prepare_sheet(ws, [*label_widths, *[table.value_width] * values])
    header_row = _text_above(ws, table.title, table.about)
    _header(ws, table.header, len(label_widths))
    rows = table.rows or [  # an Excel table needs a row under its header
        TableRow(
            ("No figures", *[""] * (len(table.label_widths) - 1)),
            ["[z]"] * (len(table.header) - len(table.label_widths)),
        )
    ]
    for row in rows:
        ws.append(
            [
                *(text_cell(ws, label) for label in row.labels),
                *(
                    _value_cell(ws, value, row.formats.get(index, row.number_format))
                    for index, value in enumerate(row.values)
                ),
            ]
        )
    _finish_table(ws, table.sheet_name, header_row, len(table.header))


def _write_cover(ws: Worksheet, publication: Publication) -> None:
    prepare_sheet(ws, [COVER_WIDTH])
    ws.print_title_rows = None
    ws.freeze_panes = None
    ws.append([text_cell(ws, publication.title)])
    ws.cell(row=1, column=1).font = TITLE_FONT
    ws.row_dimensions[1].height = 24
    for section in publication.cover:
        ws.append([text_cell(ws, section.heading)])
        ws.cell(row=ws.max_row, column=1).font = HEADING_FONT
        ws.row_dimensions[ws.max_row].height = 24  # space above each heading
        for paragraph in section.paragraphs:
            ws.append([text_cell(ws, paragraph)])
            ws.cell(row=ws.max_row, column=1).alignment = WRAP
            _fit_row(ws, paragraph, COVER_WIDTH)


def _write_contents(ws: Worksheet, tables: Sequence[TableSheet]) -> None:
    prepare_sheet(ws, [26, 80, 30])
    header_row = _text_above(
        ws,
        "Table of contents",
        ["This worksheet contains one table. Select a sheet name to go to that sheet."],
    )
    _header(ws, ["Sheet name", "Table title", "Notes"], 3)
    for table in tables:
        ws.append(
            [
                text_cell(ws, table.sheet_name),
                text_cell(ws, table.title),
                text_cell(ws, table.notes),
            ]
        )
        link = ws.cell(row=ws.max_row, column=1)
        link.hyperlink = Hyperlink(ref="", location=f"'{table.sheet_name}'!A1")
        link.style = "Hyperlink"
    _finish_table(ws, "Contents", header_row, 3)


def _write_notes(ws: Worksheet, notes: Sequence[str]) -> None:
    prepare_sheet(ws, [14, NOTE_WIDTH])
    header_row = _text_above(
        ws,
        "Notes",
        ["This worksheet contains one table. Each table's sheet names the notes that apply to it."],
    )
    _header(ws, ["Note number", "Note text"], 2)
    for number, text in enumerate(notes, start=1):
        ws.append([text_cell(ws, note_reference(number)), text_cell(ws, text)])
        ws.cell(row=ws.max_row, column=1).alignment = WRAP
        ws.cell(row=ws.max_row, column=2).alignment = WRAP
        _fit_row(ws, text, NOTE_WIDTH)
    _finish_table(ws, "Notes", header_row, 2)


def build_publication(publication: Publication, *, generated_at: datetime) -> BytesIO:
    """The workbook as bytes: Cover, Contents, Notes, then one sheet per table."""
    _check_names(publication.tables)
    wb = Workbook()
    set_properties(
        wb, title=publication.title, subject=publication.subject, keywords=publication.keywords
    )
    del wb[wb.sheetnames[0]]  # the blank sheet every new workbook starts with
    cover = wb.create_sheet("Cover")
    _write_cover(cover, publication)
    _write_contents(wb.create_sheet("Contents"), publication.tables)
    _write_notes(wb.create_sheet("Notes"), publication.notes)
    for table in publication.tables:
        _write_table(wb.create_sheet(table.sheet_name), table)
    wb.properties.created = wb.properties.modified = generated_at.replace(tzinfo=None)
    buffer = BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer
