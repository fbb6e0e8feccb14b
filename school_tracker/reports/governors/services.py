"""Producing the governors' reports: gather the figures, build the file, audit the download."""

from datetime import UTC, datetime
from io import BytesIO

from flask import current_app

from school_tracker.audit import record_audit
from school_tracker.calendar.term_dates import calendar_for
from school_tracker.calendar.terms import Term, parse_term_key
from school_tracker.dashboard.figures import build_dashboard
from school_tracker.dashboard.impact import impact_report
from school_tracker.dashboard.sources import DashboardFilters
from school_tracker.dashboard.spend import spend_report
from school_tracker.models import School, User
from school_tracker.reports.figures import PublishedTable, publish
from school_tracker.reports.governors.summary import build_governors_summary
from school_tracker.reports.governors.workbook import build_governors_workbook, sheet_name
from school_tracker.reports.xlsx import download_name

TERMS_IN_WORKBOOK = 6


def _published_figures(school: School, term_key: str) -> tuple[list[Term], list[PublishedTable]]:
    """The school's six terms to `term_key` and every figure, as governors may see them."""
    parse_term_key(term_key)  # raises TermKeyError for anything else
    terms = calendar_for(school.id).recent(term_key, TERMS_IN_WORKBOOK)
    threshold = current_app.config["SUPPRESSION_THRESHOLD"]
    return terms, publish(build_dashboard(school.id, terms), threshold)


def _audit(by: User | None, school: School, report: str, term_key: str, rows: object) -> None:
    record_audit(
        by,
        "export",
        report,
        None,
        school_id=school.id,
        changes={"report": report, "term": term_key, "rows": rows},
    )


def governors_workbook(school: School, term_key: str, *, by: User | None) -> tuple[BytesIO, str]:
    """The anonymised termly workbook for a school and its generated file name."""
    terms, tables = _published_figures(school, term_key)
    threshold = current_app.config["SUPPRESSION_THRESHOLD"]
    everyone = DashboardFilters()
    year_terms = calendar_for(school.id).academic_year_terms(term_key)
    buffer = build_governors_workbook(
        tables,
        terms,
        school_name=school.name,
        threshold=threshold,
        generated_at=datetime.now(UTC),
        impact=impact_report(school.id, terms[-1], everyone, threshold),
        spend=spend_report(school.id, year_terms, everyone),
    )
    # The workbook's "row count" for the audit: figure lines per sheet (it has no pupil rows).
    _audit(
        by,
        school,
        "governors_workbook",
        term_key,
        {sheet_name(table.key): len(table.figures) for table in tables},
    )
    return buffer, download_name(school.slug, "governors-report", term_key)


def governors_summary(school: School, term_key: str, *, by: User | None) -> tuple[bytes, str]:
    """The governors' summary PDF for a board pack, and its generated file name."""
    terms, tables = _published_figures(school, term_key)
    pdf = build_governors_summary(
        tables,
        terms,
        school_name=school.name,
        threshold=current_app.config["SUPPRESSION_THRESHOLD"],
        generated_at=datetime.now(UTC),
    )
    _audit(by, school, "governors_summary", term_key, {"tables": len(tables)})
    name = download_name(school.slug, "governors-summary", term_key, extension="pdf")
    return pdf, name
