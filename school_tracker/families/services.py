"""Recording structured conversations with parents and carers, and closing their follow-ups."""

from dataclasses import asdict, dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from school_tracker.audit import record_audit
from school_tracker.extensions import db
from school_tracker.models import CarerRelationship, ParentConversation, Role, User
from school_tracker.records.pickers import school_pupil, school_staff
from school_tracker.records.priorities import priorities_by_code
from school_tracker.records.versions import RecordRuleError, apply_changes, check_version

OLDEST = timedelta(days=366 * 10)
LONGEST_FOLLOW_UP = timedelta(days=366 * 2)
ENTITY = "parent_conversation"
SAFE_FIELDS = frozenset({"led_by_id", "held_on", "follow_up_on", "follow_up_done_on"})


@dataclass
class ConversationData:
    """What a conversation record holds, as the form gives it."""

    carer_name: str
    carer_relationship: CarerRelationship
    led_by_id: int
    held_on: date
    family_said: str = ""
    school_said: str = ""
    agreed_actions: str = ""
    follow_up_on: date | None = None


def visible_to(user: User) -> sa.ColumnElement[bool]:
    """Leaders see every conversation in the school; staff those they led or recorded."""
    if user.role is Role.LEADER:
        return sa.true()
    if user.role is Role.STAFF:
        return sa.or_(
            ParentConversation.led_by_id == user.id, ParentConversation.created_by_id == user.id
        )
    return sa.false()


def _check(
    school_id: int,
    data: ConversationData,
    *,
    today: date,
    current: ParentConversation | None = None,
) -> None:
    keeps_lead = current is not None and current.led_by_id == data.led_by_id
    if not keeps_lead and school_staff(school_id, data.led_by_id) is None:
        raise RecordRuleError("Choose a member of staff at this school.", field="led_by_id")
    if not data.carer_name.strip():
        raise RecordRuleError("Enter the parent or carer's name.", field="carer_name")
    if data.held_on > today:
        raise RecordRuleError("The conversation can't be in the future.", field="held_on")
    if data.held_on < today - OLDEST:
        raise RecordRuleError("The date is more than ten years ago.", field="held_on")
    if data.follow_up_on is not None and not (
        data.held_on <= data.follow_up_on <= data.held_on + LONGEST_FOLLOW_UP
    ):
        raise RecordRuleError(
            "The follow-up must be on or after the conversation, within two years.",
            field="follow_up_on",
        )


def create_conversation(
    school_id: int,
    pupil_id: int,
    data: ConversationData,
    codes: list[str],
    *,
    by: User,
    today: date,
) -> ParentConversation:
    """Record a conversation about an on-roll pupil of the school (P5 unless chosen otherwise)."""
    pupil = school_pupil(school_id, pupil_id)
    if pupil is None:
        raise RecordRuleError("Choose a pupil on this school's roll.", field="pupil_id")
    _check(school_id, data, today=today)
    record = ParentConversation(
        school_id=school_id,
        pupil_id=pupil.id,
        created_by_id=by.id,
        updated_by_id=by.id,
        priorities=priorities_by_code(codes or ["P5"]),
        **asdict(data),
    )
    db.session.add(record)
    db.session.flush()
    record_audit(
        by,
        "create",
        ENTITY,
        record.id,
        school_id=school_id,
        pupil_id=pupil.id,
        changes={"led_by_id": data.led_by_id, "held_on": data.held_on.isoformat()},
    )
    return record


def update_conversation(
    record: ParentConversation,
    data: ConversationData,
    codes: list[str],
    *,
    by: User,
    today: date,
    expected_version: int | None,
    view_url: str | None = None,
    reason: str | None = None,
) -> dict:
    """Save an edit; a stale form is refused rather than overwriting someone else's save."""
    check_version(record, expected_version, view_url)
    _check(record.school_id, data, today=today, current=record)
    values = {**asdict(data), "priorities": priorities_by_code(codes or ["P5"])}
    changes = apply_changes(
        record,
        values,
        by=by,
        entity_type=ENTITY,
        pupil_id=record.pupil_id,
        safe_values=SAFE_FIELDS,
        reason=reason,
    )
    return changes


def mark_follow_up_done(
    record: ParentConversation, *, by: User, on: date, expected_version: int | None = None
) -> ParentConversation:
    """Close the follow-up so it leaves the home page."""
    check_version(record, expected_version)
    if record.follow_up_on is None:
        raise RecordRuleError("This conversation has no follow-up date.")
    if record.follow_up_done_on is not None:
        raise RecordRuleError("The follow-up is already marked done.")
    apply_changes(
        record,
        {"follow_up_done_on": max(on, record.held_on)},
        by=by,
        entity_type=ENTITY,
        action="follow_up_done",
        pupil_id=record.pupil_id,
        safe_values=SAFE_FIELDS,
        versioned=False,  # closing a follow-up is a status move, audited with its date
    )
    return record
