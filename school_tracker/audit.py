"""Writing audit entries: called by services, never by views or templates."""

import logging
from typing import Any

from flask import has_request_context, request

from school_tracker.extensions import db
from school_tracker.models import AuditEntry, User

log = logging.getLogger(__name__)


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
    """Add an audit entry to the current transaction and log the action by ids only."""
    if school_id is None and actor is not None:
        school_id = actor.school_id
    entry = AuditEntry(
        actor_id=actor.id if actor else None,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        school_id=school_id,
        pupil_id=pupil_id,
        changes=changes,
        ip_address=request.remote_addr if has_request_context() else None,
    )
    db.session.add(entry)
    log.info(
        "%s %s %s by user %s",
        action,
        entity_type,
        entity_id if entity_id is not None else "-",
        actor.id if actor else "-",
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
