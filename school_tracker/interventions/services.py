"""Intervention workflows: plan, edit (versioned), start, complete or stop, all audited."""

from dataclasses import asdict, dataclass
from datetime import date

from school_tracker.audit import record_audit
from school_tracker.extensions import db
from school_tracker.interventions.catalogue import get_type
from school_tracker.interventions.rules import participant_count_error, score_error
from school_tracker.models import (
    FundingStream,
    Intervention,
    InterventionMode,
    InterventionParticipant,
    InterventionStatus,
    Priority,
    ReferenceKind,
    ReferenceValue,
    SessionFrequency,
    User,
)
from school_tracker.records.pickers import school_pupil, school_staff
from school_tracker.records.priorities import priorities_by_code
from school_tracker.records.reference_lists import choose_one
from school_tracker.records.versions import RecordRuleError, apply_changes, check_version

S = InterventionStatus
# The only moves allowed: planned -> active -> completed or stopped (or stopped before it starts).
TRANSITIONS: dict[InterventionStatus, frozenset[InterventionStatus]] = {
    S.PLANNED: frozenset({S.ACTIVE, S.STOPPED}),
    S.ACTIVE: frozenset({S.COMPLETED, S.STOPPED}),
}
MAX_COST_PENCE = 100_000_000  # £1m: anything above is a typing slip
MAX_PLANNED_SESSIONS = 500
# Status, dates, numbers and ids are not personal content, so their values are audited.
SAFE_FIELDS = frozenset(
    {
        "type_id",
        "lead_id",
        "measure_id",
        "status",
        "start_date",
        "review_date",
        "end_date",
        "planned_sessions",
        "frequency",
        "cost_pence",
        "funding_stream",
        "score_min",
        "score_max",
    }
)


@dataclass
class InterventionData:
    """The plan of an intervention, as a form gives it (validated again here)."""

    type_id: int
    lead_id: int
    priority_codes: list[str]
    start_date: date
    review_date: date
    measure_id: int | None = None
    score_min: float | None = None
    score_max: float | None = None
    intended_outcome: str = ""
    planned_sessions: int | None = None
    frequency: SessionFrequency | None = None
    cost_pence: int = 0
    funding_stream: FundingStream | None = None
    pupil_voice: str = ""
    parent_voice: str = ""
    notes: str = ""


def _check_plan(school_id: int, data: InterventionData, current: Intervention | None) -> None:
    kind = get_type(school_id, data.type_id)
    keeps_type = current is not None and current.type_id == data.type_id
    if kind is None or not (kind.active or keeps_type):
        raise RecordRuleError("Choose an intervention type from the catalogue.", field="type_id")
    choose_one(
        ReferenceValue,
        school_id,
        data.measure_id,
        on=data.start_date,
        field="measure_id",
        keep=current.measure_id if current is not None else None,
        kind=ReferenceKind.MEASURE,
    )
    keeps_lead = current is not None and current.lead_id == data.lead_id
    if not keeps_lead and school_staff(school_id, data.lead_id) is None:
        raise RecordRuleError("Choose a member of staff at this school.", field="lead_id")
    if data.review_date <= data.start_date:
        raise RecordRuleError("The review date must be after the start date.", field="review_date")
    if not 0 <= data.cost_pence <= MAX_COST_PENCE:
        raise RecordRuleError("Enter a cost from £0 to £1,000,000.", field="cost")
    if data.planned_sessions is not None and not (
        1 <= data.planned_sessions <= MAX_PLANNED_SESSIONS
    ):
        raise RecordRuleError(
            f"Planned sessions must be 1 to {MAX_PLANNED_SESSIONS}.", field="planned_sessions"
        )
    if (
        data.score_min is not None
        and data.score_max is not None
        and data.score_max <= data.score_min
    ):
        raise RecordRuleError("The highest score must be above the lowest.", field="score_max")


def _check_against_participants(record: Intervention, data: InterventionData) -> None:
    """An edit must not leave any pupil's scores or dates outside the new plan (sessions held
    may outnumber those planned: the register records what happened)."""
    for part in record.participants:
        for score in (part.baseline_score, part.exit_score):
            if score_error(data.score_min, data.score_max, score) is not None:
                raise RecordRuleError(
                    "A pupil's recorded score falls outside this range; correct it first.",
                    field="score_min",
                )
        # Pupils who started with the intervention move with it; others keep their own date.
        start = data.start_date if part.start_date == record.start_date else part.start_date
        if start < data.start_date or (part.end_date is not None and start > part.end_date):
            raise RecordRuleError(
                "A pupil's own dates don't fit this start date; change their dates first.",
                field="start_date",
            )


def audit_pupil_id(record: Intervention) -> int | None:
    """An individual intervention's pupil, so the audit shows who the change was about."""
    if record.mode is InterventionMode.INDIVIDUAL and record.participants:
        return record.participants[0].pupil_id
    return None


