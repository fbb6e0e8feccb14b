"""Safe spreadsheet cells and workbook settings shared by every export (R44-R46).

openpyxl turns any string starting with "=" into a live formula and "#REF!"-like strings into
error cells, refuses control characters, and cuts long text silently. Every user-supplied
text therefore goes through `text_cell`: cleaned, truncated with a visible marker, stored as
an inline string, and quote-prefixed when it starts with a trigger character or "#".
"""

import re
from datetime import UTC, date, datetime
from typing import IO

from flask import Response, send_file
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.workbook import Workbook
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

# The cell rules are shared with the dashboard's CSV downloads (records/cells.py); the limits
# are re-exported because exports and their tests read them here.
from school_tracker.records.cells import MAX_CELL_TEXT as MAX_CELL_TEXT
from school_tracker.records.cells import TRUNCATION_MARKER as TRUNCATION_MARKER
from school_tracker.records.cells import clean_text, starts_like_a_formula

_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
DATE_FORMAT = "dd/mm/yyyy"


def text_cell(ws: Worksheet, value: object, *, bold: bool = False) -> Cell:
    """A cell that always holds literal text, never a formula or an error value."""
    text = "" if value is None else clean_text(value)
    cell = WriteOnlyCell(ws, value=text)
    cell.data_type = "s"  # overrides openpyxl's guess ("=..." -> formula, "#N/A" -> error)
    if starts_like_a_formula(text):
        cell.quotePrefix = True  # Excel shows it as typed and won't re-evaluate it on edit
    if bold:
        cell.font = HEADER_FONT
    return cell


def value_cell(ws: Worksheet, value: object) -> Cell:
    """A number or date stored as such (dates formatted dd/mm/yyyy); text goes to text_cell."""
    if value is None:
        return WriteOnlyCell(ws, value=None)
    if isinstance(value, bool):
        return text_cell(ws, "Yes" if value else "No")
    if isinstance(value, datetime):
        cell = WriteOnlyCell(ws, value=value.astimezone(UTC).replace(tzinfo=None))
        cell.number_format = "dd/mm/yyyy hh:mm"
        return cell
    if isinstance(value, date):
        # openpyxl stores dates as dates; its stubs list only datetime for WriteOnlyCell.
        cell = WriteOnlyCell(ws, value=value)  # type: ignore[arg-type]
        cell.number_format = DATE_FORMAT
        return cell
    if isinstance(value, int | float):
        return WriteOnlyCell(ws, value=value)
    return text_cell(ws, value)


def header_row(ws: Worksheet, names: list[str]) -> list[Cell]:
    """Bold, shaded header cells."""
    cells = []
    for name in names:
        cell = text_cell(ws, name, bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cells.append(cell)
    return cells


def prepare_sheet(ws: Worksheet, widths: list[int], *, freeze: str = "A2") -> None:
    """Column widths, frozen header, A4 landscape fitted to the page width."""
    from openpyxl.utils import get_column_letter

    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = freeze
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    page_setup = ws.sheet_properties.pageSetUpPr
    if page_setup is None:  # a new sheet has one; the type allows none
        page_setup = ws.sheet_properties.pageSetUpPr = PageSetupProperties()
    page_setup.fitToPage = True
    ws.print_title_rows = "1:1"


def set_properties(wb: Workbook, *, title: str, subject: str, keywords: str) -> None:
    """Document properties with no personal metadata (creator is the product, not a person)."""
    props = wb.properties
    props.title = clean_text(title)
    props.subject = clean_text(subject)
    props.keywords = clean_text(keywords)
    props.creator = "Kindness & Mutuality Tracker"
    props.lastModifiedBy = None
    now = datetime.now(UTC).replace(tzinfo=None)
    props.created = props.modified = now


def download_name(*parts: str, extension: str = "xlsx") -> str:
    """An ASCII file name made from our own codes (slug, report, term, date); never user text."""
    stem = "_".join(_SAFE_NAME.sub("-", part).strip("-") for part in parts if part)
    return f"{stem[:120] or 'export'}.{extension}"


def workbook_response(buffer: IO[bytes], filename: str) -> Response:
    """Send a workbook as an attachment that is never cached or sniffed."""
    buffer.seek(0)
    response = send_file(
        buffer, mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=filename, max_age=0
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
