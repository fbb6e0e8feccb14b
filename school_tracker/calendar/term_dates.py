"""Each school's term calendar: DfE default dates unless the school has set its own."""

from datetime import date

import sqlalchemy as sa

from school_tracker.audit import record_audit
from school_tracker.calendar.terms import TermCalendar, default_term, next_key, previous_key
from school_tracker.extensions import db
from school_tracker.models import TermDate, User


class TermDateError(ValueError):
    """Term dates the rules refuse; `field` names the form field to show it beside."""

    def __init__(self, message: str, field: str = "starts_on"):
        super().__init__(message)
        self.field = field


def calendar_for(school_id: int) -> TermCalendar:
    """The school's calendar, with its own dates where it has set them."""
    rows = db.session.execute(
        sa.select(TermDate.term_key, TermDate.starts_on, TermDate.ends_on).where(
            TermDate.school_id == school_id
        )
    ).all()
    return TermCalendar({key: (starts, ends) for key, starts, ends in rows})


def set_term_dates(school_id: int, key: str, starts_on: date, ends_on: date, *, by: User) -> None:
    """Store a school's dates for one term after checking they make sense."""
    default = default_term(key)  # raises TermKeyError for a bad key
    if ends_on < starts_on:
        raise TermDateError("The term can't end before it starts.", "ends_on")
    for day, label in ((starts_on, "start"), (ends_on, "end")):
        if abs((day - default.starts_on).days) > 200 or abs((day - default.ends_on).days) > 200:
            raise TermDateError(
                f"That {label} date is too far from the {default.name} term.",
                "starts_on" if label == "start" else "ends_on",
            )
    calendar = calendar_for(school_id)
    before, after = calendar.term(previous_key(key)), calendar.term(next_key(key))
    if starts_on <= before.ends_on:
        raise TermDateError(
            f"It overlaps the {before.name} term, which ends {before.ends_on:%d/%m/%Y}."
        )
    if ends_on >= after.starts_on:
        raise TermDateError(
            f"It overlaps the {after.name} term, which starts {after.starts_on:%d/%m/%Y}.",
            "ends_on",
        )
    row = db.session.scalar(
        sa.select(TermDate).where(TermDate.school_id == school_id, TermDate.term_key == key)
    )
    if row is None:
        row = TermDate(school_id=school_id, term_key=key, starts_on=starts_on, ends_on=ends_on)
        db.session.add(row)
    else:
        row.starts_on, row.ends_on = starts_on, ends_on
    db.session.flush()
    record_audit(
        by,
        "set_term_dates",
        "term_dates",
        row.id,
        school_id=school_id,
        changes={"term": key, "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()},
    )


def reset_term_dates(school_id: int, key: str, *, by: User) -> None:
    """Go back to the default dates for one term."""
    row = db.session.scalar(
        sa.select(TermDate).where(TermDate.school_id == school_id, TermDate.term_key == key)
    )
    if row is not None:
        db.session.delete(row)
        record_audit(
            by, "reset_term_dates", "term_dates", row.id, school_id=school_id, changes={"term": key}
        )
