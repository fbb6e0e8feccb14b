"""The pupils and the records behind a dashboard number (leaders only, audited)."""

from flask import abort, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from school_tracker.audit import record_audit
from school_tracker.dashboard.drill_records import UnknownRecords, drill_records
from school_tracker.dashboard.drilldown import UnknownFigure, drill_pupils
from school_tracker.dashboard.selection import Selection, read_selection
from school_tracker.dashboard.views import bp
from school_tracker.extensions import db
from school_tracker.models import PUPIL_GROUPS, Role
from school_tracker.permissions import allow, current_school_id

PER_PAGE = 50


def _audit(figure: str, selection: Selection) -> None:
    record_audit(
        current_user,
        "view_list",
        "dashboard",
        None,
        changes={"figure": figure, "term": selection.term.key},
    )
    db.session.commit()


@bp.route("/pupils")
@allow(Role.LEADER)
def pupils() -> ResponseReturnValue:
    """The pupils behind one dashboard number (the same definition, for one term)."""
    school_id = current_school_id()
    selection = read_selection(school_id)
    figure = request.args.get("figure", "")
    year = selection.calendar.academic_year_terms(selection.term.key)
    try:
        stmt = drill_pupils(school_id, selection.term, figure, selection.filters, year)
    except (UnknownFigure, KeyError, ValueError):
        abort(404)
    page = max(request.args.get("page", 1, type=int), 1)
    pagination = db.paginate(stmt, page=page, per_page=PER_PAGE, error_out=False)
    _audit(figure, selection)
    return render_template(
        "dashboard/pupils.html",
        pagination=pagination,
        figure=figure,
        selection=selection,
        groups=PUPIL_GROUPS,
    )


@bp.route("/records")
@allow(Role.LEADER)
def records() -> ResponseReturnValue:
    """The records behind one dashboard number: interventions, sessions, suspensions, ..."""
    school_id = current_school_id()
    selection = read_selection(school_id)
    figure = request.args.get("figure", "")
    try:
        kind, stmt = drill_records(school_id, selection.term, figure, selection.filters)
    except (UnknownRecords, KeyError, ValueError):
        abort(404)
    page = max(request.args.get("page", 1, type=int), 1)
    pagination = db.paginate(stmt, page=page, per_page=PER_PAGE, error_out=False)
    _audit(figure, selection)
    return render_template(
        "dashboard/records.html",
        pagination=pagination,
        lines=[kind.line(row) for row in pagination.items],
        noun=kind.noun,
        figure=figure,
        selection=selection,
    )
