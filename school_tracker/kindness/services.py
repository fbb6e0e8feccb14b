"""Kindness moments: record, edit, and hide from (or return to) the kindness wall."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from school_tracker.audit import record_audit
from school_tracker.extensions import db
from school_tracker.kindness.givers import resolve_givers, set_givers
from school_tracker.models import (
    KindnessMoment,
    KindnessMomentValue,
    KindnessValue,
    KindPersonKind,
    Priority,
    Pupil,
    Role,
    User,
)
from school_tracker.orm import utcnow
from school_tracker.records.priorities import chosen_priorities
from school_tracker.records.versions import (
    RecordRuleError,
    before_edit,
    check_version,
    finish_edit,
    set_values,
)

ENTITY = "kindness_moment"
DEFAULT_PRIORITIES = ("P1",)
# Audited with their values: a choice, a date and priority codes, never what happened or a name.
SAFE_VALUES = frozenset({"giver_kind", "occurred_on", "priorities"})


@dataclass(frozen=True)
class MomentDetails:
    """Who was kind, to whom, what happened, the values shown and when.

    Kind pupils are those picked (`giver_pupil_ids`) and, with `giver_group`, the pupils on
    roll in that registration group.
    """

    giver_kind: KindPersonKind
    description: str
    values: tuple[KindnessValue, ...]
    occurred_on: date
    giver_pupil_ids: tuple[int, ...] = ()
    giver_group: str | None = None
    giver_name: str | None = None
    receiver_pupil_id: int | None = None
    receiver_name: str | None = None
    priority_codes: tuple[str, ...] = DEFAULT_PRIORITIES


def _school_pupil(school_id: int, pupil_id: int | None, field: str) -> int | None:
    if pupil_id is None:
        return None
    pupil = db.session.get(Pupil, pupil_id)
    if pupil is None or pupil.school_id != school_id:
        raise RecordRuleError("Choose a pupil at this school.", field)
    return pupil.id


def _checked(
    school_id: int, details: MomentDetails, today: date, kept_group: str | None = None
) -> tuple[dict[str, Any], list[int]]:
    """Check the rules; return the columns to store and the kind pupils' ids."""
    name = (details.giver_name or "").strip() or None
    receiver_pupil = _school_pupil(school_id, details.receiver_pupil_id, "receiver_pupil")
    receiver_name = (details.receiver_name or "").strip() or None
    group = (details.giver_group or "").strip() or None
    if details.giver_kind is KindPersonKind.PUPIL:
        name = None
        givers = resolve_givers(
            school_id,
            details.giver_pupil_ids,
            group,
            receiver_pupil_id=receiver_pupil,
            kept_group=kept_group,
        )
    else:
        if name is None:
            raise RecordRuleError("Give the name of the person who was kind.", "giver_name")
        givers, group = [], None
    if receiver_pupil and receiver_name:
        raise RecordRuleError("Choose a pupil or give a name, not both.", "receiver_name")
    if not details.description.strip():
        raise RecordRuleError("Say what happened.", "description")
    if not details.values:
        raise RecordRuleError("Choose at least one value.", "values")
    if details.occurred_on > today:
        raise RecordRuleError("The date can't be in the future.", "occurred_on")
    columns = {
        "giver_kind": details.giver_kind,
        "giver_group": group,
        "giver_name": name,
        "receiver_pupil_id": receiver_pupil,
        "receiver_name": receiver_name,
        "description": details.description.strip(),
        "occurred_on": details.occurred_on,
    }
    return columns, givers


def audit_pupil(moment: KindnessMoment) -> int | None:
    """The pupil a moment's audit entries are filed under: the first kind pupil, or else the
    pupil shown kindness (every kind pupil finds the moment itself in their own file)."""
    givers = moment.giver_pupil_ids
    return givers[0] if givers else moment.receiver_pupil_id


def _priorities(details: MomentDetails) -> list[Priority]:
    return chosen_priorities(details.priority_codes, "Choose at least one priority from the list.")


def _value_codes(values: Iterable[KindnessValue]) -> list[str]:
    return [value.value for value in KindnessValue if value in set(values)]


