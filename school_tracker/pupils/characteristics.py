"""Characteristics a school corrects by hand (issue 16 item 7): young carer, previously looked
after, child in need, SEN status and primary need.

Each change needs a reason, keeps the earlier values as a version of the pupil's record (R63),
is audited by field name only (these are special category data, R62), and marks the field as
set by hand, so the next roll import keeps it unless the admin chooses the file's value.
"""

from dataclasses import asdict, dataclass
from typing import Any

from school_tracker.models import PrimaryNeed, Pupil, SenStatus, User
from school_tracker.records.versions import RecordRuleError, apply_changes, check_version

CHARACTERISTICS = (
    "young_carer",
    "previously_looked_after",
    "child_in_need",
    "sen_status",
    "primary_need",
)
CHARACTERISTIC_LABELS = {
    "young_carer": "Young carer",
    "previously_looked_after": "Previously looked after",
    "child_in_need": "Child in need",
    "sen_status": "SEN status",
    "primary_need": "Primary need",
}


@dataclass
class Characteristics:
    """The values the form sets, all at once."""

    young_carer: bool
    previously_looked_after: bool
    child_in_need: bool
    sen_status: SenStatus
    primary_need: PrimaryNeed | None


def current_characteristics(pupil: Pupil) -> Characteristics:
    return Characteristics(**{name: getattr(pupil, name) for name in CHARACTERISTICS})


def set_characteristics(
    pupil: Pupil,
    values: Characteristics,
    *,
    reason: str,
    by: User,
    expected_version: int | None,
) -> dict[str, Any]:
    """Set the characteristics that differ, mark them set by hand, keep the earlier version."""
    check_version(pupil, expected_version)
    if not reason.strip():
        raise RecordRuleError("Say why this is being changed.", field="change_reason")
    if values.sen_status is SenStatus.NONE and values.primary_need is not None:
        raise RecordRuleError(
            "A primary need goes with SEN support or an EHC plan.", field="primary_need"
        )
    if values.sen_status is not SenStatus.NONE and values.primary_need is None:
        raise RecordRuleError("Choose the primary need.", field="primary_need")
    wanted = asdict(values)
    changed = [name for name in CHARACTERISTICS if getattr(pupil, name) != wanted[name]]
    if not changed:
        raise RecordRuleError("Nothing was changed.", field="change_reason")
    # A new list, not an in-place append: a JSON column notices assignment only.
    pupil.hand_set_fields = sorted({*pupil.hand_set_fields, *changed})
    changes: dict[str, Any] = apply_changes(
        pupil,
        {name: wanted[name] for name in changed},
        by=by,
        entity_type="pupil",
        action="set_by_hand",
        pupil_id=pupil.id,
        reason=reason,
    )
    return changes
