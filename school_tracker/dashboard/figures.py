"""Every dashboard figure for one school, a chosen term and the five terms before it.

Each figure is one SQL statement over all six terms (see sources.py), so the dashboard's
query count is fixed. Definitions shown to leaders and governors live in definitions.py.
"""

from collections.abc import Callable, Collection

import sqlalchemy as sa

from school_tracker.calendar.terms import Term
from school_tracker.dashboard import sources as src
from school_tracker.dashboard.figures_programme import mentoring, programme, staff_learning
from school_tracker.dashboard.figures_safety import (
    RATE_GROUPS,
    overdue_reviews,
    risk,
    risk_levels,
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
    risk_levels,
    risk,
    suspensions,
    suspension_rates,
    staff_learning,
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
    "risk_levels": risk_levels,
    "risk_flow": risk,
    "agencies": risk,
    "suspensions": suspensions,
    "reasons": suspensions,
    "suspension_rates": suspension_rates,
    "cpd": staff_learning,
    "families": programme,
    "kindness": programme,
}


def build_dashboard(
    school_id: int,
    terms: list[Term],
    filters: src.DashboardFilters | None = None,
    only: str | Collection[str] | None = None,
) -> Dashboard:
    """Compute every figure (or only those behind the tables named) over the terms, oldest first.

    `only` names one table or several; each figure function behind them runs once. Its other
    tables are kept too: the governors' version of a share needs the counts beside it.
    """
    filters = filters or src.DashboardFilters()
    keys = [only] if isinstance(only, str) else only
    figures = FIGURES if keys is None else tuple(dict.fromkeys(TABLE_SOURCES[k] for k in keys))
    t = src.terms_table(terms)
    dashboard = Dashboard(terms=terms)
    for figure in figures:
        result = figure(school_id, terms, t, filters)
        dashboard.tables.extend(result if isinstance(result, list | tuple) else [result])
    return dashboard
