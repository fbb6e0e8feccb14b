"""The lists each school controls: agencies, risk factors, intervention measures, CPD focus.

Each school starts with the standard lists below and its admins change them
(admin/reference_data.py). Forms offer the values active on the record's date, plus whatever
the record already names, so editing an old record never drops a retired value; services check
the same rule again (docs/reference-data.md).
"""

from collections.abc import Iterable
from datetime import date
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import QueryableAttribute

from school_tracker.extensions import db
from school_tracker.models import Agency, ReferenceKind, ReferenceValue, RiskFactor, School
from school_tracker.records.versions import RecordRuleError

# Codes are stable identifiers (the trust's schools compare agencies by them); names may change.
AGENCIES: tuple[tuple[str, str], ...] = (
    ("camhs", "CAMHS / CYPMHS"),
    ("mhst", "Mental Health Support Team"),
    ("early_help", "Early Help"),
    ("social_care", "Children's social care"),
    ("virtual_school", "Virtual School Head"),
    ("ed_psych", "Educational psychology"),
    ("salt", "Speech and language therapy"),
    ("ot", "Occupational therapy"),
    ("school_nursing", "School nursing"),
    ("youth_justice", "Youth Justice Service"),
    ("police", "Police / safer schools officer"),
    ("la_sen", "LA SEN team"),
    ("behaviour_support", "Specialist teaching / behaviour support"),
    ("ap_pru", "Alternative provision / PRU"),
    ("young_carers", "Young carers service"),
    ("attendance", "Attendance service"),
    ("fair_access", "Fair Access panel"),
)

RISK_FACTORS: tuple[tuple[str, str], ...] = (
    ("persistent_disruption", "Persistent disruption"),
    ("attendance", "Attendance"),
    ("unmet_send", "Unmet SEND need"),
    ("bereavement_family_change", "Bereavement or family change"),
    ("peer_conflict", "Peer conflict"),
    ("online_harm", "Online harm"),
    ("substance_misuse", "Substance misuse"),
    ("exploitation", "Exploitation concern"),
    ("other", "Other"),
)

STANDARD_VALUES: dict[ReferenceKind, tuple[str, ...]] = {
    ReferenceKind.MEASURE: (
        "Boxall Profile (developmental strands)",
        "SDQ total difficulties",
        "Reading age (months)",
        "Phonics check score",
        "Maths standardised score",
        "Language standardised score",
        "Attendance %",
        "Wellbeing scale (1-5)",
    ),
    ReferenceKind.CPD_FOCUS: (
        "Attachment and trauma",
        "Behaviour and relationships",
        "Communication",
        "Early reading",
        "Reading",
        "Maths",
        "SEND",
        "Leadership",
        "Parents and carers",
        "Safeguarding",
        "Teaching and learning",
        "Wellbeing",
    ),
}

ListRow = Agency | RiskFactor | ReferenceValue
Row = TypeVar("Row", Agency, RiskFactor, ReferenceValue)


def _ensure_coded(model: type[Agency | RiskFactor], school_id: int, rows: tuple) -> None:
    existing = set(db.session.scalars(sa.select(model.code).where(model.school_id == school_id)))
    db.session.add_all(
        model(school_id=school_id, code=code, name=name, sort_order=order * 10)
        for order, (code, name) in enumerate(rows, start=1)
        if code not in existing
    )


def _ensure_values(school_id: int, kind: ReferenceKind) -> None:
    existing = {
        name.casefold()
        for name in db.session.scalars(
            sa.select(ReferenceValue.name).where(
                ReferenceValue.school_id == school_id, ReferenceValue.kind == kind
            )
        )
    }
    db.session.add_all(
        ReferenceValue(school_id=school_id, kind=kind, name=name, sort_order=order * 10)
        for order, name in enumerate(STANDARD_VALUES[kind], start=1)
        if name.casefold() not in existing
    )


def ensure_school_lists(school_id: int) -> None:
    """Give one school any standard value it lacks (idempotent; renamed values are kept)."""
    _ensure_coded(Agency, school_id, AGENCIES)
    _ensure_coded(RiskFactor, school_id, RISK_FACTORS)
    for kind in ReferenceKind:
        _ensure_values(school_id, kind)
    db.session.flush()


def ensure_every_school_lists() -> None:
    """The standard lists for every school (a test database or a fresh install)."""
    for school_id in db.session.scalars(sa.select(School.id)):
        ensure_school_lists(school_id)


def _scoped(model: type[Row], school_id: int, kind: ReferenceKind | None) -> sa.Select:
    stmt = sa.select(model).where(model.school_id == school_id)
    if model is ReferenceValue:
        if kind is None:
            raise ValueError("A reference value list needs its kind.")
        stmt = stmt.where(ReferenceValue.kind == kind)
    return stmt


def active_on(model: type[ListRow], day: date) -> sa.ColumnElement[bool]:
    """SQL for "offered on `day`" (open dates mean always on that side)."""
    return sa.and_(
        sa.or_(model.active_from.is_(None), model.active_from <= day),
        sa.or_(model.active_to.is_(None), model.active_to >= day),
    )


def offered(
    model: type[Row],
    school_id: int,
    *,
    on: date,
    keep: Iterable[int | None] = (),
    kind: ReferenceKind | None = None,
) -> list[Row]:
    """The school's values active on `on`, plus those in `keep` (what the record names now)."""
    kept = [row_id for row_id in keep if row_id is not None]
    scope = active_on(model, on)
    if kept:
        scope = sa.or_(scope, model.id.in_(kept))
    stmt = _scoped(model, school_id, kind).where(scope)
    return list(db.session.scalars(stmt.order_by(model.sort_order, model.name)))


def choose(
    model: type[Row],
    school_id: int,
    ids: Iterable[int],
    *,
    on: date,
    field: str,
    keep: Iterable[int | None] = (),
    kind: ReferenceKind | None = None,
) -> list[Row]:
    """The rows for `ids`, each the school's own and offered on `on` or already kept.

    Another school's id, an unknown id or a value not offered on that date is refused with
    a message beside `field`.
    """
    wanted = set(ids)
    if not wanted:
        return []
    allowed = {row.id: row for row in offered(model, school_id, on=on, keep=keep, kind=kind)}
    if not wanted <= set(allowed):
        raise RecordRuleError("Choose from the list.", field=field)
    return [allowed[row_id] for row_id in allowed if row_id in wanted]


def choose_one(
    model: type[Row],
    school_id: int,
    row_id: int | None,
    *,
    on: date,
    field: str,
    keep: int | None = None,
    kind: ReferenceKind | None = None,
) -> Row | None:
    """One optional value by `choose`'s rule; None when nothing was chosen."""
    if row_id is None:
        return None
    return choose(model, school_id, [row_id], on=on, field=field, keep=[keep], kind=kind)[0]


def name_choices(rows: Iterable[ListRow], *, on: date) -> list[tuple[int, str]]:
    """(id, name) pairs for a form; a value no longer offered says so beside its name."""
    return [
        (row.id, row.name if row.is_active_on(on) else f"{row.name} (no longer offered)")
        for row in rows
    ]


def value_name(
    column: QueryableAttribute[int | None] | sa.ColumnElement[int | None],
) -> sa.ScalarSelect[str]:
    """SQL for the name of the reference value a record's column points at (NULL if none)."""
    return sa.select(ReferenceValue.name).where(ReferenceValue.id == column).scalar_subquery()
