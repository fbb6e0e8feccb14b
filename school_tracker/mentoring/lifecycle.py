"""A pairing's status moves: pause, resume and end (with an outcome).

They only fill in or move on (status, dates, a closing note), so they are audited with their
values and keep no earlier version; content edits are services.update_pairing.
"""

from datetime import date
from typing import Any

import sqlalchemy as sa

from school_tracker.extensions import db
from school_tracker.mentoring.services import ENTITY, SAFE_FIELDS
from school_tracker.models import (
    MentoringPairing,
    MentoringSession,
    PairingOutcome,
    PairingStatus,
    User,
)
from school_tracker.records.versions import RecordRuleError, apply_changes, check_version


def _set_status(
    pairing: MentoringPairing,
    values: dict[str, Any],
    *,
    by: User,
    action: str,
    expected_version: int | None,
    view_url: str | None,
) -> None:
    check_version(pairing, expected_version, view_url)
    apply_changes(
        pairing,
        values,
        by=by,
        entity_type=ENTITY,
        action=action,
        pupil_id=pairing.mentee_id,
        safe_values=SAFE_FIELDS,
        versioned=False,  # a status move: its values are in the audit log
    )


def pause_pairing(
    pairing: MentoringPairing,
    *,
    by: User,
    today: date,
    expected_version: int | None = None,
    view_url: str | None = None,
) -> MentoringPairing:
    """Pause an active pairing (e.g. the mentor is away for a while)."""
    if pairing.status is not PairingStatus.ACTIVE:
        raise RecordRuleError("Only an active pairing can be paused.", "status")
    values = {"status": PairingStatus.PAUSED, "paused_on": today}
    _set_status(
        pairing,
        values,
        by=by,
        action="pause",
        expected_version=expected_version,
        view_url=view_url,
    )
    return pairing


def resume_pairing(
    pairing: MentoringPairing,
    *,
    by: User,
    expected_version: int | None = None,
    view_url: str | None = None,
) -> MentoringPairing:
    """Resume a paused pairing."""
    if pairing.status is not PairingStatus.PAUSED:
        raise RecordRuleError("Only a paused pairing can be resumed.", "status")
    values = {"status": PairingStatus.ACTIVE, "paused_on": None}
    _set_status(
        pairing,
        values,
        by=by,
        action="resume",
        expected_version=expected_version,
        view_url=view_url,
    )
    return pairing


def end_pairing(
    pairing: MentoringPairing,
    *,
    outcome: PairingOutcome,
    ended_on: date,
    notes: str | None,
    by: User,
    today: date,
    expected_version: int | None = None,
    view_url: str | None = None,
) -> MentoringPairing:
    """End an active or paused pairing with an outcome."""
    if pairing.status is PairingStatus.ENDED:
        raise RecordRuleError("This pairing has already ended.", "status")
    if ended_on < pairing.starts_on:
        raise RecordRuleError("The end date can't be before the pairing started.", "ended_on")
    if ended_on > today:
        raise RecordRuleError("The end date can't be in the future.", "ended_on")
    last = db.session.scalar(
        sa.select(sa.func.max(MentoringSession.held_on)).where(
            MentoringSession.pairing_id == pairing.id
        )
    )
    if last is not None and ended_on < last:
        raise RecordRuleError(
            f"A session was logged on {last:%d %b %Y}; the end can't be before it.", "ended_on"
        )
    values = {
        "status": PairingStatus.ENDED,
        "ended_on": ended_on,
        "outcome": outcome,
        "outcome_notes": (notes or "").strip() or None,
        "paused_on": None,
    }
    _set_status(
        pairing,
        values,
        by=by,
        action="end",
        expected_version=expected_version,
        view_url=view_url,
    )
    return pairing
