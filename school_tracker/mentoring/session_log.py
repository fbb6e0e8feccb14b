"""The session log: each meeting of a pairing, appended and audited; briefly correctable."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from school_tracker.audit import record_audit
from school_tracker.extensions import db
from school_tracker.models import MentoringPairing, MentoringSession, Role, User
from school_tracker.records.versions import RecordRuleError, apply_changes, check_version

SESSION_ENTITY = "mentoring_session"
# A typo is noticed within days; after a fortnight the log stands as written.
CORRECTION_DAYS = 14
# Dates, numbers and scores may be audited with their values; the words never (R21, R62).
SAFE_FIELDS = frozenset({"held_on", "minutes", "wellbeing_start", "wellbeing_end"})


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


def correction_refusal(user: User, session: MentoringSession, today: date) -> str | None:
    """Why this user may not correct this session today, or None if they may."""
    if user.school_id != session.school_id:
        return "This session belongs to another school."
    if user.role is not Role.LEADER and session.created_by_id != user.id:
        return "Only the person who logged a session, or a leader, can correct it."
    if today - session.created_at.date() > timedelta(days=CORRECTION_DAYS):
        return f"A session can be corrected for {CORRECTION_DAYS} days after it was logged."
    return None


def correct_session(
    session: MentoringSession,
    details: SessionDetails,
    *,
    by: User,
    today: date,
    expected_version: int | None,
    view_url: str | None = None,
    reason: str | None = None,
) -> dict[str, Any]:
    """Correct a logged session; its earlier values are kept as a record version (R63)."""
    check_version(session, expected_version, view_url)
    refusal = correction_refusal(by, session, today)
    if refusal:
        raise RecordRuleError(refusal)
    _check_session(session.pairing, details, today)
    values = {
        "held_on": details.held_on,
        "minutes": details.minutes,
        "activities": details.activities.strip(),
        "mentee_voice": (details.mentee_voice or "").strip() or None,
        "mentor_reflection": (details.mentor_reflection or "").strip() or None,
        "wellbeing_start": details.wellbeing_start,
        "wellbeing_end": details.wellbeing_end,
    }
    return apply_changes(
        session,
        values,
        by=by,
        entity_type=SESSION_ENTITY,
        pupil_id=session.pairing.mentee_id,
        safe_values=SAFE_FIELDS,
        reason=reason,
    )
