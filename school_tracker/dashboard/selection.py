"""Reading the dashboard's term and filters from the query string, strictly."""

from dataclasses import dataclass

from flask import abort, request

from school_tracker.calendar.term_dates import calendar_for
from school_tracker.calendar.terms import (
    Term,
    TermCalendar,
    TermKeyError,
    parse_term_key,
    school_today,
)
from school_tracker.dashboard.sources import DashboardFilters
from school_tracker.models import PUPIL_GROUPS, YearGroup

TERMS_SHOWN = 6
TERMS_OFFERED = 9


@dataclass(frozen=True)
class Selection:
    """The chosen term (with the ones before it) and filters."""

    calendar: TermCalendar
    terms: list[Term]
    filters: DashboardFilters
    choices: list[Term]

    @property
    def term(self) -> Term:
        return self.terms[-1]


def _one(name: str) -> str | None:
    values = request.args.getlist(name)
    if len(values) > 1:
        abort(400)
    return values[0] if values and values[0] else None


def read_selection(school_id: int) -> Selection:
    """The term and filters asked for; anything not on the allowlists is a 400."""
    calendar = calendar_for(school_id)
    current = calendar.term_for(school_today())
    key = _one("term") or current.key
    try:
        parse_term_key(key)
    except TermKeyError:
        abort(400)
    year, group = _one("year"), _one("group")
    years = {y.value: y for y in YearGroup}
    if (year and year not in years) or (group and group not in PUPIL_GROUPS):
        abort(400)
    filters = DashboardFilters(years.get(year or ""), group)
    choices = list(reversed(calendar.recent(current.key, TERMS_OFFERED)))
    return Selection(calendar, calendar.recent(key, TERMS_SHOWN), filters, choices)


def default_term_key() -> str:
    """The current term by the default dates (for trust-wide views)."""
    return TermCalendar().term_for(school_today()).key


def recent_default_terms() -> list[Term]:
    """Recent terms, newest first, by the default dates."""
    return list(reversed(TermCalendar().recent(default_term_key(), TERMS_OFFERED)))
