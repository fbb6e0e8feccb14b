"""The summary, its sections (each table also as CSV), the charts and the trust view."""

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from school_tracker.calendar.terms import TermKeyError, parse_term_key, school_today
from school_tracker.dashboard.anonymise import anonymise
from school_tracker.dashboard.charts import chart_svg, has_chart
from school_tracker.dashboard.definitions import DEFINITIONS, SUPPRESSION_NOTE
from school_tracker.dashboard.downloads import csv_response, figure_rows, grid_rows
from school_tracker.dashboard.figures import TABLE_SOURCES, build_dashboard
from school_tracker.dashboard.grids import (
    GridTable,
    cell_text,
    impact_grids,
    spend_grids,
    suppress_grid,
)
from school_tracker.dashboard.impact import impact_report
from school_tracker.dashboard.links import DrillLinks, drill_links, list_phrase
from school_tracker.dashboard.sections import IMPACT, SECTIONS, SPEND
from school_tracker.dashboard.selection import (
    Selection,
    default_term_key,
    read_selection,
    recent_default_terms,
)
from school_tracker.dashboard.spend import spend_report
from school_tracker.dashboard.summary import build_summary
from school_tracker.dashboard.trust import trust_comparison
from school_tracker.models import PUPIL_GROUPS, Role, YearGroup
from school_tracker.permissions import LEADERS_AND_GOVERNORS, allow, current_school_id

bp = Blueprint("dashboard", __name__)


def _threshold() -> int:
    return int(current_app.config["SUPPRESSION_THRESHOLD"])


def _is_governor() -> bool:
    return bool(current_user.role is Role.GOVERNOR)


def _page_context(selection: Selection) -> dict:
    threshold = _threshold()
    return {
        "selection": selection,
        "anonymised": _is_governor(),
        "note": SUPPRESSION_NOTE.format(threshold=threshold),
        "years": YearGroup,
        "groups": PUPIL_GROUPS,
        "dashboard_sections": SECTIONS,
        "definitions": DEFINITIONS,
        "list_phrase": list_phrase,
    }


@bp.route("/")
@allow(LEADERS_AND_GOVERNORS)
def index() -> ResponseReturnValue:
    """One screen: a tile per priority and headline figure, and what needs attention."""
    school_id = current_school_id()
    selection = read_selection(school_id)
    as_of = min(school_today(), selection.term.ends_on)
    summary = build_summary(
        school_id,
        selection.terms,
        selection.filters,
        as_of,
        threshold=_threshold() if _is_governor() else None,
    )
    return render_template(
        "dashboard/index.html",
        summary=summary,
        as_of=as_of,
        links=DrillLinks(),
        **_page_context(selection),
    )


def _grids(school_id: int, selection: Selection, section: str) -> list[GridTable]:
    """The impact or spend tables: governors are shown the suppressed ones."""
    if section == IMPACT:
        report = impact_report(school_id, selection.term, selection.filters, _threshold())
        raw = impact_grids(report)
    else:
        year = selection.calendar.academic_year_terms(selection.term.key)
        raw = spend_grids(spend_report(school_id, year, selection.filters))
    if _is_governor():
        return [suppress_grid(table, _threshold()) for table in raw]
    return raw


def _csv_name(section: str, table: str, selection: Selection) -> str:
    # Made up by the server from allowlisted keys only, so it is plain ASCII (R46).
    slug = current_user.school.slug if current_user.school else "school"
    return f"{slug}_dashboard-{section}-{table}_{selection.term.key}.csv"


@bp.route("/<section>")
@allow(LEADERS_AND_GOVERNORS)
def section(section: str) -> ResponseReturnValue:
    """One section's tables for the chosen term and filters; `?format=csv&table=` downloads one."""
    if section not in SECTIONS:
        abort(404)
    school_id = current_school_id()
    selection = read_selection(school_id)
    wanted = request.args.get("format")
    if wanted not in (None, "", "csv"):
        abort(400)
    context = _page_context(selection)
    if section in (IMPACT, SPEND):
        grids = _grids(school_id, selection, section)
        if wanted == "csv":
            key = request.args.get("table") or grids[0].key
            index = next((i for i, t in enumerate(grids) if t.key == key), None)
            if index is None:
                abort(404)
            rows = grid_rows(grids[index])
            return csv_response(rows, _csv_name(section, key, selection))
        return render_template(
            "dashboard/grid_section.html",
            section=SECTIONS[section],
            grids=grids,
            links=DrillLinks(),
            cell_text=cell_text,
            **context,
        )
    keys = SECTIONS[section].tables
    raw = build_dashboard(school_id, selection.terms, selection.filters, only=keys)
    dashboard = anonymise(raw, _threshold()) if _is_governor() else raw
    dashboard.tables = [table for table in dashboard.tables if table.key in keys]
    if wanted == "csv":
        key = request.args.get("table") or keys[0]
        table = dashboard.table(key)
        if table is None:
            abort(404)
        rows = figure_rows(table, raw.table(key), dashboard)
        return csv_response(rows, _csv_name(section, key, selection))
    return render_template(
        "dashboard/section.html",
        section=SECTIONS[section],
        dashboard=dashboard,
        charts={table.key for table in dashboard.tables if has_chart(table)},
        drill_links=drill_links(dashboard),
        **context,
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
    threshold = _threshold()
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
    if _is_governor():
        dashboard = anonymise(dashboard, _threshold())
    svg = chart_svg(dashboard.built_table(table_key), dashboard.terms)
    return Response(svg, mimetype="image/svg+xml")
