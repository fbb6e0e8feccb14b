"""The governors' termly workbook: anonymised, suppressed, printable (DESIGN section 8).

A pure builder: it takes an already-anonymised Dashboard and writes bytes. It never sees a
pupil row, so no name, UPN, date of birth, registration group or free text can reach it.
"""

from datetime import UTC, datetime
from io import BytesIO

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.worksheet.worksheet import Worksheet

from school_tracker.dashboard.definitions import DEFINITIONS, SUPPRESSION_NOTE
from school_tracker.dashboard.figures import Dashboard, FigureTable
from school_tracker.privacy.suppression import SUPPRESSED
from school_tracker.reports.xlsx import header_row, prepare_sheet, set_properties, text_cell

# Sheet name -> the dashboard tables it holds, in DESIGN section 8's order.
SHEETS: dict[str, tuple[str, ...]] = {
    "Priorities": ("reached",),
    "Groups": ("groups", "gap"),
    "Interventions": ("interventions", "impact", "cost"),
    "Mentoring": ("mentoring",),
    "Exclusion risk": ("risk_levels", "risk_flow", "agencies"),
    "Suspensions": ("suspensions", "reasons", "suspension_rates"),
    "Professional learning": ("cpd",),
    "Parents and community": ("families",),
    "Kindness": ("kindness",),
}
CHARTS = {"reached": "line", "impact": "bar", "risk_levels": "bar", "kindness": "bar"}
NUMBER_FORMATS = {
    "pounds": "£#,##0.00",
    "percent": '0.0"%"',
    "points": "+0.0;-0.0;0.0",
    "hours": "0.0",
    "pupils": "0",
    "records": "0",
}


def _cell(ws: Worksheet, value: float | None, unit: str) -> Cell:
    from openpyxl.cell import WriteOnlyCell

    if value is None:
        return text_cell(ws, SUPPRESSED if unit in ("pupils", "records") else "–")
    cell = WriteOnlyCell(ws, value=value)
    cell.number_format = NUMBER_FORMATS.get(unit, "0")
    return cell


def _write_table(ws: Worksheet, table: FigureTable, dashboard: Dashboard, row: int) -> int:
    """Write one table (title, header, rows) starting at `row`; returns the next free row."""
    ws.append([text_cell(ws, table.title, bold=True)])
    ws.append(
        header_row(ws, ["Figure", *[term.name for term in dashboard.terms], "Change on last term"])
    )
    for figure in table.rows:
        last, previous = figure.values[-1], figure.values[-2] if len(figure.values) > 1 else None
        change = None if last is None or previous is None else round(last - previous, 2)
        ws.append(
            [
                text_cell(ws, figure.label),
                *[_cell(ws, v, figure.unit) for v in figure.values],
                _cell(ws, change, "points" if figure.unit == "percent" else figure.unit),
            ]
        )
    ws.append([])
    return row + len(table.rows) + 3


def _add_chart(
    ws: Worksheet, table: FigureTable, first_row: int, n_terms: int, anchor: str
) -> None:
    chart = BarChart() if CHARTS[table.key] == "bar" else LineChart()
    chart.title = table.title
    chart.height, chart.width = 7.5, 16
    rows = len(table.rows)
    data = Reference(
        ws, min_col=2, max_col=1 + n_terms, min_row=first_row + 2, max_row=first_row + 1 + rows
    )
    chart.add_data(data, from_rows=True, titles_from_data=False)
    chart.set_categories(Reference(ws, min_col=2, max_col=1 + n_terms, min_row=first_row + 1))
    for series, figure in zip(chart.series, table.rows, strict=False):
        from openpyxl.chart.series import SeriesLabel

        series.tx = SeriesLabel(v=figure.label[:60])
    ws.add_chart(chart, anchor)


def build_governors_workbook(
    dashboard: Dashboard, *, school_name: str, threshold: int, generated_at: datetime | None = None
) -> BytesIO:
    """The workbook as bytes, from a dashboard that has already been anonymised."""
    generated_at = generated_at or datetime.now(UTC)
    term = dashboard.selected
    wb = Workbook(write_only=True)
    set_properties(
        wb,
        title=f"Governors' inclusion report, {term.name}",
        subject=school_name,
        keywords=f"{term.key}; generated {generated_at:%Y-%m-%d}",
    )
    cover = wb.create_sheet("Cover")
    prepare_sheet(cover, [28, 90], freeze="A2")
    for label, value in (
        ("Report", "Governors' termly inclusion report"),
        ("School", school_name),
        (
            "Term",
            f"{term.name} ({term.academic_year}), {term.starts_on:%d/%m/%Y} to "
            f"{term.ends_on:%d/%m/%Y}",
        ),
        ("Generated", generated_at.strftime("%d/%m/%Y %H:%M UTC")),
        (
            "How to read it",
            "Each sheet shows this term beside the five before it, against the "
            "Achievement for All priorities. No child is named and small "
            "numbers are hidden: see the Notes sheet.",
        ),
    ):
        cover.append([text_cell(cover, label, bold=True), text_cell(cover, value)])
    n_terms = len(dashboard.terms)
    for sheet_name, keys in SHEETS.items():
        ws = wb.create_sheet(sheet_name)
        prepare_sheet(ws, [48, *[13] * n_terms, 14], freeze="B1")
        row = 1
        for key in keys:
            table = dashboard.table(key)
            if table is None:
                continue
            first = row
            row = _write_table(ws, table, dashboard, row)
            if key in CHARTS and table.rows:
                _add_chart(ws, table, first, n_terms, f"{chr(ord('A') + n_terms + 3)}{first}")
    notes = wb.create_sheet("Notes")
    prepare_sheet(notes, [28, 110], freeze="A2")
    notes.append(header_row(notes, ["Figure", "Definition"]))
    notes.append(
        [
            text_cell(notes, "Symbols"),
            text_cell(notes, SUPPRESSION_NOTE.format(threshold=threshold)),
        ]
    )
    notes.append(
        [
            text_cell(notes, "Dates"),
            text_cell(
                notes,
                "Terms use the school's own dates where set, otherwise the "
                "DfE statistics terms (autumn 1 Aug-31 Dec, spring 1 Jan-"
                "Easter Sunday, summer Easter Monday-31 Jul).",
            ),
        ]
    )
    for table in dashboard.tables:
        notes.append(
            [text_cell(notes, table.title), text_cell(notes, DEFINITIONS.get(table.key, ""))]
        )
    buffer = BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer
