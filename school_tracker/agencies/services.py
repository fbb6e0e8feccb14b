"""Recording an agency's involvement with a pupil and keeping it up to date (issue 16 item 5)."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from school_tracker.audit import record_audit
from school_tracker.extensions import db
from school_tracker.models import Agency, AgencyInvolvement, InvolvementStatus, Role, User
from school_tracker.models.agency_involvement import agency_involvement_staff
from school_tracker.records.pickers import school_pupil, school_staff
from school_tracker.records.reference_lists import choose_one, name_choices, offered
from school_tracker.records.versions import RecordRuleError, apply_changes, check_version

ENTITY = "agency_involvement"
OLDEST = timedelta(days=366 * 10)
LONGEST_NEXT_STEP = timedelta(days=366 * 2)
# Dates and ids only: the professional's contact, the next step and the outcome stay out of the
# audit trail, which many more people read than this record (R21).
SAFE_FIELDS = frozenset(
    {"agency_id", "referred_on", "referred_by_id", "status", "next_step_on", "ended_on"}
)


@dataclass
class InvolvementData:
    """What an involvement record holds, as the form gives it."""

    agency_id: int
    referred_on: date
    referred_by_id: int
    status: InvolvementStatus
    professional_role: str = ""
    professional_contact: str = ""
    next_step: str = ""
    next_step_on: date | None = None
    outcome_notes: str = ""
    named_staff_ids: list[int] = field(default_factory=list)


def visible_to(user: User) -> sa.ColumnElement[bool]:
    """Leaders see every involvement in their school; staff those they referred or are named on.

    Admins and governors see none (R24, R25): an involvement is a wellbeing record.
    """
    if user.role is Role.LEADER:
        return sa.true()
    if user.role is Role.STAFF:
        named = (
            sa.select(agency_involvement_staff.c.involvement_id)
            .where(agency_involvement_staff.c.user_id == user.id)
            .scalar_subquery()
        )
        return sa.or_(AgencyInvolvement.referred_by_id == user.id, AgencyInvolvement.id.in_(named))
    return sa.false()


def offered_agencies(school_id: int, on: date, keep_id: int | None = None) -> list[tuple[int, str]]:
    """The school's agencies active on `on` (the referral date, or today for a new record),
    plus the record's own even if it is no longer offered."""
    rows = offered(Agency, school_id, on=on, keep=[keep_id])
    return name_choices(rows, on=on)


def _named_staff(school_id: int, ids: list[int], keep: list[User]) -> list[User]:
    kept = {user.id: user for user in keep}
    chosen = []
    for user_id in dict.fromkeys(ids):
        user = kept.get(user_id) or school_staff(school_id, user_id)
        if user is None:
            raise RecordRuleError(
                "Choose members of staff at this school.", field="named_staff_ids"
            )
        chosen.append(user)
    return chosen


def _check(
    school_id: int, data: InvolvementData, *, today: date, current: AgencyInvolvement | None
) -> None:
    # The school's own agencies offered on the referral date, or the one the record names.
    keep = current.agency_id if current is not None else None
    choose_one(Agency, school_id, data.agency_id, on=data.referred_on, field="agency_id", keep=keep)
    keeps_referrer = current is not None and current.referred_by_id == data.referred_by_id
    if not keeps_referrer and school_staff(school_id, data.referred_by_id) is None:
        raise RecordRuleError("Choose a member of staff at this school.", field="referred_by_id")
    if data.referred_on > today:
        raise RecordRuleError("The referral can't be in the future.", field="referred_on")
    if data.referred_on < today - OLDEST:
        raise RecordRuleError("The date is more than ten years ago.", field="referred_on")
    if data.next_step_on is not None and not (
        data.referred_on <= data.next_step_on <= today + LONGEST_NEXT_STEP
    ):
        raise RecordRuleError(
            "The next step must be on or after the referral, within two years.",
            field="next_step_on",
        )
    if data.next_step_on is not None and not data.next_step.strip():
        raise RecordRuleError("Say what the next step is.", field="next_step")
    if data.status is InvolvementStatus.CLOSED and not data.outcome_notes.strip():
        raise RecordRuleError("Record the outcome before closing.", field="outcome_notes")


def _ended_on(data: InvolvementData, today: date, current: AgencyInvolvement | None) -> date | None:
    """The day the involvement stopped counting: kept from before if it had already ended."""
    if not data.status.is_finished:
        return None
    if current is not None and current.ended_on is not None:
        return current.ended_on
    return max(today, data.referred_on)


def create_involvement(
    school_id: int, pupil_id: int, data: InvolvementData, *, by: User, today: date
) -> AgencyInvolvement:
    """Record a referral to an agency for an on-roll pupil of the school."""
    pupil = school_pupil(school_id, pupil_id)
    if pupil is None:
        raise RecordRuleError("Choose a pupil on this school's roll.", field="pupil_id")
    _check(school_id, data, today=today, current=None)
    values = {k: v for k, v in vars(data).items() if k != "named_staff_ids"}
    record = AgencyInvolvement(
        school_id=school_id,
        pupil_id=pupil.id,
        created_by_id=by.id,
        updated_by_id=by.id,
        ended_on=_ended_on(data, today, None),
        named_staff=_named_staff(school_id, data.named_staff_ids, []),
        **values,
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
        changes={
            "agency_id": data.agency_id,
            "referred_on": data.referred_on.isoformat(),
            "status": data.status.value,
        },
    )
    return record


def update_involvement(
    record: AgencyInvolvement,
    data: InvolvementData,
    *,
    by: User,
    today: date,
    expected_version: int | None,
    view_url: str | None = None,
    reason: str | None = None,
) -> dict[str, Any]:
    """Save an edit (status, next step, outcome...); a stale form is refused, never merged."""
    check_version(record, expected_version, view_url)
    _check(record.school_id, data, today=today, current=record)
    values: dict[str, Any] = {k: v for k, v in vars(data).items() if k != "named_staff_ids"}
    values["ended_on"] = _ended_on(data, today, record)
    values["named_staff"] = _named_staff(record.school_id, data.named_staff_ids, record.named_staff)
    changes: dict[str, Any] = apply_changes(
        record,
        values,
        by=by,
        entity_type=ENTITY,
        pupil_id=record.pupil_id,
        safe_values=SAFE_FIELDS,
        reason=reason,
    )
    return changes
