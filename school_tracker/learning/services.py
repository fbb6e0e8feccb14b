"""Recording and editing professional learning; staff record their own, leaders anyone's."""

from dataclasses import asdict, dataclass, replace
from datetime import date, timedelta

import sqlalchemy as sa

from school_tracker.audit import record_audit
from school_tracker.extensions import db
from school_tracker.models import LearningRecord, ReferenceKind, ReferenceValue, Role, User
from school_tracker.records.pickers import school_staff, staff_choices
from school_tracker.records.priorities import priorities_by_code
from school_tracker.records.reference_lists import choose_one, name_choices, offered
from school_tracker.records.versions import RecordRuleError, apply_changes, check_version

OLDEST = timedelta(days=366 * 10)
SAFE_FIELDS = frozenset({"staff_id", "held_on", "hours_tenths", "focus_id"})


@dataclass
class LearningData:
    """What a CPD record holds, as the form gives it."""

    staff_id: int
    held_on: date
    activity: str
    hours_tenths: int
    focus_id: int | None = None
    reflection: str = ""


def focus_choices(school_id: int, on: date, keep: int | None = None) -> list[tuple[int, str]]:
    """The school's CPD focus areas active on `on`, plus the record's own (even if retired)."""
    rows = offered(ReferenceValue, school_id, on=on, keep=[keep], kind=ReferenceKind.CPD_FOCUS)
    return name_choices(rows, on=on)


def _check(
    school_id: int,
    data: LearningData,
    *,
    by: User,
    today: date,
    current: LearningRecord | None = None,
) -> None:
    if by.role is not Role.LEADER and data.staff_id != by.id:
        raise RecordRuleError("You can only record your own professional learning.", "staff_id")
    keeps_staff = current is not None and current.staff_id == data.staff_id
    if not keeps_staff and school_staff(school_id, data.staff_id) is None:
        raise RecordRuleError("Choose a member of staff at this school.", field="staff_id")
    if data.held_on > today:
        raise RecordRuleError("The date can't be in the future.", field="held_on")
    if data.held_on < today - OLDEST:
        raise RecordRuleError("The date is more than ten years ago.", field="held_on")
    if not 5 <= data.hours_tenths <= 1000:
        raise RecordRuleError("Hours run from 0.5 to 100.", field="hours")
    if not data.activity.strip():
        raise RecordRuleError("Say what the activity was.", field="activity")
    choose_one(
        ReferenceValue,
        school_id,
        data.focus_id,
        on=data.held_on,
        field="focus_id",
        keep=current.focus_id if current is not None else None,
        kind=ReferenceKind.CPD_FOCUS,
    )


def create_learning(
    school_id: int, data: LearningData, codes: list[str], *, by: User, today: date
) -> LearningRecord:
    """Record a piece of professional learning (P3 unless other priorities are chosen)."""
    _check(school_id, data, by=by, today=today)
    record = LearningRecord(
        school_id=school_id,
        created_by_id=by.id,
        updated_by_id=by.id,
        priorities=priorities_by_code(codes or ["P3"]),
        **asdict(data),
    )
    db.session.add(record)
    db.session.flush()
    record_audit(
        by,
        "create",
        "learning_record",
        record.id,
        school_id=school_id,
        changes={"staff_id": data.staff_id, "hours_tenths": data.hours_tenths},
    )
    return record


def create_learning_for_staff(
    school_id: int,
    data: LearningData,
    codes: list[str],
    *,
    staff_ids: list[int],
    everyone: bool,
    by: User,
    today: date,
) -> list[LearningRecord]:
    """One CPD record for each person (an INSET day or a twilight), each audited on its own.

    Each person keeps their own record, so their hours and every total stay per person. A
    leader's job; every chosen person is checked before anything is saved.
    """
    if by.role is not Role.LEADER:
        raise RecordRuleError("Only a leader can record learning for other staff.", "staff_ids")
    chosen = [user_id for user_id, _ in staff_choices(school_id)] if everyone else staff_ids
    chosen = list(dict.fromkeys(chosen))
    if not chosen:
        raise RecordRuleError("Choose the staff who took part, or everyone.", "staff_ids")
    for user_id in chosen:
        _check(school_id, replace(data, staff_id=user_id), by=by, today=today)
    return [
        create_learning(school_id, replace(data, staff_id=user_id), codes, by=by, today=today)
        for user_id in chosen
    ]


def update_learning(
    record: LearningRecord,
    data: LearningData,
    codes: list[str],
    *,
    by: User,
    today: date,
    expected_version: int | None,
    view_url: str | None = None,
) -> dict:
    """Save an edit; a stale form is refused."""
    check_version(record, expected_version, view_url)
    _check(record.school_id, data, by=by, today=today, current=record)
    values = {**asdict(data), "priorities": priorities_by_code(codes or ["P3"])}
    changes = apply_changes(
        record, values, by=by, entity_type="learning_record", safe_values=SAFE_FIELDS
    )
    return changes


def visible_to(user: User) -> sa.ColumnElement[bool]:
    """Leaders see the whole school's CPD; staff see their own."""
    if user.role is Role.LEADER:
        return sa.true()
    if user.role is Role.STAFF:
        return LearningRecord.staff_id == user.id
    return sa.false()
