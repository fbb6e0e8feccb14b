"""Raising, editing, escalating and closing exclusion-risk flags; every change is audited.

Audit entries hold field names and, for level/status/dates/outcome only, the values; never
the protective factors, agency notes or reasons (R21, R62).
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa

from school_tracker.audit import record_audit
from school_tracker.calendar.terms import school_today
from school_tracker.extensions import db
from school_tracker.models import (
    Agency,
    Pupil,
    RiskAction,
    RiskFactor,
    RiskFlag,
    RiskLevel,
    RiskLevelChange,
    RiskOutcome,
    RiskStatus,
    RiskStatusChange,
    Role,
    SenStatus,
    User,
)
from school_tracker.orm import utcnow
from school_tracker.permissions import STAFF_AND_LEADERS
from school_tracker.records.priorities import priorities_by_code
from school_tracker.records.versions import (
    RecordRuleError,
    before_edit,
    check_version,
    finish_edit,
    set_values,
)

ENTITY = "risk_flag"
# What _apply_details may change, so an edit keeps the earlier values (R63).
EDITABLE = (
    "review_on",
    "risk_factors",
    "protective_factors",
    "agencies",
    "agency_notes",
    "named_staff",
    "priorities",
)
DEFAULT_PRIORITIES = ("P4a",)
SAFE_VALUES = frozenset({"review_on"})  # audited with its values; the rest only as "changed"
# Live flags move freely between open and monitoring; closing and reopening have their own rules.
TRANSITIONS = {RiskStatus.OPEN: {RiskStatus.MONITORING}, RiskStatus.MONITORING: {RiskStatus.OPEN}}


@dataclass
class FlagDetails:
    """What a leader can edit on a flag after it is raised."""

    review_on: date
    risk_factor_ids: list[int] = field(default_factory=list)
    protective_factors: str = ""
    agency_ids: list[int] = field(default_factory=list)
    agency_notes: str = ""
    named_staff_ids: list[int] = field(default_factory=list)
    priority_codes: list[str] = field(default_factory=list)


def default_priority_codes(pupil: Pupil) -> list[str]:
    """P4a for every flag, and P4b too when the pupil has SEND."""
    return ["P4a", "P4b"] if pupil.sen_status is not SenStatus.NONE else ["P4a"]


def eligible_staff(school_id: int, ids: list[int] | None = None) -> list[User]:
    """Active staff and leaders of the school (those who may be named or own an action)."""
    stmt = sa.select(User).where(
        User.school_id == school_id, User.active, User.role.in_(STAFF_AND_LEADERS)
    )
    if ids is not None:
        stmt = stmt.where(User.id.in_(ids))
    return list(db.session.scalars(stmt.order_by(User.full_name)))


def _staff(school_id: int, ids: list[int], field_name: str) -> list[User]:
    users = eligible_staff(school_id, list(set(ids)))
    if len(users) != len(set(ids)):
        raise RecordRuleError("Choose members of staff from this school.", field=field_name)
    return users


def _reference(model: type, ids: list[int], field_name: str) -> list:
    wanted = set(ids)
    rows = (
        list(db.session.scalars(sa.select(model).where(model.id.in_(wanted), model.active)))
        if wanted
        else []
    )
    if len(rows) != len(wanted):
        raise RecordRuleError("Choose from the list.", field=field_name)
    return rows


def _check_review(raised_on: date, review_on: date | None) -> None:
    if review_on is None:
        raise RecordRuleError("Give a review date.", field="review_on")
    if review_on <= raised_on:
        raise RecordRuleError("The review date must be after the date raised.", field="review_on")


def _note(flag: RiskFlag, name: str, text: str | None) -> str | None:
    """The note to store; blank stays as stored, so a note never written is not "changed"."""
    value = (text or "").strip()
    stored = getattr(flag, name)
    return stored if value == (stored or "") else value


def _apply_details(flag: RiskFlag, details: FlagDetails) -> dict[str, Any]:
    """Set the editable fields; return the audit changes (values only for the review date)."""
    values = {
        "review_on": details.review_on,
        "protective_factors": _note(flag, "protective_factors", details.protective_factors),
        "agency_notes": _note(flag, "agency_notes", details.agency_notes),
        "risk_factors": _reference(RiskFactor, details.risk_factor_ids, "risk_factors"),
        "agencies": _reference(Agency, details.agency_ids, "agencies"),
        "named_staff": _staff(flag.school_id, details.named_staff_ids, "named_staff"),
        "priorities": priorities_by_code(details.priority_codes or DEFAULT_PRIORITIES),
    }
    return set_values(flag, values, safe_values=SAFE_VALUES)


def raise_flag(
    pupil: Pupil,
    *,
    by: User,
    raised_on: date,
    level: RiskLevel,
    details: FlagDetails,
    today: date | None = None,
) -> RiskFlag:
    """Raise a flag; a member of staff who raises one is named on it so they can follow it."""
    today = today or school_today()
    if by.role not in STAFF_AND_LEADERS or pupil.school_id != by.school_id:
        raise RecordRuleError("You can't raise a flag on this pupil.", field="pupil")
    if not pupil.is_on_roll:
        raise RecordRuleError("This pupil has left the school.", field="pupil")
    if raised_on > today:
        raise RecordRuleError("The date raised can't be in the future.", field="raised_on")
    _check_review(raised_on, details.review_on)
    if by.role is Role.STAFF and by.id not in details.named_staff_ids:
        details.named_staff_ids = [*details.named_staff_ids, by.id]
    flag = RiskFlag(
        school_id=pupil.school_id,
        pupil=pupil,
        raised_by_id=by.id,
        raised_on=raised_on,
        level=level,
        status=RiskStatus.OPEN,
        created_by_id=by.id,
        updated_by_id=by.id,
    )
    changes = _apply_details(flag, details)
    flag.level_history.append(RiskLevelChange(level=level, changed_by_id=by.id))
    db.session.add(flag)
    db.session.flush()
    changes.update(level=level.value, status=RiskStatus.OPEN.value, raised_on=raised_on.isoformat())
    record_audit(
        by, "create", ENTITY, flag.id, school_id=flag.school_id, pupil_id=pupil.id, changes=changes
    )
    return flag


def _stamp(flag: RiskFlag, by: User) -> None:
    # A fresh updated_at guarantees an UPDATE, so the version moves even when only a
    # many-to-many collection changed (otherwise a stale form could still match).
    flag.updated_by_id = by.id
    flag.updated_at = utcnow()


def _audit(flag: RiskFlag, by: User, action: str, changes: dict) -> None:
    db.session.flush()
    record_audit(
        by,
        action,
        ENTITY,
        flag.id,
        school_id=flag.school_id,
        pupil_id=flag.pupil_id,
        changes=changes,
    )


def _refuse_if_closed(flag: RiskFlag, field_name: str | None = None) -> None:
    if flag.is_closed:
        raise RecordRuleError("This flag is closed; a leader must reopen it first.", field_name)


def update_flag(
    flag: RiskFlag,
    details: FlagDetails,
    *,
    by: User,
    expected_version: int | None,
    reason: str | None = None,
) -> dict:
    """Edit a live flag's review date, factors, agencies and named staff (leaders).

    The earlier values are kept as a version; level and status keep their own histories.
    """
    check_version(flag, expected_version)
    _refuse_if_closed(flag)
    _check_review(flag.raised_on, details.review_on)
    before = before_edit(flag, EDITABLE, reason)
    changes = _apply_details(flag, details)
    finish_edit(flag, before, changes, by=by, entity_type=ENTITY, pupil_id=flag.pupil_id)
    return changes


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
    _refuse_if_closed(flag, "level")
    if level is flag.level:
        raise RecordRuleError(f"The flag is already {level.label.lower()}.", field="level")
    old = flag.level
    flag.level = level
    flag.level_history.append(
        RiskLevelChange(level=level, changed_by_id=by.id, reason=(reason or "").strip() or None)
    )
    _stamp(flag, by)
    _audit(flag, by, "change_level", {"level": [old.value, level.value]})
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
    _stamp(flag, by)
    changes: dict = {"status": [old.value, to.value]}
    if outcome is not None or old is RiskStatus.CLOSED:
        changes["outcome"] = outcome.value if outcome else None
    if to is RiskStatus.CLOSED:
        action = "close"
    else:
        action = "reopen" if old is RiskStatus.CLOSED else "status"
    _audit(flag, by, action, changes)


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
    _refuse_if_closed(flag, "status")
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
    _refuse_if_closed(flag, "outcome")
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


def add_action(
    flag: RiskFlag, *, description: str, owner_id: int | None, due_on: date | None, by: User
) -> RiskAction:
    """Agree an action; an owner who isn't named on the flag is named so they can see it."""
    _refuse_if_closed(flag, "description")
    description = (description or "").strip()
    if not description:
        raise RecordRuleError("Say what the action is.", field="description")
    if due_on is None or due_on < flag.raised_on:
        raise RecordRuleError("The due date can't be before the flag was raised.", "due_on")
    owner = _staff(flag.school_id, [owner_id] if owner_id else [-1], "owner")[0]
    action = RiskAction(
        description=description, owner_id=owner.id, due_on=due_on, created_by_id=by.id
    )
    flag.actions.append(action)
    changes: dict = {"actions": "added", "due_on": due_on.isoformat()}
    if owner.role is Role.STAFF and owner.id not in {user.id for user in flag.named_staff}:
        flag.named_staff.append(owner)
        changes["named_staff"] = "changed"
    _stamp(flag, by)
    _audit(flag, by, "add_action", changes)
    return action


def complete_action(action: RiskAction, *, by: User, done_on: date | None = None) -> RiskAction:
    """Mark an action done (today unless a date is given; never in the future)."""
    flag = action.flag
    _refuse_if_closed(flag)
    if action.done_on is not None:
        raise RecordRuleError("This action is already done.")
    done_on = done_on or school_today()
    if done_on > school_today() or done_on < flag.raised_on:
        raise RecordRuleError("Give a done date between the date raised and today.")
    action.done_on = done_on
    action.done_by_id = by.id
    db.session.flush()
    record_audit(
        by,
        "complete",
        "risk_action",
        action.id,
        school_id=flag.school_id,
        pupil_id=flag.pupil_id,
        changes={"done_on": done_on.isoformat(), "flag_id": flag.id},
    )
    return action
