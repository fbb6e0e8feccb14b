"""Every dashboard figure for one school, a chosen term and the five terms before it.

Each figure is one SQL statement over all six terms (see sources.py), so the dashboard's
query count is fixed. Definitions shown to leaders and governors live in definitions.py.
"""

from collections.abc import Callable

import sqlalchemy as sa

from school_tracker.calendar.terms import Term
from school_tracker.dashboard import sources as src
from school_tracker.dashboard.figures_programme import mentoring, programme
from school_tracker.dashboard.figures_safety import (
    RATE_GROUPS,
    overdue_reviews,
    risk,
    suspension_rates,
    suspensions,
)
from school_tracker.dashboard.figures_support import interventions, reach
from school_tracker.dashboard.model import Dashboard, FigureRow, FigureTable

__all__ = [
    "RATE_GROUPS",
    "Dashboard",
    "FigureRow",
    "FigureTable",
    "build_dashboard",
    "overdue_reviews",
]

# A figure function: one school, its terms (and their table), the filters -> its table(s).
Figure = Callable[
    [int, list[Term], sa.Subquery, src.DashboardFilters], FigureTable | list[FigureTable]
]

FIGURES: tuple[Figure, ...] = (
    reach,
    interventions,
    mentoring,
    risk,
    suspensions,
    suspension_rates,
    programme,
)
# Which figure function produces each table (a chart recomputes only its own figure).
TABLE_SOURCES: dict[str, Figure] = {
    "reached": reach,
    "groups": reach,
    "gap": reach,
    "interventions": interventions,
    "impact": interventions,
    "cost": interventions,
    "mentoring": mentoring,
    "risk_levels": risk,
    "risk_flow": risk,
    "agencies": risk,
    "suspensions": suspensions,
    "reasons": suspensions,
    "suspension_rates": suspension_rates,
    "cpd": programme,
    "families": programme,
    "kindness": programme,
}


def build_dashboard(
    school_id: int,
    terms: list[Term],
    filters: src.DashboardFilters | None = None,
    only: str | None = None,
) -> Dashboard:
    """Compute every figure (or only the one behind table `only`) over the terms, oldest first."""
    filters = filters or src.DashboardFilters()
    t = src.terms_table(terms)
    dashboard = Dashboard(terms=terms)
    for figure in FIGURES if only is None else (TABLE_SOURCES[only],):
        result = figure(school_id, terms, t, filters)
        dashboard.tables.extend(result if isinstance(result, list | tuple) else [result])
    return dashboard
