"""Saving a record's AfA priority links so the edit is versioned and audited like a column."""

from typing import Any

from school_tracker.models import Priority
from school_tracker.orm import utcnow


def with_priorities(record: Any, values: dict[str, Any], priorities: list[Priority]) -> dict:
    """`values` plus the new priorities when they differ from the record's.

    Link rows alone don't update the record's row, so its version would not move and a
    concurrent edit of the links could be lost; stamping `updated_at` makes the save bump it.
    """
    new = sorted(priorities, key=lambda p: p.sort_order)
    if [p.id for p in new] == [p.id for p in record.priorities]:
        return values
    record.updated_at = utcnow()
    return {**values, "priorities": new}
