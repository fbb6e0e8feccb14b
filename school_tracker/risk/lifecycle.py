"""A flag's level and status: escalate, move between open and monitoring, close, reopen.

Each move keeps its own history row (who, when, why) and is audited with its values; the
earlier versions of R63 are for content edits (services.update_flag).
"""

from datetime import date
from typing import Any

from school_tracker.calendar.terms import school_today
from school_tracker.models import (
    RiskFlag,
    RiskLevel,
    RiskLevelChange,
    RiskOutcome,
    RiskStatus,
    RiskStatusChange,
    Role,
    User,
)
from school_tracker.records.versions import RecordRuleError, check_version, finish_edit
from school_tracker.risk.services import ENTITY, refuse_if_closed

# Live flags move freely between open and monitoring; closing and reopening have their own rules.
TRANSITIONS = {RiskStatus.OPEN: {RiskStatus.MONITORING}, RiskStatus.MONITORING: {RiskStatus.OPEN}}


def change_level(
    flag: RiskFlag,
    level: RiskLevel,
    *,
    by: User,
    reason: str | None = None,
    expected_version: int | None = None,
) -> RiskFlag:
    """Move the flag to a new level, keeping the old one in its history."""
    check_version(flag, expected_version)
    refuse_if_closed(flag, "level")
    if level is flag.level:
        raise RecordRuleError(f"The flag is already {level.label.lower()}.", field="level")
    old = flag.level
    flag.level = level
    flag.level_history.append(
        RiskLevelChange(level=level, changed_by_id=by.id, reason=(reason or "").strip() or None)
    )
    changes = {"level": [old.value, level.value]}
    finish_edit(
        flag,
        None,
        changes,
        by=by,
        entity_type=ENTITY,
        pupil_id=flag.pupil_id,
        action="change_level",
    )
    return flag


def _move(
    flag: RiskFlag,
    to: RiskStatus,
    by: User,
    reason: str | None,
    outcome: RiskOutcome | None = None,
) -> None:
    old = flag.status
    flag.status = to
    flag.status_history.append(
        RiskStatusChange(
            from_status=old,
            to_status=to,
            outcome=outcome,
            changed_by_id=by.id,
            reason=(reason or "").strip() or None,
        )
    )
    changes: dict[str, Any] = {"status": [old.value, to.value]}
    if outcome is not None or old is RiskStatus.CLOSED:
        changes["outcome"] = outcome.value if outcome else None
    if to is RiskStatus.CLOSED:
        action = "close"
    else:
        action = "reopen" if old is RiskStatus.CLOSED else "status"
    finish_edit(
        flag, None, changes, by=by, entity_type=ENTITY, pupil_id=flag.pupil_id, action=action
    )


def change_status(
    flag: RiskFlag,
    to: RiskStatus,
    *,
    by: User,
    reason: str | None = None,
    expected_version: int | None = None,
) -> RiskFlag:
    """Open ↔ monitoring. Closing needs an outcome (close_flag); reopening needs a leader."""
    check_version(flag, expected_version)
    refuse_if_closed(flag, "status")
    if to not in TRANSITIONS.get(flag.status, set()):
        raise RecordRuleError(
            f"A {flag.status.label.lower()} flag can't move to {to.label.lower()} this way.",
            field="status",
        )
    _move(flag, to, by, reason)
    return flag


def close_flag(
    flag: RiskFlag,
    outcome: RiskOutcome | None,
    *,
    by: User,
    reason: str | None = None,
    closed_on: date | None = None,
    expected_version: int | None = None,
) -> RiskFlag:
    """Close a live flag with its outcome (required)."""
    check_version(flag, expected_version)
    refuse_if_closed(flag, "outcome")
    if outcome is None:
        raise RecordRuleError("Choose the outcome to close the flag.", field="outcome")
    closed_on = closed_on or school_today()
    if closed_on < flag.raised_on:
        raise RecordRuleError("A flag can't close before it was raised.", field="outcome")
    flag.outcome = outcome
    flag.closed_on = closed_on
    _move(flag, RiskStatus.CLOSED, by, reason, outcome)
    return flag


def reopen_flag(
    flag: RiskFlag, *, by: User, reason: str | None, expected_version: int | None = None
) -> RiskFlag:
    """A leader reopens a closed flag, giving a reason (kept in the status history)."""
    check_version(flag, expected_version)
    if not flag.is_closed:
        raise RecordRuleError("Only a closed flag can be reopened.", field="reason")
    if by.role is not Role.LEADER:
        raise RecordRuleError("Only a leader can reopen a closed flag.", field="reason")
    if not (reason or "").strip():
        raise RecordRuleError("Say why the flag is being reopened.", field="reason")
    flag.outcome = None
    flag.closed_on = None
    _move(flag, RiskStatus.OPEN, by, reason)
    return flag
