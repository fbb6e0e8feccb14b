"""The leaders' named export (docs/design.md section 9): a sheet per record type and the roll.

openpyxl's write-only mode writes each row to a temporary file as soon as it is appended,
and every sheet's rows come from one SELECT read in batches (`yield_per`, a server-side
cursor on PostgreSQL), so memory stays flat however many schools and years are exported.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import IO

from openpyxl import Workbook

from school_tracker.audit import record_audit
from school_tracker.calendar.term_dates import calendar_for
from school_tracker.calendar.terms import parse_term_key
from school_tracker.extensions import db
from school_tracker.models import School, User
from school_tracker.reports.named import community as named_community
from school_tracker.reports.named import safety as named_safety
from school_tracker.reports.named import sheets as named_sheets
from school_tracker.reports.named.sheets import SheetQuery, Window, period_table
from school_tracker.reports.tabular import key_value_sheet, write_sheet
from school_tracker.reports.xlsx import download_name, set_properties

BATCH = 1000
REPORT = "named_export"
# Sheet order: the roll first, then the records in docs/design.md section 5's order.
SHEETS = (
    named_community.pupils,
    named_sheets.mentoring_pairings,
    named_sheets.mentoring_sessions,
    named_sheets.interventions,
    named_sheets.intervention_participants,
    named_safety.risk_flags,
    named_safety.risk_level_changes,
    named_safety.risk_status_changes,
    named_safety.risk_actions,
    named_safety.exclusions,
    named_community.professional_learning,
    named_community.parent_conversations,
    named_community.kindness_moments,
)
WHICH_RECORDS = (
    "Pairings, interventions (and each pupil's part in them) and exclusion-risk flags are "
    "included if they started on or before the last day of the period and had not ended "
    "before its first day. Sessions, suspensions, professional learning, parent "
    "conversations and kindness moments are included if their date is in the period. A "
    "flag's level and status history and its actions are listed with the flag. The Pupils "
    "sheet lists everyone on roll at any point in the period, with the pairings, "
    "interventions and flags of theirs that are in this workbook."
)


@dataclass(frozen=True)
class Period:
    """A term, or the academic year a term falls in, with each school's own dates."""

    term_key: str
    whole_year: bool
    label: str
    file_part: str
    windows: dict[int, Window] = field(hash=False)
    own_dates: dict[int, bool] = field(hash=False)


def resolve_period(school_ids: list[int], term_key: str, whole_year: bool) -> Period:
    """Each school's dates for the term (or its academic year); TermKeyError if malformed."""
    parse_term_key(term_key)
    windows: dict[int, Window] = {}
    own: dict[int, bool] = {}
    for school_id in school_ids:
        calendar = calendar_for(school_id)
        terms = calendar.academic_year_terms(term_key) if whole_year else [calendar.term(term_key)]
        windows[school_id] = (terms[0].starts_on, terms[-1].ends_on)
        own[school_id] = any(calendar.has_own_dates(term.key) for term in terms)
    term = terms[0]
    if whole_year:
        label, part = f"Academic year {term.academic_year}", f"year-{term.academic_year}"
    else:
        label, part = term.name, term.key
    return Period(term_key, whole_year, label, part.replace("/", "-"), windows, own)


def build_named_workbook(schools: list[School], period: Period, out: IO[bytes]) -> dict[str, int]:
    """Write the workbook to `out`; returns the rows written per sheet."""
    wb = Workbook(write_only=True)
    names = ", ".join(school.name for school in schools)
    set_properties(
        wb,
        title="Named records export (confidential)",
        subject=f"{names}: {period.label}",
        keywords="named; confidential",
    )
    key_value_sheet(wb, "Cover", _cover(schools, period))
    p = period_table(period.windows)
    counts: dict[str, int] = {}
    for make in SHEETS:
        sheet: SheetQuery = make(p)
        result = db.session.execute(
            sheet.statement.execution_options(yield_per=BATCH, stream_results=True)
        )
        try:
            counts[sheet.title] = write_sheet(wb, sheet.title, sheet.cols, result)
        finally:
            result.close()
    wb.save(out)
    return counts


def _cover(schools: list[School], period: Period) -> list[tuple[str, object]]:
    rows: list[tuple[str, object]] = [
        ("Report", "Leaders' named records export"),
        (
            "Confidential",
            "Names children and holds special-category data (SEND, exclusions, wellbeing). "
            "Keep it on the school's secure systems; do not e-mail or print it.",
        ),
        ("Period", period.label),
    ]
    for school in schools:
        starts, ends = period.windows[school.id]
        source = "the school's own term dates" if period.own_dates[school.id] else "default dates"
        rows.append((f"Dates used: {school.name}", f"{_uk(starts)} to {_uk(ends)} ({source})"))
    rows += [
        ("Generated", datetime.now(UTC).replace(microsecond=0)),
        ("Which records", WHICH_RECORDS),
    ]
    return rows


def _uk(day: date) -> str:
    return day.strftime("%d/%m/%Y")


@dataclass(frozen=True)
class NamedExport:
    """What was written: the generated file name and the rows per sheet."""

    filename: str
    counts: dict[str, int]


def export_named_records(
    schools: list[School], term_key: str, whole_year: bool, *, by: User | None, out: IO[bytes]
) -> NamedExport:
    """Build the export into `out` and audit it once (who, schools, period, row counts)."""
    period = resolve_period([school.id for school in schools], term_key, whole_year)
    counts = build_named_workbook(schools, period, out)
    single = len(schools) == 1
    record_audit(
        by,
        "export",
        REPORT,
        None,
        school_id=schools[0].id if single else None,
        changes={
            "report": REPORT,
            "term": term_key,
            "whole_year": whole_year,
            "schools": [school.slug for school in schools],
            "rows": counts,
        },
    )
    slug = schools[0].slug if single else "trust"
    return NamedExport(download_name(slug, "records", period.file_part), counts)
