"""The dates the law sets after a suspension or permanent exclusion, counted in school days.

Each rule names its source in docs/exclusions.md ("Suspension and permanent exclusion from
maintained schools, academies and pupil referral units in England", DfE, August 2024). A school
day is a weekday inside one of the school's terms (its own dates where set). Half-terms and bank
holidays are not in the calendar, so a deadline here can fall a little earlier than the law's,
never later: leaders are warned early rather than late.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from school_tracker.calendar.terms import TermCalendar

GOVERNORS_MEET_WITHIN = 15  # school days after the board is notified (reinstatement review)
REVIEW_REQUEST_WITHIN = 15  # school days after the parents are told the governors' decision
EDUCATION_FROM_DAY = 6  # education elsewhere from the sixth school day of an exclusion
PACK_OPEN_AFTER_DECISION = timedelta(days=30)  # panel governors keep the pack this long


def is_school_day(calendar: TermCalendar, day: date) -> bool:
    """A weekday inside a term."""
    return day.weekday() < 5 and calendar.term_for(day).contains(day)


def add_school_days(calendar: TermCalendar, start: date, count: int) -> date:
    """The `count`th school day after `start` (start itself not counted)."""
    day, counted = start, 0
    while counted < count:
        day += timedelta(days=1)
        if is_school_day(calendar, day):
            counted += 1
    return day


def nth_school_day(calendar: TermCalendar, first: date, n: int) -> date:
    """The nth school day of a period that starts on `first` (day 1 is `first`, if a school day)."""
    day = first if is_school_day(calendar, first) else add_school_days(calendar, first, 1)
    return add_school_days(calendar, day, n - 1) if n > 1 else day


@dataclass(frozen=True)
class Deadline:
    """One dated duty: what is due, by when, and whether it has been done (and when)."""

    what: str
    due_on: date | None
    done_on: date | None = None
    source: str = ""
    # A date for someone else (the parents' last day to ask for a review), not a school duty.
    informational: bool = False

    def state(self, today: date) -> str:
        """'done', 'overdue', 'due', 'information' or 'waiting' (its start is not known yet)."""
        if self.informational:
            return "information"
        if self.done_on is not None:
            return "done"
        if self.due_on is None:
            return "waiting"
        return "overdue" if today > self.due_on else "due"
