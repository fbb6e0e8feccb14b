"""The trust workbook for trust leaders: the schools side by side, one column each.

To the same Analysis Function standard as the governors' workbook (reports/publication.py):
a Summary of the figures compared across the trust, the Change on last term for the same
figures, then one sheet per dashboard table. Each school's figures are published (suppressed)
on their own, exactly as its governors see them, so no cell here says more than they do.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO

from school_tracker.calendar.terms import Term
from school_tracker.dashboard.definitions import SUPPRESSION_NOTE
from school_tracker.dashboard.trust import COMPARED
from school_tracker.reports.figures import (
    NOT_APPLICABLE,
    SYMBOLS_USED,
    Published,
    PublishedFigure,
    PublishedTable,
)
from school_tracker.reports.governors.workbook import in_sheet_order, sheet_name
from school_tracker.reports.publication import (
    CoverSection,
    Publication,
    TableRow,
    TableSheet,
    build_publication,
    note_reference,
)

SYMBOLS_NOTE, SUPPRESSION, TERMS_NOTE, CHANGE_NOTE = 1, 2, 3, 4


@dataclass(frozen=True)
class SchoolFigures:
    """One school's column: its name, its own dates for the term, and its published figures."""

    name: str
    term: Term
    tables: Sequence[PublishedTable]

    def figure(self, table_key: str, figure_key: str) -> PublishedFigure | None:
        table = next((t for t in self.tables if t.key == table_key), None)
        return table.figure(figure_key) if table else None


def _unique_headers(names: Sequence[str]) -> list[str]:
    """School names as column headers, which an Excel table needs to be unique."""
    seen: dict[str, int] = {}
    headers = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        headers.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return headers


def _row(
    pairs: Sequence[tuple[str, str]], schools: Sequence[SchoolFigures], *, change: bool
) -> list[TableRow]:
    """One row per (table key, figure key): each school's value (or change) for this term."""
    rows = []
    for table_key, figure_key in pairs:
        figures = [school.figure(table_key, figure_key) for school in schools]
        found = next((f for f in figures if f is not None), None)
        if found is None:
            continue
        values: list[Published] = [
            NOT_APPLICABLE if f is None else (f.change if change else f.latest) for f in figures
        ]
        rows.append(
            TableRow(
                labels=(found.label, found.unit_name),
                values=values,
                number_format=found.change_format if change else found.number_format,
            )
        )
    return rows


def _sheet(
    name: str,
    title: str,
    about: str,
    notes: Sequence[int],
    headers: Sequence[str],
    rows: Sequence[TableRow],
) -> TableSheet:
    cited = ", ".join(note_reference(n) for n in notes)
    return TableSheet(
        sheet_name=name,
        title=title,
        about=(about, f"Notes: {cited}, on the Notes sheet."),
        header=("Figure", "Unit", *headers),
        rows=rows,
        label_widths=(50, 16),
        value_width=18,
        notes=cited,
    )


def build_trust_workbook(
    schools: Sequence[SchoolFigures], *, trust_name: str, threshold: int, generated_at: datetime
) -> BytesIO:
    """The workbook as bytes, from each school's already published figures."""
    headers = _unique_headers([school.name for school in schools])
    term_name = schools[0].term.name if schools else "this term"
    shared = (SYMBOLS_NOTE, SUPPRESSION, TERMS_NOTE)
    symbols = "; ".join(f"{symbol} {meaning}" for symbol, meaning in SYMBOLS_USED.items())
    notes = [
        f"Symbols: {symbols}; 0 means none.",
        SUPPRESSION_NOTE.format(threshold=threshold)
        + " Each school's figures are suppressed on their own, as its governors see them.",
        "Each school's figures are for the term by its own dates: "
        + "; ".join(
            f"{school.name} {school.term.starts_on:%d/%m/%Y} to {school.term.ends_on:%d/%m/%Y}"
            for school in schools
        )
        + ".",
        "Change on last term: the school's figure this term minus its figure the term before, "
        "in the figure's own unit (percentage points for a percentage); [c] where either is "
        "hidden.",
    ]
    sheets = [
        _sheet(
            "Summary",
            f"The trust's schools side by side, {term_name}",
            f"This worksheet contains one table: the main figures for each school, {term_name}.",
            shared,
            headers,
            _row(COMPARED, schools, change=False),
        ),
        _sheet(
            "Change",
            f"Change on last term, {term_name}",
            "This worksheet contains one table: the same figures' change on the term before.",
            (*shared, CHANGE_NOTE),
            headers,
            _row(COMPARED, schools, change=True),
        ),
    ]
    first = schools[0].tables if schools else []
    for table in in_sheet_order(first):
        notes.append(f"{table.title}: {table.definition}")
        pairs = [(table.key, figure.key) for figure in table.figures]
        sheets.append(
            _sheet(
                sheet_name(table.key),
                f"{table.title}, {term_name}",
                f"This worksheet contains one table: {table.title.lower()}, for each school.",
                (*shared, len(notes)),
                headers,
                _row(pairs, schools, change=False),
            )
        )
    cover = [
        CoverSection(
            "About this workbook",
            (
                f"The schools of {trust_name} side by side for {term_name}: the same figures "
                "as each school's governors' workbook, one column per school.",
                "The Contents sheet lists every table and links to it. Summary and Change hold "
                "the main figures; each sheet after them holds one dashboard table.",
            ),
        ),
        CoverSection("Schools", tuple(school.name for school in schools) or ("None yet.",)),
        CoverSection("Published", (f"Generated on {generated_at.day} {generated_at:%B %Y}.",)),
        CoverSection(
            "Protecting children's privacy",
            (
                "No child is named. Any count of 1 to "
                f"{threshold} pupils is shown as [c], and so is any figure it could be worked "
                "out from.",
                *(f"{symbol} means {meaning}." for symbol, meaning in SYMBOLS_USED.items()),
            ),
        ),
    ]
    publication = Publication(
        title=f"Trust inclusion report: {term_name}",
        subject=trust_name,
        keywords=f"trust; generated {generated_at:%Y-%m-%d}",
        cover=cover,
        notes=notes,
        tables=sheets,
    )
    return build_publication(publication, generated_at=generated_at)
