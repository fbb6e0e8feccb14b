"""The reports page and its downloads (every download audited and rate-limited)."""

from flask import Blueprint, abort, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from school_tracker.auth.sessions import fresh_auth_required
from school_tracker.calendar.term_dates import calendar_for
from school_tracker.calendar.terms import TermKeyError, school_today
from school_tracker.dashboard.selection import default_term_key
from school_tracker.documents.pdf import pdf_response
from school_tracker.extensions import db, limiter
from school_tracker.models import Role, School, Trust
from school_tracker.permissions import LEADERS_AND_GOVERNORS, allow, current_school_id
from school_tracker.reports.governors import services
from school_tracker.reports.trust.services import trust_workbook as build_trust_workbook
from school_tracker.reports.xlsx import workbook_response

bp = Blueprint("reports", __name__)
TERMS_OFFERED = 9


def _download_limit() -> str:
    limit: str = current_app.config["EXPORT_LIMIT"]
    return limit


def _user_key() -> str:
    return f"export:{current_user.id}"


# One budget per person across every download (R48): a per-route limit would allow the
# EXPORT_LIMIT of each report in turn.
export_limit = limiter.shared_limit(_download_limit, scope="export", key_func=_user_key)


@bp.route("/")
@allow(LEADERS_AND_GOVERNORS)
def index() -> ResponseReturnValue:
    """The downloads this person may take, for a chosen term."""
    calendar = calendar_for(current_school_id())
    current = calendar.term_for(school_today())
    terms = list(reversed(calendar.recent(current.key, TERMS_OFFERED)))
    return render_template("reports/index.html", terms=terms, current=current)


@bp.route("/governors.xlsx")
@allow(LEADERS_AND_GOVERNORS)
@fresh_auth_required
@export_limit
def governors_workbook() -> ResponseReturnValue:
    """The anonymised termly workbook for governors."""
    school = db.session.get_one(School, current_school_id())
    try:
        buffer, filename = services.governors_workbook(
            school, request.args.get("term", ""), by=current_user
        )
    except TermKeyError:
        abort(400)
    db.session.commit()
    return workbook_response(buffer, filename)


@bp.route("/governors.pdf")
@allow(LEADERS_AND_GOVERNORS)
@fresh_auth_required
@export_limit
def governors_summary() -> ResponseReturnValue:
    """The governors' summary PDF for a board pack (the same figures as the workbook)."""
    school = db.session.get_one(School, current_school_id())
    try:
        pdf, filename = services.governors_summary(
            school, request.args.get("term", ""), by=current_user
        )
    except TermKeyError:
        abort(400)
    db.session.commit()
    return pdf_response(pdf, filename)


@bp.route("/trust.xlsx")
@allow(Role.TRUST_LEADER)
@fresh_auth_required
@export_limit
def trust_workbook() -> ResponseReturnValue:
    """The trust's schools side by side, anonymised and suppressed, for trust leaders."""
    trust = db.session.get_one(Trust, current_user.trust_id)
    try:
        buffer, filename = build_trust_workbook(
            trust, request.args.get("term") or default_term_key(), by=current_user
        )
    except TermKeyError:
        abort(400)
    db.session.commit()
    return workbook_response(buffer, filename)
