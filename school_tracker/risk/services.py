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
    RiskStatus,
    Role,
    SenStatus,
    User,
)
from school_tracker.permissions import STAFF_AND_LEADERS
from school_tracker.records.priorities import priorities_by_code
from school_tracker.records.reference_lists import choose
from school_tracker.records.versions import (
    RecordRuleError,
    before_edit,
    check_version,
    finish_edit,
    set_values,
)
from school_tracker.risk.alerts import alert_action_owner, alert_named_staff

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


def _listed(
    model: type[Agency] | type[RiskFactor], flag: RiskFlag, ids: list[int], field: str
) -> list[Any]:
    """The school's own values offered on the day the flag was raised, or already on the flag."""
    kept = [row.id for row in getattr(flag, field)]
    return choose(model, flag.school_id, ids, on=flag.raised_on, field=field, keep=kept)


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
        "risk_factors": _listed(RiskFactor, flag, details.risk_factor_ids, "risk_factors"),
        "agencies": _listed(Agency, flag, details.agency_ids, "agencies"),
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
    alert_named_staff(flag, flag.named_staff, by=by)
    return flag


def refuse_if_closed(flag: RiskFlag, field_name: str | None = None) -> None:
    """A closed flag changes only by being reopened."""
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
    refuse_if_closed(flag)
    _check_review(flag.raised_on, details.review_on)
    before = before_edit(flag, EDITABLE, reason)
    named_before = {person.id for person in flag.named_staff}
    changes = _apply_details(flag, details)
    finish_edit(flag, before, changes, by=by, entity_type=ENTITY, pupil_id=flag.pupil_id)
    alert_named_staff(
        flag, [person for person in flag.named_staff if person.id not in named_before], by=by
    )
    return changes


def add_action(
    flag: RiskFlag, *, description: str, owner_id: int | None, due_on: date | None, by: User
) -> RiskAction:
    """Agree an action; an owner who isn't named on the flag is named so they can see it."""
    refuse_if_closed(flag, "description")
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
    finish_edit(
        flag, None, changes, by=by, entity_type=ENTITY, pupil_id=flag.pupil_id, action="add_action"
    )
    alert_action_owner(action, by=by)
    return action


def complete_action(action: RiskAction, *, by: User, done_on: date | None = None) -> RiskAction:
    """Mark an action done (today unless a date is given; never in the future)."""
    flag = action.flag
    refuse_if_closed(flag)
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
