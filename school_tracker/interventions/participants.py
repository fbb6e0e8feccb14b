"""The pupils taking part: add, edit dates and scores, record outcomes, withdraw (never delete)."""

from datetime import date
from typing import Any

import sqlalchemy as sa

from school_tracker.audit import record_audit
from school_tracker.extensions import db
from school_tracker.interventions.rules import (
    participant_count_error,
    participant_dates_error,
    score_error,
)
from school_tracker.models import (
    Intervention,
    InterventionMode,
    InterventionParticipant,
    ParticipantStatus,
    User,
)
from school_tracker.records.pickers import school_pupil
from school_tracker.records.versions import RecordRuleError, apply_changes, check_version

ENTITY = "intervention_participant"
# Dates and impact are audited with values; scores and reasons only by name. Sessions
# attended are not edited here: they come from the register (records/attendance.py).
SAFE_FIELDS = frozenset({"start_date", "end_date", "impact", "status"})
EDITABLE = frozenset({"start_date", "end_date", "baseline_score", "exit_score", "impact"})


def check_participant_values(
    intervention: Intervention, values: dict[str, Any], *, today: date
) -> None:
    """Validate one pupil's dates, scores and impact against the intervention."""
    problem = participant_dates_error(
        intervention_start=intervention.start_date,
        intervention_end=intervention.end_date,
        start=values["start_date"],
        end=values.get("end_date"),
        today=today,
    )
    if problem:
        raise RecordRuleError(problem[1], field=problem[0])
    for name in ("baseline_score", "exit_score"):
        message = score_error(intervention.score_min, intervention.score_max, values.get(name))
        if message:
            raise RecordRuleError(message, field=name)
    impact = values.get("impact")
    if impact is not None and not -2 <= impact <= 2:
        raise RecordRuleError("Impact runs from -2 to +2.", field="impact")


def add_participant(
    intervention: Intervention,
    pupil_id: int,
    *,
    start_date: date,
    baseline_score: float | None,
    by: User,
    today: date,
) -> InterventionParticipant:
    """Add a pupil to a planned or active group (an individual one already has its pupil)."""
    if not intervention.status.is_open:
        raise RecordRuleError("Pupils can only join a planned or active intervention.")
    if intervention.mode is InterventionMode.INDIVIDUAL:
        raise RecordRuleError(
            "An individual intervention has exactly one pupil; plan a group one instead.",
            field="pupil_id",
        )
    pupil = school_pupil(intervention.school_id, pupil_id)
    if pupil is None:
        raise RecordRuleError("Choose a pupil on this school's roll.", field="pupil_id")
    already = db.session.scalar(
        sa.select(InterventionParticipant.id).where(
            InterventionParticipant.intervention_id == intervention.id,
            InterventionParticipant.pupil_id == pupil.id,
        )
    )
    if already is not None:
        raise RecordRuleError("This pupil is already on this intervention.", field="pupil_id")
    values = {"start_date": start_date, "baseline_score": baseline_score}
    check_participant_values(intervention, values, today=today)
    part = InterventionParticipant(pupil_id=pupil.id, created_by_id=by.id, **values)
    intervention.participants.append(part)
    db.session.flush()
    record_audit(
        by,
        "add_participant",
        ENTITY,
        part.id,
        school_id=intervention.school_id,
        pupil_id=pupil.id,
        changes={"intervention_id": intervention.id, "start_date": start_date.isoformat()},
    )
    return part


def update_participant(
    part: InterventionParticipant,
    values: dict[str, Any],
    *,
    by: User,
    today: date,
    expected_version: int | None,
    view_url: str | None = None,
    action: str = "update",
) -> dict[str, Any]:
    """Change a pupil's dates, scores or impact; stale edits are refused."""
    check_version(part, expected_version, view_url)
    unknown = set(values) - EDITABLE
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    merged = {name: getattr(part, name) for name in EDITABLE} | values
    check_participant_values(part.intervention, merged, today=today)
    return apply_changes(
        part,
        values,
        by=by,
        entity_type=ENTITY,
        action=action,
        pupil_id=part.pupil_id,
        safe_values=SAFE_FIELDS,
    )


def withdraw_participant(
    part: InterventionParticipant,
    *,
    reason: str,
    on: date,
    by: User,
    today: date,
    expected_version: int | None,
    view_url: str | None = None,
) -> InterventionParticipant:
    """Mark a pupil as withdrawn from a group, with a reason; the row is kept."""
    check_version(part, expected_version, view_url)
    intervention = part.intervention
    if not part.is_taking_part:
        raise RecordRuleError("This pupil has already been withdrawn.")
    if not intervention.status.is_open:
        raise RecordRuleError("Pupils can only be withdrawn while it is planned or active.")
    if intervention.mode is InterventionMode.INDIVIDUAL:
        raise RecordRuleError(
            "An individual intervention keeps its pupil; stop the intervention instead."
        )
    problem = participant_count_error(intervention.mode, len(intervention.taking_part) - 1)
    if problem:
        raise RecordRuleError(
            f"{problem} Add another pupil first, or stop the intervention.", field="reason"
        )
    reason = (reason or "").strip()
    if not reason:
        raise RecordRuleError("Say why the pupil is leaving the group.", field="reason")
    if on < part.start_date or on > today:
        raise RecordRuleError(
            "The date must be between the pupil's start date and today.", field="on"
        )
    apply_changes(
        part,
        {
            "status": ParticipantStatus.WITHDRAWN,
            "withdrawn_on": on,
            "withdrawn_reason": reason,
            "end_date": part.end_date or on,
        },
        by=by,
        entity_type=ENTITY,
        action="withdraw",
        pupil_id=part.pupil_id,
        safe_values=SAFE_FIELDS | {"withdrawn_on"},
        versioned=False,  # a status move: its values are in the audit log
    )
    return part
