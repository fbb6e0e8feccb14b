"""A record's AfA priority links: the codes a form offers and the rows a record links to.

An edit puts the chosen rows in its values as "priorities"; `records.versions` compares the
links as a set, audits them and keeps the earlier ones like any other field.
"""

from collections.abc import Iterable

import sqlalchemy as sa

from school_tracker.extensions import db
from school_tracker.models import Priority
from school_tracker.records.versions import RecordRuleError


def priorities_by_code(codes: Iterable[str]) -> list[Priority]:
    """Priority rows for the given codes (unknown codes are ignored by design: forms validate)."""
    wanted = list(codes)
    if not wanted:
        return []
    stmt = sa.select(Priority).where(Priority.code.in_(wanted)).order_by(Priority.sort_order)
    return list(db.session.scalars(stmt))


def chosen_priorities(codes: Iterable[str], message: str) -> list[Priority]:
    """The rows for codes a person chose; `message` goes beside the field if none or any unknown."""
    wanted = set(codes)
    rows = priorities_by_code(wanted)
    if not wanted or len(rows) != len(wanted):
        raise RecordRuleError(message, "priorities")
    return rows


def priority_choices() -> list[tuple[str, str]]:
    """(code, "P1 Kindness and wellbeing") pairs for forms, in manifesto order."""
    rows = db.session.execute(
        sa.select(Priority.code, Priority.title).order_by(Priority.sort_order)
    ).all()
    return [(code, f"{code} {title}") for code, title in rows]