def _priorities(school_id: int, data: InterventionData) -> list[Priority]:
    if data.priority_codes:
        return priorities_by_code(data.priority_codes)
    kind = get_type(school_id, data.type_id)
    if kind is None:  # _check_plan has refused this already
        raise RecordRuleError("Choose an intervention type from the catalogue.", field="type_id")
    return priorities_by_code(kind.default_codes)


def create_intervention(
    school_id: int,
    data: InterventionData,
    *,
    mode: InterventionMode,
    pupil_ids: list[int],
    by: User,
) -> Intervention:
    """Plan an intervention with its pupils (one for individual, two or more for a group)."""
    _check_plan(school_id, data, None)
    pupils = []
    for pupil_id in dict.fromkeys(pupil_ids):
        pupil = school_pupil(school_id, pupil_id)
        if pupil is None:
            raise RecordRuleError("Choose pupils on this school's roll.", field="pupil_ids")
        pupils.append(pupil)
    problem = participant_count_error(mode, len(pupils))
    if problem:
        raise RecordRuleError(problem, field="pupil_ids")
    values = asdict(data)
    values.pop("priority_codes")
    record = Intervention(
        school_id=school_id,
        mode=mode,
        status=InterventionStatus.PLANNED,
        created_by_id=by.id,
        updated_by_id=by.id,
        priorities=_priorities(school_id, data),
        **values,
    )
    for pupil in pupils:
        record.participants.append(
            InterventionParticipant(
                pupil_id=pupil.id, start_date=data.start_date, created_by_id=by.id
            )
        )
    db.session.add(record)
    db.session.flush()
    record_audit(
        by,
        "create",
        "intervention",
        record.id,
        school_id=school_id,
        pupil_id=pupils[0].id if mode is InterventionMode.INDIVIDUAL else None,
        changes={
            "status": record.status.value,
            "mode": mode.value,
            "type_id": data.type_id,
            "participants": len(pupils),
            "priorities": [p.code for p in record.priorities],
        },
    )
    for part in record.participants:
        record_audit(
            by,
            "add_participant",
            "intervention_participant",
            part.id,
            school_id=school_id,
            pupil_id=part.pupil_id,
            changes={"intervention_id": record.id},
        )
    return record


def update_intervention(
    record: Intervention,
    data: InterventionData,
    *,
    by: User,
    expected_version: int | None,
    view_url: str | None = None,
    reason: str | None = None,
) -> dict:
    """Save an edit, refusing it if someone else saved first (optimistic locking)."""
    check_version(record, expected_version, view_url)
    _check_plan(record.school_id, data, record)
    _check_against_participants(record, data)
    followers = [p for p in record.participants if p.start_date == record.start_date]
    values = asdict(data)
    values.pop("priority_codes")
    values["priorities"] = _priorities(record.school_id, data)
    changes = apply_changes(
        record,
        values,
        by=by,
        entity_type="intervention",
        pupil_id=audit_pupil_id(record),
        safe_values=SAFE_FIELDS,
        reason=reason,
    )
    for part in followers:
        if part.start_date != data.start_date:
            part.start_date = data.start_date
            part.updated_by_id = by.id
    return changes


def change_status(
    record: Intervention,
    new_status: InterventionStatus,
    *,
    by: User,
    on: date,
    reason: str | None = None,
    expected_version: int | None = None,
    view_url: str | None = None,
) -> Intervention:
    """Move along planned -> active -> completed/stopped; a stop needs a reason."""
    check_version(record, expected_version, view_url)
    if new_status not in TRANSITIONS.get(record.status, frozenset()):
        raise RecordRuleError(
            f"A {record.status.value} intervention can't be marked {new_status.value}.",
            field="status",
        )
    reason = (reason or "").strip()
    if new_status is InterventionStatus.STOPPED and not reason:
        raise RecordRuleError("Say why the intervention is stopping.", field="reason")
    if new_status is InterventionStatus.ACTIVE:
        problem = participant_count_error(record.mode, len(record.taking_part))
        if problem:
            raise RecordRuleError(problem, field="status")
    values: dict = {"status": new_status}
    if new_status is InterventionStatus.STOPPED:
        values["stop_reason"] = reason
    if new_status in (InterventionStatus.COMPLETED, InterventionStatus.STOPPED):
        end = max(on, record.start_date)
        values["end_date"] = end
        for part in record.taking_part:
            if part.end_date is None:
                part.end_date = max(end, part.start_date)
                part.updated_by_id = by.id
    apply_changes(
        record,
        values,
        by=by,
        entity_type="intervention",
        action="status_change",
        pupil_id=audit_pupil_id(record),
        safe_values=SAFE_FIELDS,
        versioned=False,  # a status move: its values are in the audit log
    )
    return record
