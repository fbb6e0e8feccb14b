"""Rules every programme record follows: versioned edits with an audit of changed fields."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from werkzeug.exceptions import Conflict

from school_tracker.audit import record_audit
from school_tracker.extensions import db
from school_tracker.models import Priority, User


class StaleRecordError(Conflict):
    """The record changed since the form was loaded; answered with a friendly 409 page."""

    def __init__(self, view_url: str | None = None):
        super().__init__()
        self.view_url = view_url
        self.friendly = (
            "Someone else saved a change to this record after you opened it, so your changes "
            "were not saved. Open the record to see the newer version, then make your change again."
        )


class RecordRuleError(ValueError):
    """A domain rule refused the change; `field` names the form field to show it beside."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def check_version(record: Any, expected_version: int | None, view_url: str | None = None) -> None:
    """Refuse an edit made from a form loaded at an older version."""
    if expected_version is not None and int(expected_version) != record.version_id:
        raise StaleRecordError(view_url)


def apply_changes(
    record: Any,
    values: dict[str, Any],
    *,
    by: User,
    entity_type: str,
    action: str = "update",
    expected_version: int | None = None,
    pupil_id: int | None = None,
    safe_values: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """Set changed fields, stamp the editor, audit field names (values only for safe fields)."""
    check_version(record, expected_version)
    changes: dict[str, Any] = {}
    for name, value in values.items():
        old = getattr(record, name)
        if old != value:
            setattr(record, name, value)
            changes[name] = [_plain(old), _plain(value)] if name in safe_values else "changed"
    if changes:
        record.updated_by_id = by.id
        db.session.flush()
        record_audit(
            by,
            action,
            entity_type,
            record.id,
            school_id=record.school_id,
            pupil_id=pupil_id,
            changes=changes,
        )
    return changes


def _plain(value: Any) -> Any:
    if hasattr(value, "value"):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    return value


def priorities_by_code(codes: list[str] | set[str]) -> list[Priority]:
    """Priority rows for the given codes (unknown codes are ignored by design: forms validate)."""
    if not codes:
        return []
    return list(db.session.scalars(sa.select(Priority).where(Priority.code.in_(list(codes)))))


def priority_choices() -> list[tuple[str, str]]:
    """(code, "P1 Kindness and wellbeing") pairs for forms, in manifesto order."""
    rows = db.session.execute(
        sa.select(Priority.code, Priority.title).order_by(Priority.sort_order)
    ).all()
    return [(code, f"{code} {title}") for code, title in rows]


@dataclass(frozen=True)
class TimelineEntry:
    """One line on a pupil's timeline; `url` must point at a page the viewer may open."""

    on: date
    kind: str
    title: str
    url: str | None = None
    detail: str = ""
    badges: tuple[str, ...] = field(default_factory=tuple)
