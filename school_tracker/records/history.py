"""A record's earlier versions as its detail page shows them: who changed what, when, why (R63).

Views call `record_history` with the fields the viewer may not see; those are dropped here,
before anything reaches a template, so a hidden earlier value is never in the page at all.
"""

import enum
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapper, RelationshipDirection, selectinload

from school_tracker.extensions import db
from school_tracker.models import (
    AgencyInvolvement,
    Exclusion,
    ExclusionFollowUp,
    Intervention,
    InterventionParticipant,
    KindnessMoment,
    LearningRecord,
    MentoringPairing,
    MentoringSession,
    ParentConversation,
    Pupil,
    RecordVersion,
    ReinstatementReview,
    RiskFlag,
)

# The audit log's entity names for every record that keeps versions, and its model.
VERSIONED_MODELS: dict[str, type] = {
    "mentoring_pairing": MentoringPairing,
    "mentoring_session": MentoringSession,
    "intervention": Intervention,
    "intervention_participant": InterventionParticipant,
    "learning_record": LearningRecord,
    "parent_conversation": ParentConversation,
    "kindness_moment": KindnessMoment,
    "exclusion": Exclusion,
    "risk_flag": RiskFlag,
    "exclusion_follow_up": ExclusionFollowUp,
    "reinstatement_review": ReinstatementReview,
    "agency_involvement": AgencyInvolvement,
}
# Where a column's name doesn't read well on its own.
FIELD_LABELS = {
    "activities": "What we did",
    "cost_pence": "Cost (pence)",
    "description": "What happened",
    "hours_tenths": "Hours (tenths)",
    "mentor_user_id": "Mentor (staff)",
    "mentor_pupil_id": "Mentor (pupil)",
    "review_on": "Review date",
    # Typed on the outcome form before the session register; earlier versions still hold it.
    "sessions_attended": "Sessions attended (typed before the register)",
    "type_id": "Type",
    "values": "Values shown",
    "named_staff": "Staff named",
    "priorities": "AfA priorities",
    "giver_pupil_ids": "Pupils who were kind",
    "giver_group": "Given by registration group",
}
# Fields a version keeps as a list of pupil ids (several children on one record), by suffix.
PUPIL_LIST_SUFFIX = "_pupil_ids"
BLANK = "(blank)"


@dataclass(frozen=True)
class Subject:
    """A record whose versions a page lists; `about` names it when a page lists several."""

    entity_type: str
    entity_id: int
    about: str = ""


@dataclass(frozen=True)
class FieldChange:
    """One changed field and what it said before the change."""

    label: str
    earlier: str


@dataclass(frozen=True)
class HistoryEntry:
    """One edit: the version it replaced, who, when, why and the earlier values."""

    version: int
    changed_at: datetime
    changed_by: str
    about: str
    fields: list[FieldChange]
    reason: str | None
    removed: bool  # retention blanked the earlier values
    withheld: bool  # fields this viewer may not see changed too


def record_history(
    *subjects: Subject, hidden: frozenset[str] = frozenset(), show_reason: bool = True
) -> list[HistoryEntry]:
    """The versions of these records, newest first, without the `hidden` fields' values."""
    by_type: dict[str, list[int]] = {}
    for subject in subjects:
        by_type.setdefault(subject.entity_type, []).append(subject.entity_id)
    if not by_type:
        return []
    rows = list(
        db.session.scalars(
            sa.select(RecordVersion)
            .where(
                sa.or_(
                    *(
                        sa.and_(RecordVersion.entity_type == kind, RecordVersion.entity_id.in_(ids))
                        for kind, ids in by_type.items()
                    )
                )
            )
            .options(selectinload(RecordVersion.changed_by))
            .order_by(RecordVersion.changed_at.desc(), RecordVersion.id.desc())
        )
    )
    about = {(s.entity_type, s.entity_id): s.about for s in subjects}
    pupils = _pupil_names(rows)
    return [_entry(row, about, pupils, hidden, show_reason) for row in rows]


def _entry(
    row: RecordVersion,
    about: dict[tuple[str, int], str],
    pupils: dict[int, str],
    hidden: frozenset[str],
    show_reason: bool,
) -> HistoryEntry:
    previous = row.previous or {}
    fields = [
        FieldChange(field_label(name), shown_value(row.entity_type, name, value, pupils))
        for name, value in previous.items()
        if name not in hidden
    ]
    return HistoryEntry(
        version=row.version,
        changed_at=row.changed_at,
        # Accounts are deactivated, never deleted, so a leaver's name still shows here.
        changed_by=row.changed_by.full_name if row.changed_by else "the system",
        about=about.get((row.entity_type, row.entity_id), ""),
        fields=fields,
        reason=row.reason if show_reason else None,
        removed=row.previous is None,
        withheld=any(name in hidden for name in previous),
    )


def field_label(name: str) -> str:
    """`mentee_goals` -> "Mentee goals"; `lead_id` -> "Lead"."""
    return FIELD_LABELS.get(name) or name.removesuffix("_id").replace("_", " ").capitalize()


def pupil_columns(model: type | None) -> set[str]:
    """The model's columns that point at a pupil (kept as ids in a version, never names)."""
    if model is None:
        return set()
    mapper: Mapper[Any] = sa.inspect(model)
    return {
        column.key
        for rel in mapper.relationships
        if rel.direction is RelationshipDirection.MANYTOONE and rel.mapper.class_ is Pupil
        for column in rel.local_columns
        if column.key is not None  # always, for a mapped table's column
    }


def _pupil_names(rows: list[RecordVersion]) -> dict[int, str]:
    ids = {
        value
        for row in rows
        for name, value in (row.previous or {}).items()
        if isinstance(value, int) and name in pupil_columns(VERSIONED_MODELS.get(row.entity_type))
    } | {
        pupil_id
        for row in rows
        for name, value in (row.previous or {}).items()
        if name.endswith(PUPIL_LIST_SUFFIX) and isinstance(value, list)
        for pupil_id in value
        if isinstance(pupil_id, int)
    }
    if not ids:
        return {}
    school_ids = {row.school_id for row in rows}
    found = db.session.scalars(
        sa.select(Pupil).where(Pupil.id.in_(ids), Pupil.school_id.in_(school_ids))
    )
    return {pupil.id: pupil.display_name for pupil in found}


def shown_value(
    entity_type: str, name: str, value: Any, pupils: dict[int, str] | None = None
) -> str:
    """An earlier value as a person reads it; a pupil by name only if `pupils` names them."""
    model = VERSIONED_MODELS.get(entity_type)
    if value is None or value == "" or value == []:
        return BLANK
    if isinstance(value, list) and name.endswith(PUPIL_LIST_SUFFIX):
        return "; ".join(sorted((pupils or {}).get(pupil_id, "a pupil") for pupil_id in value))
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if name in pupil_columns(model):
        return (pupils or {}).get(value, "a pupil")
    enum_class = _enum_of(model, name)
    if enum_class is not None:
        try:
            member = enum_class(value)
        except ValueError:
            return str(value)
        return str(getattr(member, "label", member.value))
    if isinstance(value, str) and name.endswith(("_on", "_date")):
        try:
            return date.fromisoformat(value).strftime("%d %b %Y")
        except ValueError:
            return value
    return str(value)


def _enum_of(model: type | None, name: str) -> type[enum.Enum] | None:
    if model is None:
        return None
    mapper: Mapper[Any] = sa.inspect(model)
    column = mapper.columns.get(name)
    return getattr(column.type, "enum_class", None) if column is not None else None
