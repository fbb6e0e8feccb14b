"""The shapes every dashboard figure takes, and helpers the figure modules share."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from school_tracker.calendar.terms import Term
from school_tracker.dashboard import sources as src
from school_tracker.models import Pupil
from school_tracker.models.pupil import PUPIL_GROUPS

GROUP_LABELS = {"all": "All pupils", **PUPIL_GROUPS}


@dataclass
class FigureRow:
    """One line of a figure: a value per term; `drill` names the pupil list behind it."""

    key: str
    label: str
    values: Sequence[float | None]  # counts or measures; None where suppressed or undefined
    unit: str = "pupils"  # pupils | records | hours | pounds | percent | points
    drill: str | None = None


@dataclass
class FigureTable:
    """A titled figure: rows × terms, with its definition key and chart style."""

    key: str
    title: str
    rows: list[FigureRow]
    additive: bool = False  # the rows add up to the last row (a total)
    chart: str = "line"


@dataclass
class Dashboard:
    """Everything the dashboard and the governors' workbook show."""

    terms: list[Term]
    tables: list[FigureTable] = field(default_factory=list)

    @property
    def selected(self) -> Term:
        return self.terms[-1]

    def table(self, key: str) -> FigureTable | None:
        return next((t for t in self.tables if t.key == key), None)

    def built_table(self, key: str) -> FigureTable:
        """A table the dashboard was built to hold (KeyError if its figure was left out)."""
        table = self.table(key)
        if table is None:
            raise KeyError(key)
        return table


def join_pupils(
    stmt: sa.Select, filters: src.DashboardFilters, pupil_column: sa.SQLColumnExpression[int]
) -> sa.Select:
    """Join a statement to pupils and apply the year/group filters."""
    return stmt.join(Pupil, Pupil.id == pupil_column).where(*filters.conditions())


def filter_pupils(
    stmt: sa.Select, filters: src.DashboardFilters, pupil_column: sa.SQLColumnExpression[int]
) -> sa.Select:
    """Join to pupils only when a year or group filter needs their columns.

    Every record's pupil exists (a foreign key, and pupils are never deleted), so with no
    filter the join changes no count; leaving it out spares the database a pass over the
    whole trust's pupils for every figure. Statements that read Pupil columns themselves
    (groups, on roll) use join_pupils.
    """
    return join_pupils(stmt, filters, pupil_column) if filters.conditions() else stmt


def grid_by_term(rows: Iterable[Sequence[Any]], n_terms: int) -> dict[str, list[float]]:
    """{key: [value per term]} from (idx, key, value) rows, zero-filled."""
    grid: dict[str, list[float]] = defaultdict(lambda: [0] * n_terms)
    for idx, key, value in rows:
        grid[str(key)][idx] = value or 0
    return grid
