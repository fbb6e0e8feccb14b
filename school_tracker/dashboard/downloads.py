"""Any dashboard table as CSV (`?format=csv`): the numbers the page shows, nothing more.

Governors get the suppressed table, as on their page. Numbers are written as numbers; a hidden
count is `[c]`, a value that does not apply `[z]` (the workbook's shorthand); every text cell
goes through records/cells.py, so no spreadsheet reads it as a formula (R43).
"""

import csv
import io

from flask import Response

from school_tracker.dashboard.grids import COUNT_UNITS, GridCell, GridTable
from school_tracker.dashboard.model import Dashboard, FigureTable
from school_tracker.records.cells import csv_text

SUPPRESSED, NOT_APPLICABLE = "[c]", "[z]"
Value = int | float | str


def _number(value: float, unit: str) -> Value:
    # Whole numbers only for counts, so a count and a measure (4 pupils, +4.0 months) differ.
    return int(value) if unit in COUNT_UNITS else round(float(value), 2)


def figure_rows(
    table: FigureTable, raw: FigureTable | None, dashboard: Dashboard
) -> list[list[Value]]:
    """Header and rows of a term-by-term table; `raw` is the unsuppressed table, if hidden."""
    raw_rows = {row.key: row for row in (raw or table).rows}
    rows: list[list[Value]] = [["Figure", "Unit", *[term.name for term in dashboard.terms]]]
    for row in table.rows:
        cells: list[Value] = [row.label, row.unit]
        for value, original in zip(row.values, raw_rows[row.key].values, strict=True):
            if value is not None:
                cells.append(_number(value, row.unit))
            else:
                cells.append(NOT_APPLICABLE if original is None else SUPPRESSED)
        rows.append(cells)
    return rows


def _grid_value(cell: GridCell) -> Value:
    if cell.hidden:
        return SUPPRESSED
    if cell.value is not None:
        return _number(cell.value, cell.unit)
    return cell.note or NOT_APPLICABLE


def grid_rows(table: GridTable) -> list[list[Value]]:
    """Header and rows of an impact or spend table (governors': the suppressed one)."""
    rows: list[list[Value]] = [[table.row_header, *table.columns]]
    for row in table.rows:
        rows.append([row.label, *[_grid_value(cell) for cell in row.cells]])
    return rows


def csv_response(rows: list[list[Value]], filename: str) -> Response:
    """The rows as a UTF-8 CSV download (with a byte-order mark, so Excel reads £ and −)."""
    buffer = io.StringIO()
    # Every text field quoted, numbers left bare so they stay numbers (R43).
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_NONNUMERIC)
    for row in rows:
        writer.writerow([cell if isinstance(cell, int | float) else csv_text(cell) for cell in row])
    response = Response("\ufeff" + buffer.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
