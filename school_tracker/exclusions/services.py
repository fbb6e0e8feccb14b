"""Recording, correcting and cancelling suspensions and permanent exclusions (leaders only).

The 45-day yearly maximum is enforced here; the 15-day term threshold is a warning, because
exceeding it is lawful but obliges the governing board to meet.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from school_tracker.audit import record_audit
from school_tracker.calendar.terms import school_today
from school_tracker.exclusions import queries
from school_tracker.extensions import db
from school_tracker.models import (
    Exclusion,
    ExclusionKind,
    ExclusionReason,
    Pupil,
    Role,
    SenStatus,
    User,
)
from school_tracker.records.priorities import priorities_by_code
from school_tracker.records.versions import (
    RecordRuleError,
    before_edit,
    check_version,
    finish_edit,
    set_values,
)
from school_tracker.templating import date_uk

ENTITY = "exclusion"
MAX_DAYS_AHEAD = 14  # a suspension may be recorded when decided, shortly before it starts
NOTIFICATIONS = ("parents", "la", "social_worker")
SAFE_VALUES = frozenset({"kind", "start_date", "sessions"})
# Every column _apply sets, so a correction keeps what they said before (R63).
EDITABLE = (
    "kind",
    "start_date",
    "sessions",
    "reason_1_id",
    "reason_2_id",
    "reason_3_id",
    *(f"{name}_notified{part}" for name in NOTIFICATIONS for part in ("", "_on")),
)


@dataclass
class ExclusionData:
    """The validated values of the exclusion form."""

    kind: ExclusionKind
    start_date: date
    sessions: int | None
    reason_ids: list[int | None] = field(default_factory=list)
    parents_notified_on: date | None = None
    la_notified_on: date | None = None
    social_worker_notified_on: date | None = None


def _check_dates(data: ExclusionData, today: date) -> None:
    if data.start_date > today + timedelta(days=MAX_DAYS_AHEAD):
        raise RecordRuleError(
            f"The start date can be at most {MAX_DAYS_AHEAD} days ahead.", field="start_date"
        )
    for name in NOTIFICATIONS:
        notified_on = getattr(data, f"{name}_notified_on")
        if notified_on is not None and notified_on > today:
            raise RecordRuleError(
                "A notification date can't be in the future.", f"{name}_notified_on"
            )


def _check_sessions(data: ExclusionData) -> int | None:
    if data.kind is ExclusionKind.PERMANENT:
        return None
    if data.sessions is None or not 1 <= data.sessions <= 90:
        raise RecordRuleError(
            "Give the length in sessions, from 1 to 90 (one school day is 2 sessions).",
            field="sessions",
        )
    return data.sessions


def _reasons(data: ExclusionData) -> list[ExclusionReason]:
    """One to three distinct codes, each active on the start date; reason 1 is required."""
    ids = (list(data.reason_ids) + [None, None, None])[:3]
    if ids[0] is None:
        raise RecordRuleError("Choose the main reason.", field="reason_1")
    if ids[2] is not None and ids[1] is None:
        raise RecordRuleError("Give reason 2 before reason 3.", field="reason_2")
    chosen = [i for i in ids if i is not None]
    for position, reason_id in enumerate(chosen[1:], start=2):
        if reason_id in chosen[: position - 1]:
            raise RecordRuleError("Each reason can be given once.", field=f"reason_{position}")
    found = db.session.scalars(sa.select(ExclusionReason).where(ExclusionReason.id.in_(chosen)))
    rows = {reason.id: reason for reason in found}
    reasons = []
    for position, reason_id in enumerate(chosen, start=1):
        reason = rows.get(reason_id)
        if reason is None or not reason.active_on(data.start_date):
            raise RecordRuleError(
                f"That isn't a DfE reason code in use on {date_uk(data.start_date)}.",
                field=f"reason_{position}",
            )
        reasons.append(reason)
    return reasons


def _check_yearly_maximum(pupil: Pupil, data: ExclusionData, exclude_id: int | None) -> None:
    """Refuse a suspension that would take the pupil past 45 school days in the school year."""
    if data.kind is not ExclusionKind.SUSPENSION:
        return
    others = [e for e in queries.pupil_exclusions(pupil.id) if e.id != exclude_id]
    summary = queries.summarise(others, queries.school_calendar(pupil.school_id), data.start_date)
    total = summary.year_sessions + (data.sessions or 0)
    limit = queries.YEAR_MAX_DAYS * queries.SESSIONS_PER_DAY
    if total > limit:
        left = max(limit - summary.year_sessions, 0)
        raise RecordRuleError(
            f"This would bring the pupil's suspensions in {summary.academic_year} to "
            f"{queries.days_text(total)}. The legal maximum is {queries.YEAR_MAX_DAYS} school "
            f"days in a school year; at most {queries.days_text(left)} ({left} sessions) "
            "can still be given.",
            field="sessions",
        )


def _apply(exclusion: Exclusion, pupil: Pupil, data: ExclusionData) -> dict[str, Any]:
    """Validate and set the values; return audit changes (values only for kind/dates/length)."""
    sessions = _check_sessions(data)
    reasons = _reasons(data)
    _check_yearly_maximum(pupil, data, exclusion.id)
    values = {
        "kind": data.kind,
        "start_date": data.start_date,
        "sessions": sessions,
        "reason_1_id": reasons[0].id,
        "reason_2_id": reasons[1].id if len(reasons) > 1 else None,
        "reason_3_id": reasons[2].id if len(reasons) > 2 else None,
    }
    for name in NOTIFICATIONS:
        notified_on = getattr(data, f"{name}_notified_on")
        values[f"{name}_notified"] = notified_on is not None
        values[f"{name}_notified_on"] = notified_on
    return set_values(exclusion, values, safe_values=SAFE_VALUES, new_value_only=True)


def record_exclusion(
    pupil: Pupil, data: ExclusionData, *, by: User, today: date | None = None
) -> Exclusion:
    """Record a suspension or permanent exclusion (P4a, and P4b for a pupil with SEND)."""
    if by.role is not Role.LEADER or pupil.school_id != by.school_id:
        raise RecordRuleError("Only the school's leaders can record exclusions.", field="kind")
    if not pupil.is_on_roll:
        raise RecordRuleError("This pupil has left the school.", field="kind")
    _check_dates(data, today or school_today())
    exclusion = Exclusion(
        school_id=pupil.school_id, pupil=pupil, created_by_id=by.id, updated_by_id=by.id
    )
    changes = _apply(exclusion, pupil, data)
    codes = ["P4a", "P4b"] if pupil.sen_status is not SenStatus.NONE else ["P4a"]
    exclusion.priorities = priorities_by_code(codes)
    db.session.add(exclusion)
    db.session.flush()
    _audit(exclusion, by, "create", changes)
    return exclusion


def update_exclusion(
    exclusion: Exclusion,
    data: ExclusionData,
    *,
    by: User,
    expected_version: int | None,
    today: date | None = None,
    reason: str | None = None,
) -> dict:
    """Correct a recorded exclusion (stale edits are refused); the earlier values are kept."""
    check_version(exclusion, expected_version)
    if exclusion.cancelled_on is not None:
        raise RecordRuleError("This exclusion was cancelled and can't be changed.", field="kind")
    _check_dates(data, today or school_today())
    before = before_edit(exclusion, EDITABLE, reason)
    changes = _apply(exclusion, exclusion.pupil, data)
    finish_edit(exclusion, before, changes, by=by, entity_type=ENTITY, pupil_id=exclusion.pupil_id)
    return changes


def cancel_exclusion(
    exclusion: Exclusion, *, by: User, reason: str | None, expected_version: int | None
) -> Exclusion:
    """Cancel (kept, never deleted); it no longer counts towards the thresholds."""
    check_version(exclusion, expected_version)
    if exclusion.cancelled_on is not None:
        raise RecordRuleError("This exclusion is already cancelled.", field="reason")
    given = (reason or "").strip()
    if not given:
        raise RecordRuleError("Say why it is being cancelled.", field="reason")
    exclusion.cancelled_on = school_today()
    exclusion.cancel_reason = given
    exclusion.updated_by_id = by.id
    db.session.flush()
    _audit(exclusion, by, "cancel", {"cancelled_on": exclusion.cancelled_on.isoformat()})
    return exclusion


def _audit(exclusion: Exclusion, by: User, action: str, changes: dict) -> None:
    record_audit(
        by,
        action,
        ENTITY,
        exclusion.id,
        school_id=exclusion.school_id,
        pupil_id=exclusion.pupil_id,
        changes=changes,
    )


def warnings_for(exclusion: Exclusion) -> list[str]:
    """The threshold warnings for the academic year of this exclusion, after saving it."""
    summary = queries.suspension_summary(exclusion.pupil, exclusion.start_date)
    return summary.warnings()
