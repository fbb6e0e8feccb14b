"""The session log: each meeting of a pairing, appended (never edited) and audited."""

from dataclasses import dataclass
from datetime import date

from school_tracker.audit import record_audit
from school_tracker.extensions import db
from school_tracker.models import MentoringPairing, MentoringSession, User
from school_tracker.records.versions import RecordRuleError

SESSION_ENTITY = "mentoring_session"


@dataclass(frozen=True)
class SessionDetails:
    """What one mentoring session recorded."""

    held_on: date
    minutes: int
    activities: str
    mentee_voice: str | None = None
    mentor_reflection: str | None = None
    wellbeing_start: int | None = None
    wellbeing_end: int | None = None


def _check_session(pairing: MentoringPairing, details: SessionDetails, today: date) -> None:
    if details.held_on > today:
        raise RecordRuleError("A session can't be in the future.", "held_on")
    if details.held_on < pairing.starts_on:
        raise RecordRuleError(
            f"The pairing started on {pairing.starts_on:%d %b %Y}; the session can't be before it.",
            "held_on",
        )
    if pairing.ended_on and details.held_on > pairing.ended_on:
        raise RecordRuleError("The pairing had ended by then.", "held_on")
    if not 1 <= details.minutes <= 600:
        raise RecordRuleError("Minutes must be between 1 and 600.", "minutes")
    for name in ("wellbeing_start", "wellbeing_end"):
        score = getattr(details, name)
        if score is not None and not 1 <= score <= 5:
            raise RecordRuleError("Wellbeing is a score from 1 to 5.", name)
    if not details.activities.strip():
        raise RecordRuleError("Say what you did.", "activities")


def log_session(
    pairing: MentoringPairing, details: SessionDetails, *, by: User, today: date
) -> MentoringSession:
    """Add a session to a pairing's log."""
    _check_session(pairing, details, today)
    session = MentoringSession(
        pairing=pairing,
        school_id=pairing.school_id,
        held_on=details.held_on,
        minutes=details.minutes,
        activities=details.activities.strip(),
        mentee_voice=(details.mentee_voice or "").strip() or None,
        mentor_reflection=(details.mentor_reflection or "").strip() or None,
        wellbeing_start=details.wellbeing_start,
        wellbeing_end=details.wellbeing_end,
        created_by_id=by.id,
    )
    db.session.add(session)
    db.session.flush()
    filled = [
        name
        for name in ("mentee_voice", "mentor_reflection", "wellbeing_start", "wellbeing_end")
        if getattr(session, name) is not None
    ]
    record_audit(
        by,
        "create",
        SESSION_ENTITY,
        session.id,
        school_id=pairing.school_id,
        pupil_id=pairing.mentee_id,
        changes={
            "pairing_id": pairing.id,
            "held_on": session.held_on.isoformat(),
            "minutes": session.minutes,
            "fields": ["activities", *filled],
        },
    )
    return session