def record_moment(
    school_id: int, details: MomentDetails, *, by: User, today: date
) -> KindnessMoment:
    """Record a kindness moment (linked to P1 unless other priorities are chosen)."""
    columns, givers = _checked(school_id, details, today)
    moment = KindnessMoment(
        school_id=school_id, created_by_id=by.id, updated_by_id=by.id, **columns
    )
    set_givers(moment, givers)
    moment.value_rows = [KindnessMomentValue(value=v) for v in set(details.values)]
    moment.priorities = _priorities(details)
    db.session.add(moment)
    db.session.flush()
    record_audit(
        by,
        "create",
        ENTITY,
        moment.id,
        school_id=school_id,
        pupil_id=audit_pupil(moment),
        changes={
            "giver_kind": [None, moment.giver_kind.value],
            "giver_pupils": [None, len(givers)],
            "values": [None, _value_codes(details.values)],
            "priorities": [None, sorted(set(details.priority_codes))],
            "description": "set",
        },
    )
    return moment


def update_moment(
    moment: KindnessMoment,
    details: MomentDetails,
    *,
    by: User,
    today: date,
    expected_version: int | None,
    view_url: str | None = None,
) -> dict[str, Any]:
    """Edit a moment (refused if someone saved first); returns the audited changes."""
    check_version(moment, expected_version, view_url)
    columns, givers = _checked(moment.school_id, details, today, kept_group=moment.giver_group)
    values = {**columns, "priorities": _priorities(details)}
    old_values, new_values = _value_codes(moment.values), _value_codes(details.values)
    before = before_edit(moment, [*values, "values", "giver_pupil_ids"])
    changes = set_values(moment, values, safe_values=SAFE_VALUES)
    if moment.giver_pupil_ids != sorted(givers):
        set_givers(moment, givers)
        # Which children, never who they are: the earlier list is kept (as ids) in the version.
        changes["giver_pupil_ids"] = "changed"
    if old_values != new_values:
        # The values are rows of their own: keep the ones still chosen, add the new ones.
        keep = {row.value: row for row in moment.value_rows}
        moment.value_rows = [
            keep.get(v) or KindnessMomentValue(value=v) for v in dict.fromkeys(details.values)
        ]
        changes["values"] = [old_values, new_values]
    pupil_id = audit_pupil(moment)
    finish_edit(moment, before, changes, by=by, entity_type=ENTITY, pupil_id=pupil_id)
    return changes


def _require_leader(by: User) -> None:
    if by.role is not Role.LEADER:
        raise RecordRuleError("Only leaders can hide or show kindness moments.", "reason")


def hide_moment(
    moment: KindnessMoment,
    *,
    reason: str,
    by: User,
    expected_version: int | None = None,
    view_url: str | None = None,
) -> KindnessMoment:
    """Take a moment off the wall, with a reason (a leader only; reversible)."""
    _require_leader(by)
    check_version(moment, expected_version, view_url)
    if moment.hidden:
        raise RecordRuleError("This moment is already hidden.", "reason")
    if not reason.strip():
        raise RecordRuleError("Say why it should not be shown.", "reason")
    moment.hidden, moment.hidden_reason = True, reason.strip()
    moment.hidden_by_id, moment.hidden_at = by.id, utcnow()
    moment.updated_by_id = by.id
    db.session.flush()
    record_audit(
        by,
        "hide",
        ENTITY,
        moment.id,
        school_id=moment.school_id,
        pupil_id=audit_pupil(moment),
        changes={"hidden": [False, True], "hidden_reason": "set"},
    )
    return moment


def unhide_moment(
    moment: KindnessMoment,
    *,
    by: User,
    expected_version: int | None = None,
    view_url: str | None = None,
) -> KindnessMoment:
    """Put a hidden moment back on the wall (a leader only)."""
    _require_leader(by)
    check_version(moment, expected_version, view_url)
    if not moment.hidden:
        raise RecordRuleError("This moment is not hidden.", "reason")
    moment.hidden, moment.hidden_reason = False, None
    moment.hidden_by_id, moment.hidden_at = None, None
    moment.updated_by_id = by.id
    db.session.flush()
    record_audit(
        by,
        "unhide",
        ENTITY,
        moment.id,
        school_id=moment.school_id,
        pupil_id=audit_pupil(moment),
        changes={"hidden": [True, False], "hidden_reason": "cleared"},
    )
    return moment
