"""Outcomes for every pupil on an intervention in one go (issue 13 item 3).

Each row is checked on its own and every refusal is reported beside its row; nothing is saved
unless every row passes, so a group is never left half-recorded.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from school_tracker.interventions.participants import check_participant_values, update_participant
from school_tracker.models import Intervention, InterventionParticipant, User
from school_tracker.records.versions import RecordRuleError

# Sessions attended are not typed here: the register counts them (records/attendance.py).
OUTCOME_FIELDS = ("end_date", "exit_score", "impact")


@dataclass(frozen=True)
class OutcomeRow:
    """One pupil's outcome as typed, and the version of their record the form was loaded at."""

    part: InterventionParticipant
    values: dict[str, Any]
    expected_version: int


def row_field(name: str, part_id: int) -> str:
    """The form field holding `name` for one pupil's row."""
    return f"{name}_{part_id}"


def row_errors(
    intervention: Intervention, rows: list[OutcomeRow], *, today: date
) -> dict[str, str]:
    """Every row's refusal, keyed by the row's form field (or its impact field if none)."""
    errors: dict[str, str] = {}
    for row in rows:
        merged = {name: getattr(row.part, name) for name in ("start_date", "baseline_score")}
        try:
            check_participant_values(intervention, merged | row.values, today=today)
        except RecordRuleError as error:
            name = error.field if error.field in OUTCOME_FIELDS else "end_date"
            errors[row_field(name, row.part.id)] = str(error)
    return errors


def record_group_outcomes(
    intervention: Intervention,
    rows: list[OutcomeRow],
    *,
    by: User,
    today: date,
    view_url: str | None = None,
) -> dict[int, dict[str, Any]]:
    """Save every row (audited and versioned like a single outcome) or none of them."""
    errors = row_errors(intervention, rows, today=today)
    if errors:
        field, message = next(iter(errors.items()))
        raise RecordRuleError(message, field=field)
    return {
        row.part.id: update_participant(
            row.part,
            row.values,
            by=by,
            today=today,
            expected_version=row.expected_version,
            view_url=view_url,
            action="record_outcome",
        )
        for row in rows
    }
