"""Admins keep the school's own lists: agencies, risk factors, intervention measures, CPD focus.

A value is added, renamed, given the dates it is offered, retired (its last day set) and
reinstated, never deleted: nothing in the app is hard-deleted (R63), and an unused typo is
renamed or retired like any other value. Every change is audited
with its values: list names are not personal (docs/reference-data.md).
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from school_tracker.audit import record_audit
from school_tracker.extensions import db
from school_tracker.models import (
    Agency,
    AgencyInvolvement,
    Intervention,
    LearningRecord,
    ReferenceKind,
    ReferenceValue,
    RiskFactor,
    User,
)
from school_tracker.models.risk import risk_flag_agencies, risk_flag_factors
from school_tracker.records.reference_lists import ListRow
from school_tracker.records.versions import RecordRuleError

NAME_MAX = 100  # the shortest name column of the four lists (agencies, risk factors)


@dataclass(frozen=True)
class ReferenceList:
    """One of the school's lists: where it lives, what it is called, which records use it."""

    slug: str
    title: str
    singular: str
    model: type[Agency] | type[RiskFactor] | type[ReferenceValue]
    entity_type: str
    used_on: str
    kind: ReferenceKind | None = None

    @property
    def a_singular(self) -> str:
        """The singular with its article ("an agency", "a measure"), for buttons and headings."""
        return ("an " if self.singular[0] in "aeiou" else "a ") + self.singular


LISTS: dict[str, ReferenceList] = {
    row.slug: row
    for row in (
        ReferenceList(
            "agencies", "Agencies", "agency", Agency, "agency",
            "risk flags and agency involvement records",
        ),
        ReferenceList(
            "risk-factors", "Risk factors", "risk factor", RiskFactor, "risk_factor",
            "risk flags",
        ),
        ReferenceList(
            "measures", "Intervention measures", "measure", ReferenceValue, "reference_value",
            "interventions", ReferenceKind.MEASURE,
        ),
        ReferenceList(
            "cpd-focus", "CPD focus areas", "focus area", ReferenceValue, "reference_value",
            "professional learning records", ReferenceKind.CPD_FOCUS,
        ),
    )
}  # fmt: skip


def _scope(lst: ReferenceList, school_id: int) -> sa.Select:
    stmt = sa.select(lst.model).where(lst.model.school_id == school_id)
    if lst.kind is not None:
        stmt = stmt.where(ReferenceValue.kind == lst.kind)
    return stmt


def list_values(lst: ReferenceList, school_id: int) -> list[Any]:
    """The school's values of one list in display order, retired ones included."""
    return list(db.session.scalars(_scope(lst, school_id).order_by(lst.model.sort_order)))


def get_value(lst: ReferenceList, school_id: int, value_id: int) -> ListRow | None:
    """A value of this school's list, or None (another school's or another list's id)."""
    row: ListRow | None = db.session.scalar(_scope(lst, school_id).where(lst.model.id == value_id))
    return row


def _usage_counts(lst: ReferenceList) -> list[sa.Select]:
    """One (value id, number of records) query per kind of record that names the list."""
    if lst.model is Agency:
        link = risk_flag_agencies.c.agency_id
        return [
            sa.select(link, sa.func.count()).group_by(link),
            sa.select(AgencyInvolvement.agency_id, sa.func.count()).group_by(
                AgencyInvolvement.agency_id
            ),
        ]
    if lst.model is RiskFactor:
        factor = risk_flag_factors.c.risk_factor_id
        return [sa.select(factor, sa.func.count()).group_by(factor)]
    column = (
        Intervention.measure_id if lst.kind is ReferenceKind.MEASURE else LearningRecord.focus_id
    )
    return [sa.select(column, sa.func.count()).where(column.is_not(None)).group_by(column)]


def usage(lst: ReferenceList, ids: list[int]) -> dict[int, int]:
    """How many records name each value (a flag counts once however many it ticks)."""
    counts = dict.fromkeys(ids, 0)
    if not ids:
        return counts
    for query in _usage_counts(lst):
        for value_id, count in db.session.execute(query):
            if value_id in counts:
                counts[value_id] += count
    return counts


