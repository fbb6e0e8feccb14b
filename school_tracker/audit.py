"""Writing audit entries: called by services, never by views or templates."""

from typing import Any

from flask import has_request_context, request

from school_tracker.database import begin_write
from school_tracker.extensions import db
from school_tracker.models import AuditEntry, User
from school_tracker.privacy.classification import CONTENT_COLUMN_NAMES
from school_tracker.web.logging_setup import log_security_event

# Audited actions that record a refusal rather than a change ("login_failed", "mfa_failed").
FAILED_SUFFIX = "_failed"
# What an audit entry may say about an identifying or free-text field: only that it changed.
CONTENT_MARKERS = frozenset({"changed", "set", "cleared"})


def without_content(changes: dict[str, Any] | None) -> dict[str, Any] | None:
    """`changes` with any value of a classified name or text field replaced by "changed".

    Services already pass only field names for these; this backs that up, so a future
    service that passes a value by mistake still never stores content (R62, R67).
    """
    if not changes:
        return changes
    return {
        field: "changed"
        if field in CONTENT_COLUMN_NAMES
        and not (isinstance(value, str) and value in CONTENT_MARKERS)
        else value
        for field, value in changes.items()
    }


def record_audit(
    actor: User | None,
    action: str,
    entity_type: str,
    entity_id: int | None = None,
    *,
    school_id: int | None = None,
    pupil_id: int | None = None,
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add an audit entry to the current transaction and log the action by ids only.

    Every audited action is also a security log line (R59) with its outcome, attributed to
    the actor and the entry's school even before the actor's session exists (a sign-in).
    In a page view, a download or a reading command the entry is the only write, so it gets
    a short write transaction of its own rather than a failed upgrade of the read (issue 11).
    """
    begin_write()
    if school_id is None and actor is not None:
        school_id = actor.school_id
    entry = AuditEntry(
        actor_id=actor.id if actor else None,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        school_id=school_id,
        pupil_id=pupil_id,
        changes=without_content(changes),
        ip_address=request.remote_addr if has_request_context() else None,
    )
    db.session.add(entry)
    log_security_event(
        action,
        "failure" if action.endswith(FAILED_SUFFIX) else "success",
        f"{entity_type} {entity_id if entity_id is not None else '-'}"
        f" by user {actor.id if actor else '-'}",
        user_id=actor.id if actor else None,
        school_id=school_id,
    )
    return entry


def changed_fields(obj: Any, values: dict[str, Any]) -> dict[str, Any]:
    """Set attributes from `values` on `obj` and return {field: "changed"} for those that did."""
    changed = {}
    for field, value in values.items():
        if getattr(obj, field) != value:
            setattr(obj, field, value)
            changed[field] = "changed"
    return changed
