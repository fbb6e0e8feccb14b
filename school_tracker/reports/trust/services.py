"""Producing the trust workbook: each school's published figures, the file, the audit entry."""

from datetime import UTC, datetime
from io import BytesIO

import sqlalchemy as sa
from flask import current_app

from school_tracker.audit import record_audit
from school_tracker.calendar.term_dates import calendar_for
from school_tracker.calendar.terms import parse_term_key
from school_tracker.dashboard.figures import build_dashboard
from school_tracker.extensions import db
from school_tracker.models import School, Trust, User
from school_tracker.reports.figures import publish
from school_tracker.reports.trust.workbook import SchoolFigures, build_trust_workbook
from school_tracker.reports.xlsx import download_name


def trust_workbook(trust: Trust, term_key: str, *, by: User | None) -> tuple[BytesIO, str]:
    """The trust's schools side by side for one term (each by its own term dates)."""
    parse_term_key(term_key)  # raises TermKeyError for anything else
    threshold = current_app.config["SUPPRESSION_THRESHOLD"]
    schools = db.session.scalars(
        sa.select(School).where(School.trust_id == trust.id).order_by(School.name, School.id)
    )
    columns = []
    for school in schools:
        terms = calendar_for(school.id).recent(term_key, 2)  # this term and the one before
        columns.append(
            SchoolFigures(
                school.name, terms[-1], publish(build_dashboard(school.id, terms), threshold)
            )
        )
    buffer = build_trust_workbook(
        columns, trust_name=trust.name, threshold=threshold, generated_at=datetime.now(UTC)
    )
    record_audit(
        by,
        "export",
        "trust_workbook",
        None,
        changes={"report": "trust_workbook", "term": term_key, "schools": len(columns)},
    )
    return buffer, download_name(f"trust-{trust.id}", "trust-report", term_key)