def _check(
    lst: ReferenceList,
    school_id: int,
    name: str,
    active_from: date | None,
    active_to: date | None,
    current: ListRow | None = None,
) -> str:
    name = (name or "").strip()
    if not name:
        raise RecordRuleError("Enter a name.", field="name")
    if len(name) > NAME_MAX:
        raise RecordRuleError(f"Keep the name to {NAME_MAX} characters.", field="name")
    clash = db.session.scalar(
        _scope(lst, school_id)
        .where(sa.func.lower(lst.model.name) == name.lower())
        .with_only_columns(lst.model.id)
    )
    if clash is not None and (current is None or clash != current.id):
        raise RecordRuleError(
            f"The list already has a {lst.singular} with this name (perhaps retired: "
            "reinstate it instead).",
            field="name",
        )
    if active_from is not None and active_to is not None and active_to < active_from:
        raise RecordRuleError("The last day can't be before the first day.", field="active_to")
    return name


def _new_code(lst: ReferenceList, school_id: int, name: str) -> str:
    """A code for a new agency or risk factor: its name in lower case, unique in the school.

    Codes are how the trust's schools recognise the same value on their own lists.
    """
    base = re.sub(r"[^a-z0-9]+", "_", name.casefold()).strip("_")[:24] or "value"
    coded = Agency if lst.model is Agency else RiskFactor
    taken = set(db.session.scalars(_scope(lst, school_id).with_only_columns(coded.code)))
    code, n = base, 1
    while code in taken:
        n += 1
        code = f"{base}_{n}"
    return code


def add_value(
    lst: ReferenceList,
    school_id: int,
    *,
    name: str,
    active_from: date | None,
    active_to: date | None,
    by: User,
) -> ListRow:
    """A new value at the end of the list, offered between its dates (open when blank)."""
    name = _check(lst, school_id, name, active_from, active_to)
    last = db.session.scalar(
        _scope(lst, school_id).with_only_columns(sa.func.max(lst.model.sort_order))
    )
    values: dict[str, Any] = dict(
        school_id=school_id,
        name=name,
        active_from=active_from,
        active_to=active_to,
        sort_order=(last or 0) + 10,
    )
    if lst.kind is not None:
        values["kind"] = lst.kind
    else:
        values["code"] = _new_code(lst, school_id, name)
    row: ListRow = lst.model(**values)
    db.session.add(row)
    db.session.flush()
    _audit(by, "create", lst, row, {"name": name, **_dates(active_from, active_to)})
    return row


def update_value(
    lst: ReferenceList,
    row: ListRow,
    *,
    name: str,
    active_from: date | None,
    active_to: date | None,
    by: User,
) -> dict[str, Any]:
    """Rename a value or change its dates; every record naming it shows the new name."""
    name = _check(lst, row.school_id, name, active_from, active_to, current=row)
    changes: dict[str, Any] = {}
    for field, value in (("name", name), ("active_from", active_from), ("active_to", active_to)):
        old = getattr(row, field)
        if old != value:
            changes[field] = [_plain(old), _plain(value)]
            setattr(row, field, value)
    if changes:
        _audit(by, "update", lst, row, changes)
    return changes


def retire_value(lst: ReferenceList, row: ListRow, *, today: date, by: User) -> None:
    """Stop offering a value from today: yesterday becomes its last day. Records keep it."""
    last_day = today - timedelta(days=1)
    if row.active_to is not None and row.active_to <= last_day:
        raise RecordRuleError(f"This {lst.singular} is already retired.")
    if row.active_from is not None and row.active_from > last_day:
        raise RecordRuleError(f"This {lst.singular} is not offered yet: change its dates instead.")
    old = row.active_to
    row.active_to = last_day
    _audit(by, "retire", lst, row, {"active_to": [_plain(old), last_day.isoformat()]})


def reinstate_value(lst: ReferenceList, row: ListRow, *, by: User) -> None:
    """Offer a retired value again, with no last day."""
    if row.active_to is None:
        raise RecordRuleError(f"This {lst.singular} has no last day to remove.")
    old = row.active_to
    row.active_to = None
    _audit(by, "reinstate", lst, row, {"active_to": [old.isoformat(), None]})


def _dates(active_from: date | None, active_to: date | None) -> dict[str, str | None]:
    return {"active_from": _plain(active_from), "active_to": _plain(active_to)}


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _audit(by: User, action: str, lst: ReferenceList, row: ListRow, changes: dict) -> None:
    changes = {**changes, "list": lst.slug}
    record_audit(by, action, lst.entity_type, row.id, school_id=row.school_id, changes=changes)
