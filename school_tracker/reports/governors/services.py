"""Producing reports: gather the figures, build the file, audit the download."""

from io import BytesIO

from flask import current_app

from school_tracker.audit import record_audit
from school_tracker.calendar.term_dates import calendar_for
from school_tracker.calendar.terms import parse_term_key
from school_tracker.dashboard.anonymise import anonymise
from school_tracker.dashboard.figures import Dashboard, build_dashboard
from school_tracker.models import School, User
from school_tracker.reports.governors.workbook import SHEETS, build_governors_workbook
from school_tracker.reports.xlsx import download_name

TERMS_IN_WORKBOOK = 6


def _figure_rows(dashboard: Dashboard) -> dict[str, int]:
    """Figure lines per sheet: the workbook's "row count" for the audit (it has no pupil rows)."""
    return {
        sheet: sum(len(table.rows) for key in keys if (table := dashboard.table(key)) is not None)
        for sheet, keys in SHEETS.items()
    }


def governors_workbook(school: School, term_key: str, *, by: User | None) -> tuple[BytesIO, str]:
    """The anonymised termly workbook for a school and its generated file name."""
    parse_term_key(term_key)  # raises TermKeyError for anything else
    terms = calendar_for(school.id).recent(term_key, TERMS_IN_WORKBOOK)
    threshold = current_app.config["SUPPRESSION_THRESHOLD"]
    dashboard = anonymise(build_dashboard(school.id, terms), threshold)
    buffer = build_governors_workbook(dashboard, school_name=school.name, threshold=threshold)
    record_audit(
        by,
        "export",
        "governors_workbook",
        None,
        school_id=school.id,
        changes={"report": "governors_workbook", "term": term_key, "rows": _figure_rows(dashboard)},
    )
    return buffer, download_name(school.slug, "governors-report", term_key)
