"""Column-driven sheets for the named exports: every cell goes through the safe cell helpers.

A sheet is a list of `Col`s (header, width, how to get the value, text or not) plus rows from
anywhere (a streamed SQL result, or a short list for one pupil's file). Text columns always
go through `text_cell` (never a formula, illegal characters stripped, long text marked);
numbers and dates through `value_cell`; nothing is ever `ws.append`ed raw.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from school_tracker.reports.xlsx import header_row, prepare_sheet, text_cell, value_cell

Getter = Callable[[Any], Any]
LIST_SEPARATOR = "; "


@dataclass(frozen=True)
class Col:
    """One column: its header, width, how to read its value from a row, and whether it is text."""

    header: str
    width: int
    get: Getter
    text: bool = True
    number_format: str | None = None


def attr(name: str) -> Getter:
    """Read a labelled column (or attribute) from a row."""
    return lambda row: getattr(row, name)


def label(name: str) -> Getter:
    """An enum column shown as its label (or value when it has none)."""

    def get(row: Any) -> str | None:
        member = getattr(row, name)
        if member is None:
            return None
        return str(getattr(member, "label", member.value))

    return get


def pupil_label(surname: str | None, forename: str | None, preferred: str | None) -> str:
    """`Surname, Preferred-or-legal forename`, as the roll lists pupils."""
    if surname is None:
        return ""
    return f"{surname}, {preferred or forename}"


def joined(name: str, tidy: Callable[[str], str] = str) -> Getter:
    """An aggregated list column (see `aggregate`), sorted so the order is stable."""

    def get(row: Any) -> str:
        value = getattr(row, name)
        if not value:
            return ""
        parts = sorted(part for part in value.split(LIST_SEPARATOR) if part)
        return LIST_SEPARATOR.join(tidy(part) for part in parts)

    return get


def aggregate(
    column: sa.SQLColumnExpression[Any], link_from: Any, where: sa.ColumnElement[bool]
) -> sa.ScalarSelect[str | None]:
    """A correlated "a; b; c" of `column` for one row (group_concat / string_agg)."""
    return (
        sa.select(sa.func.aggregate_strings(sa.type_coerce(column, sa.String), LIST_SEPARATOR))
        .select_from(link_from)
        .where(where)
        .scalar_subquery()
    )


def write_sheet(wb: Workbook, title: str, cols: list[Col], rows: Iterable[Any]) -> int:
    """Add a sheet with a frozen bold header and one line per row; returns the rows written."""
    ws = wb.create_sheet(title)
    prepare_sheet(ws, [col.width for col in cols])
    ws.append(header_row(ws, [col.header for col in cols]))
    written = 0
    for row in rows:
        ws.append([_cell(ws, col, col.get(row)) for col in cols])
        written += 1
    return written


def _cell(ws: Worksheet, col: Col, value: Any) -> Any:
    # Nothing to write: openpyxl skips None without building a cell, which keeps sparse
    # sheets fast (an empty cell and an empty string read the same in Excel).
    if value is None or value == "":
        return None
    # Strings are always literal text, whatever the column; value_cell keeps numbers numeric.
    if isinstance(value, str):
        return text_cell(ws, value)
    cell = value_cell(ws, value)
    if col.number_format:
        cell.number_format = col.number_format
    return cell


def key_value_sheet(wb: Workbook, title: str, pairs: Iterable[tuple[str, Any]]) -> int:
    """A two-column "Field / Value" sheet (cover pages, a pupil's own details)."""
    cols = [
        Col("Field", 34, lambda pair: pair[0]),
        Col("Value", 90, lambda pair: pair[1], text=False),
    ]
    return write_sheet(wb, title, cols, pairs)
