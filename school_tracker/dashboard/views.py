"""The dashboard page and the pupil lists behind its numbers."""

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from school_tracker.audit import record_audit
from school_tracker.calendar.terms import TermKeyError, parse_term_key, school_today
from school_tracker.dashboard.anonymise import anonymise
from school_tracker.dashboard.charts import chart_svg, has_chart
from school_tracker.dashboard.definitions import DEFINITIONS, SUPPRESSION_NOTE
from school_tracker.dashboard.drilldown import UnknownFigure, drill_pupils
from school_tracker.dashboard.figures import TABLE_SOURCES, build_dashboard, overdue_reviews
from school_tracker.dashboard.links import drill_links
from school_tracker.dashboard.selection import (
    default_term_key,
    read_selection,
    recent_default_terms,
)
from school_tracker.dashboard.trust import trust_comparison
from school_tracker.extensions import db
from school_tracker.models import PUPIL_GROUPS, Role, YearGroup
from school_tracker.permissions import LEADERS_AND_GOVERNORS, allow, current_school_id
from school_tracker.privacy.suppression import suppress_count

bp = Blueprint("dashboard", __name__)


@bp.route("/")
@allow(LEADERS_AND_GOVERNORS)
def index() -> ResponseReturnValue:
    """Every figure for the chosen term beside the five before it."""
    school_id = current_school_id()
    selection = read_selection(school_id)
    dashboard = build_dashboard(school_id, selection.terms, selection.filters)
    as_of = min(school_today(), selection.term.ends_on)
    overdue = overdue_reviews(school_id, as_of)
    shown_overdue: dict[str, int | None] = dict(overdue)
    threshold = current_app.config["SUPPRESSION_THRESHOLD"]
    anonymised = current_user.role is Role.GOVERNOR
    if anonymised:
        dashboard = anonymise(dashboard, threshold)
        shown_overdue = {key: suppress_count(value, threshold) for key, value in overdue.items()}
    charts = {table.key for table in dashboard.tables if has_chart(table)}
    return render_template(
        "dashboard/index.html",
        dashboard=dashboard,
        selection=selection,
        charts=charts,
        drill_links=drill_links(dashboard),
        definitions=DEFINITIONS,
        overdue=shown_overdue,
        as_of=as_of,
        anonymised=anonymised,
        note=SUPPRESSION_NOTE.format(threshold=threshold),
        years=YearGroup,
        groups=PUPIL_GROUPS,
    )


@bp.route("/trust")
@allow(Role.TRUST_LEADER)
def trust() -> ResponseReturnValue:
    """The trust's schools side by side on the same figures, anonymised and suppressed."""
    key = request.args.get("term") or default_term_key()
    try:
        parse_term_key(key)
    except TermKeyError:
        abort(400)
    threshold = current_app.config["SUPPRESSION_THRESHOLD"]
    schools, rows = trust_comparison(current_user.trust_id, key, threshold)
    return render_template(
        "dashboard/trust.html",
        schools=schools,
        rows=rows,
        term_key=key,
        choices=recent_default_terms(),
        definitions=DEFINITIONS,
        note=SUPPRESSION_NOTE.format(threshold=threshold),
    )


@bp.route("/chart/<table_key>.svg")
@allow(LEADERS_AND_GOVERNORS)
def chart(table_key: str) -> ResponseReturnValue:
    """One figure's chart, computed on its own (governors get the suppressed numbers)."""
    if table_key not in TABLE_SOURCES:
        abort(404)
    school_id = current_school_id()
    selection = read_selection(school_id)
    dashboard = build_dashboard(school_id, selection.terms, selection.filters, only=table_key)
    if current_user.role is Role.GOVERNOR:
        dashboard = anonymise(dashboard, current_app.config["SUPPRESSION_THRESHOLD"])
    svg = chart_svg(dashboard.built_table(table_key), dashboard.terms)
    return Response(svg, mimetype="image/svg+xml")


@bp.route("/pupils")
@allow(Role.LEADER)
def pupils() -> ResponseReturnValue:
    """The pupils behind one dashboard number (the same definition, for one term)."""
    school_id = current_school_id()
    selection = read_selection(school_id)
    figure = request.args.get("figure", "")
    try:
        stmt = drill_pupils(school_id, selection.term, figure, selection.filters)
    except (UnknownFigure, KeyError, ValueError):
        abort(404)
    page = max(request.args.get("page", 1, type=int), 1)
    pagination = db.paginate(stmt, page=page, per_page=50, error_out=False)
    record_audit(
        current_user,
        "view_list",
        "dashboard",
        None,
        changes={"figure": figure, "term": selection.term.key},
    )
    db.session.commit()
    return render_template(
        "dashboard/pupils.html",
        pagination=pagination,
        figure=figure,
        selection=selection,
        groups=PUPIL_GROUPS,
    )
