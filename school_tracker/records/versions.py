"""Rules every programme record follows: versioned edits, audited, keeping earlier versions."""

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapper, RelationshipDirection, RelationshipProperty
from werkzeug.exceptions import Conflict

from school_tracker.audit import record_audit
from school_tracker.extensions import db
from school_tracker.models import Priority, Pupil, RecordVersion, User
from school_tracker.models.record_version import REASON_MAX
from school_tracker.orm import utcnow
from school_tracker.records.text import has_control_characters


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


@dataclass(frozen=True)
class Before:
    """A record's version and some fields' values (plain JSON), taken before an edit."""

    version: int
    values: dict[str, Any]
    reason: str | None


def before_edit(record: Any, names: Iterable[str], reason: str | None = None) -> Before:
    """Note what `names` hold now, before an edit changes them; checks the edit's reason.

    Every edit path takes this first and hands it to `keep_version` once it knows what
    changed, so earlier text survives a correction wherever the edit is made.
    """
    reason = (reason or "").strip() or None
    if reason and len(reason) > REASON_MAX:
        raise RecordRuleError(f"Keep the reason under {REASON_MAX} characters.", "change_reason")
    if reason and has_control_characters(reason, allow_newlines=False):
        raise RecordRuleError("Remove the hidden control characters.", "change_reason")
    # Labels may need a lazy load; a half-made edit must not be flushed by it.
    with db.session.no_autoflush:
        values = {name: _version_value(record, name) for name in names}
    return Before(record.version_id, values, reason)


def keep_version(
    record: Any,
    before: Before,
    changed: Iterable[str],
    *,
    by: User | None,
    entity_type: str,
    pupil_id: int | None,
) -> RecordVersion | None:
    """Add the earlier values of the `changed` fields as one version of the record (R63)."""
    previous = {name: before.values[name] for name in changed if name in before.values}
    if not previous:
        return None
    version = RecordVersion(
        school_id=record.school_id,
        pupil_id=pupil_id,
        entity_type=entity_type,
        entity_id=record.id,
        version=before.version,
        changed_by_id=by.id if by else None,
        reason=before.reason,
        previous=previous,
    )
    db.session.add(version)
    return version


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
    reason: str | None = None,
    versioned: bool = True,
) -> dict[str, Any]:
    """Set changed fields, stamp the editor, audit field names (values only for safe fields).

    A content edit also keeps the changed fields' earlier values as a version (R63). Status
    moves pass `versioned=False`: they only fill in or move on (status, dates, a closing
    note), and the audit log already keeps their values.
    """
    check_version(record, expected_version)
    changed = _changed_values(record, values)
    before = before_edit(record, changed, reason) if versioned else None
    changes = set_values(record, changed, safe_values=safe_values)
    finish_edit(
        record, before, changes, by=by, entity_type=entity_type, action=action, pupil_id=pupil_id
    )
    return changes


def _changed_values(record: Any, values: dict[str, Any]) -> dict[str, Any]:
    """The entries of `values` that differ from what the record holds now."""
    return {
        name: value for name, value in values.items() if not _same(getattr(record, name), value)
    }


def set_values(
    record: Any,
    values: dict[str, Any],
    *,
    safe_values: frozenset[str] = frozenset(),
    new_value_only: bool = False,
) -> dict[str, Any]:
    """Set the fields whose value differs and return the audit log's `changes` for them.

    A safe field (a state, date, number, choice or link: never free text or a name) is
    audited as [old, new], or as its new value alone with `new_value_only` (the shape the
    exclusion audit rows have always had); any other field only as "changed" (R21, R62).
    """
    changes: dict[str, Any] = {}
    for name, value in values.items():
        old = getattr(record, name)
        if _same(old, value):
            continue
        setattr(record, name, value)
        if name not in safe_values:
            changes[name] = "changed"
        elif new_value_only:
            changes[name] = audit_value(value)
        else:
            changes[name] = [audit_value(old), audit_value(value)]
    return changes


def finish_edit(
    record: Any,
    before: Before | None,
    changes: dict[str, Any],
    *,
    by: User,
    entity_type: str,
    pupil_id: int | None,
    action: str = "update",
) -> None:
    """Stamp the editor, audit the changes and keep the earlier version, if anything changed.

    `before` is None for a status move, whose values the audit log already keeps.
    """
    if not changes:
        return
    # Reading an expired editor must not flush the half-stamped row as a second UPDATE.
    with db.session.no_autoflush:
        record.updated_by_id = by.id
        # Set explicitly so a links-only change still UPDATEs the row and bumps the version.
        record.updated_at = utcnow()
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
    if before is not None:
        keep_version(record, before, changes, by=by, entity_type=entity_type, pupil_id=pupil_id)


def _same(old: Any, new: Any) -> bool:
    # Link collections load in their relationship's order; only which rows are linked counts.
    if isinstance(old, list) and isinstance(new, list):
        return len(old) == len(new) and set(old) == set(new)
    return bool(old == new)


def audit_value(value: Any) -> Any:
    """A safe field's value as the audit log keeps it: choices by value, dates as ISO text,
    priorities by code (a list sorted)."""
    if isinstance(value, list | tuple | set | frozenset):
        return sorted(audit_value(item) for item in value)
    if isinstance(value, Priority):
        return value.code
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    return value


def _version_value(record: Any, name: str) -> Any:
    """A field's value as plain JSON; a linked row by its label, a pupil only by id."""
    value = getattr(record, name)
    link = _link_for(type(record), name)
    if link is None or value is None:
        return _plain_value(value)
    if link.mapper.class_ is Pupil:
        return value  # never copy a child's name into another record's history
    return _label(getattr(record, link.key))


def _link_for(model: type, column_name: str) -> RelationshipProperty[Any] | None:
    """The many-to-one relationship a foreign-key column belongs to, if any."""
    mapper: Mapper[Any] = sa.inspect(model)
    for rel in mapper.relationships:
        if rel.direction is RelationshipDirection.MANYTOONE and any(
            column.key == column_name for column in rel.local_columns
        ):
            return rel
    return None


def _plain_value(value: Any) -> Any:
    if isinstance(value, list | tuple | set | frozenset):
        return [_label(item) for item in value]
    return _label(value)


def _label(value: Any) -> Any:
    """A JSON scalar: enums by value, dates as ISO text, rows by name, code or label."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    for attr in ("full_name", "label", "name", "code", "value"):
        found = getattr(value, attr, None)
        if found is not None:
            return _label(found)
    return str(value)


@dataclass(frozen=True)
class TimelineEntry:
    """One line on a pupil's timeline; `url` must point at a page the viewer may open."""

    on: date
    kind: str
    title: str
    url: str | None = None
    detail: str = ""
    badges: tuple[str, ...] = field(default_factory=tuple)
