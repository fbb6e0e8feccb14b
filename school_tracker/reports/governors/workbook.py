"""The governors' termly workbook, to the Analysis Function standard (docs/design.md section 8).

A pure builder: it takes figures already published (suppressed, with their shorthand) and
writes bytes. It never sees a pupil row, so no name, UPN, date of birth, registration group or
free text can reach it.
"""

from collections.abc import Sequence
from datetime import datetime
from io import BytesIO

from school_tracker.calendar.terms import Term
from school_tracker.dashboard.definitions import SUPPRESSION_NOTE
from school_tracker.dashboard.impact import ImpactReport
from school_tracker.dashboard.spend import SpendReport
from school_tracker.reports.figures import SYMBOLS_USED, PublishedTable
from school_tracker.reports.governors.value import value_sheets
from school_tracker.reports.publication import (
    CoverSection,
    Publication,
    TableRow,
    TableSheet,
    build_publication,
    note_reference,
)

# Each dashboard table's sheet, in docs/design.md section 8's order. A table the dashboard
# gains later gets a sheet named from its key, after these.
SHEET_NAMES: dict[str, str] = {
    "reached": "Priorities",
    "groups": "Groups",
    "gap": "Gap",
    "interventions": "Interventions",
    "impact": "Impact",
    "cost": "Cost",
    "mentoring": "Mentoring",
    "risk_levels": "Risk_levels",
    "risk_flow": "Risk_flow",
    "agencies": "Agencies",
    "suspensions": "Suspensions",
    "reasons": "Suspension_reasons",
    "suspension_rates": "Suspension_rates",
    "cpd": "Staff_learning",
    "families": "Families",
    "kindness": "Kindness",
}
CHANGE_HEADER = "Change on last term"
# Notes every table shares; each table's own definition follows them.
SYMBOLS_NOTE, SUPPRESSION, TERMS_NOTE, CHANGE_NOTE = 1, 2, 3, 4
FIRST_DEFINITION = 5


def sheet_name(key: str) -> str:
    """The short, unique sheet name of a dashboard table."""
    return SHEET_NAMES.get(key) or key.replace(" ", "_").capitalize()[:31]


def in_sheet_order(tables: Sequence[PublishedTable]) -> list[PublishedTable]:
    """Tables in the workbook's order; tables it does not know yet go last, as built."""
    order = list(SHEET_NAMES)
    return sorted(tables, key=lambda t: order.index(t.key) if t.key in order else len(order))


def _shared_notes(threshold: int) -> list[str]:
    symbols = "; ".join(f"{symbol} {meaning}" for symbol, meaning in SYMBOLS_USED.items())
    return [
        f"Symbols: {symbols}; 0 means none.",
        SUPPRESSION_NOTE.format(threshold=threshold),
        "Terms use the school's own dates where set, otherwise the DfE statistics terms "
        "(autumn 1 August to 31 December, spring 1 January to Easter Sunday, summer Easter "
        "Monday to 31 July). Figures are for each term as a whole, oldest term first.",
        f"{CHANGE_HEADER}: this term's figure minus the term before's, in the figure's own "
        "unit (percentage points for a percentage). It is [c] where either figure is hidden.",
    ]


def _table_sheet(
    table: PublishedTable, number: int, terms: Sequence[Term], generated: str
) -> TableSheet:
    notes = ", ".join(
        note_reference(n) for n in (SYMBOLS_NOTE, SUPPRESSION, TERMS_NOTE, CHANGE_NOTE, number)
    )
    rows = [
        TableRow(
            labels=(figure.label, figure.unit_name),
            values=(*figure.values, figure.change),
            number_format=figure.number_format,
            formats={len(figure.values): figure.change_format},
        )
        for figure in table.figures
    ]
    return TableSheet(
        sheet_name=sheet_name(table.key),
        title=table.title,
        about=(
            f"This worksheet contains one table: the school's figures for the {len(terms)} "
            f"terms to {terms[-1].name}, oldest first, and the change on the term before.",
            f"Notes: {notes}, on the Notes sheet ({note_reference(number)} says what it counts).",
            f"Source: the school's records in the Kindness & Mutuality Tracker, {generated}.",
        ),
        header=("Figure", "Unit", *(term.name for term in terms), CHANGE_HEADER),
        rows=rows,
        label_widths=(50, 16),
        value_width=13,
        notes=notes,
    )


def _cover(school_name: str, term: Term, generated: str, threshold: int) -> list[CoverSection]:
    return [
        CoverSection(
            "About this workbook",
            (
                f"The school's inclusion figures for {term.name} and the five terms before it, "
                "against the Achievement for All priorities, for the governing board.",
                "The Contents sheet lists every table and links to it. Each table is on a "
                "sheet of its own, with one header row: the figure, its unit, one column per "
                "term (oldest first) and the change on the term before.",
            ),
        ),
        CoverSection("School", (school_name,)),
        CoverSection(
            "Term",
            (
                f"{term.name} ({term.academic_year}): {term.starts_on.day} "
                f"{term.starts_on:%B %Y} to {term.ends_on.day} {term.ends_on:%B %Y}.",
            ),
        ),
        CoverSection("Published", (f"Generated from the school's records on {generated}.",)),
        CoverSection(
            "Protecting children's privacy",
            (
                "No child is named and no pupil-level record is included. Any count of 1 to "
                f"{threshold} pupils is shown as [c], and so is any other figure it could be "
                "worked out from.",
            ),
        ),
        CoverSection(
            "Symbols",
            (
                *(f"{symbol} means {meaning}." for symbol, meaning in SYMBOLS_USED.items()),
                "0 means none.",
            ),
        ),
        CoverSection(
            "Questions",
            ("Ask the headteacher or the school's inclusion lead about any figure.",),
        ),
    ]


def build_governors_workbook(
    tables: Sequence[PublishedTable],
    terms: Sequence[Term],
    *,
    school_name: str,
    threshold: int,
    generated_at: datetime,
    impact: ImpactReport | None = None,
    spend: SpendReport | None = None,
) -> BytesIO:
    """The workbook as bytes, from figures that have already been published (suppressed), with
    the impact and spend sheets (suppressed in value.py) when those reports are given."""
    term = terms[-1]
    generated = f"{generated_at.day} {generated_at:%B %Y}"
    ordered = in_sheet_order(tables)
    notes = _shared_notes(threshold)
    sheets = []
    for table in ordered:
        notes.append(f"{table.title}: {table.definition}")
        sheets.append(_table_sheet(table, len(notes), terms, generated))
    if impact is not None and spend is not None:
        shared = (SYMBOLS_NOTE, SUPPRESSION, TERMS_NOTE)
        more, more_notes = value_sheets(impact, spend, threshold, shared, len(notes) + 1)
        sheets += more
        notes += more_notes
    publication = Publication(
        title=f"Governors' inclusion report: {term.name}",
        subject=school_name,
        keywords=f"{term.key}; generated {generated_at:%Y-%m-%d}",
        cover=_cover(school_name, term, generated, threshold),
        notes=notes,
        tables=sheets,
    )
    return build_publication(publication, generated_at=generated_at)
