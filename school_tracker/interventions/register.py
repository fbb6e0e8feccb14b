"""The session register: a session's date, length and note, and each pupil present or absent."""

from dataclasses import dataclass
from datetime import date

from school_tracker.audit import record_audit
from school_tracker.extensions import db
from school_tracker.interventions.services import audit_pupil_id
from school_tracker.models import (
    Intervention,
    InterventionParticipant,
    InterventionSession,
    ParticipantStatus,
    SessionAttendance,
    User,
)
from school_tracker.models.intervention_session import MAX_SESSION_MINUTES
from school_tracker.records.versions import RecordRuleError

ENTITY = "intervention_session"


@dataclass(frozen=True)
class RegisterRow:
    """One pupil's line on the register."""

    participant_id: int
    present: bool
    absence_reason: str | None = None
    note: str = ""


def on_register(intervention: Intervention, held_on: date) -> list[InterventionParticipant]:
    """The pupils taking part on that date: started by then, not yet ended or withdrawn."""
    return [
        part
        for part in intervention.participants
        if part.start_date <= held_on
        and (part.end_date is None or part.end_date >= held_on)
        and (
            part.status is ParticipantStatus.TAKING_PART
            or (part.withdrawn_on is not None and part.withdrawn_on > held_on)
        )
    ]


def _check_session(intervention: Intervention, held_on: date, minutes: int, today: date) -> None:
    if held_on > today:
        raise RecordRuleError("A session can't be recorded before it happens.", field="held_on")
    if held_on < intervention.start_date:
        raise RecordRuleError("This date is before the intervention started.", field="held_on")
    if intervention.end_date is not None and held_on > intervention.end_date:
        raise RecordRuleError("This date is after the intervention ended.", field="held_on")
    if not 1 <= minutes <= MAX_SESSION_MINUTES:
        raise RecordRuleError(
            f"A session lasts 1 to {MAX_SESSION_MINUTES} minutes.", field="minutes"
        )


def record_session(
    intervention: Intervention,
    *,
    held_on: date,
    minutes: int,
    note: str,
    rows: list[RegisterRow],
    by: User,
    today: date,
) -> InterventionSession:
    """Record one session with a register line for every pupil taking part on its date."""
    _check_session(intervention, held_on, minutes, today)
    expected = {part.id for part in on_register(intervention, held_on)}
    if not expected:
        raise RecordRuleError("No pupil was taking part on this date.", field="held_on")
    given = {row.participant_id for row in rows}
    if given != expected or len(rows) != len(given):
        # The pupils on the form were worked out for another date: show the right ones.
        raise RecordRuleError(
            "The pupils taking part on this date have changed; check the register and save again.",
            field="held_on",
        )
    session = InterventionSession(
        intervention_id=intervention.id,
        held_on=held_on,
        minutes=minutes,
        note=note,
        created_by_id=by.id,
    )
    session.attendance = [
        SessionAttendance(
            participant_id=row.participant_id,
            present=row.present,
            absence_reason=None if row.present else (row.absence_reason or None),
            note=row.note,
        )
        for row in rows
    ]
    intervention.sessions.append(session)
    db.session.flush()
    present = sum(1 for row in rows if row.present)
    # Counts and dates only: reasons and notes are personal content and stay out of the audit.
    record_audit(
        by,
        "record_session",
        ENTITY,
        session.id,
        school_id=intervention.school_id,
        pupil_id=audit_pupil_id(intervention),
        changes={
            "intervention_id": intervention.id,
            "held_on": held_on.isoformat(),
            "minutes": minutes,
            "present": present,
            "absent": len(rows) - present,
        },
    )
    return session
