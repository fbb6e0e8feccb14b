"""The records behind a dashboard number (leaders only): same definitions, one term.

Where a figure counts records (interventions, pairings, sessions, suspensions, professional
learning, conversations, kindness moments) or staff, its drill-down lists them; where it sums
something (hours, cost, sessions lost), it lists the records the sum is taken over.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from school_tracker.calendar.terms import Term
from school_tracker.dashboard import record_lines as lines
from school_tracker.dashboard import sources as src
from school_tracker.dashboard.model import filter_pupils, join_pupils
from school_tracker.dashboard.spend import NOT_RECORDED, TOTAL
from school_tracker.models import (
    Exclusion,
    InterventionParticipant,
    KindnessMoment,
    LearningRecord,
    MentoringPairing,
    ParentConversation,
    User,
)
from school_tracker.models.exclusion import ExclusionKind, ExclusionReason
from school_tracker.models.intervention import FundingStream, Intervention, InterventionStatus
from school_tracker.models.kindness import KindnessMomentValue, KindnessValue, names_a_pupil_where
from school_tracker.models.mentoring import MentoringSession

IdSource = Callable[[int, sa.Subquery, str, src.DashboardFilters], sa.Select]


@dataclass(frozen=True)
class RecordKind:
    """How to find one kind of record behind a figure, and how to show it."""

    noun: str
    model: Any
    ids: IdSource
    order: tuple[Any, ...]
    line: Callable[[Any], lines.RecordLine]
    load: tuple[Any, ...] = ()


def _running(
    school_id: int, t: sa.Subquery, param: str, filters: src.DashboardFilters
) -> sa.Select:
    return join_pupils(
        sa.select(Intervention.id)
        .select_from(InterventionParticipant)
        .join(Intervention, Intervention.id == InterventionParticipant.intervention_id)
        .join(t, sa.and_(Intervention.school_id == school_id, src.taking_part_in_term(t))),
        filters,
        InterventionParticipant.pupil_id,
    )


def _started(
    school_id: int, t: sa.Subquery, param: str, filters: src.DashboardFilters
) -> sa.Select:
    # The cost figure counts every intervention started in the term, whoever is in it.
    return (
        sa.select(Intervention.id)
        .join(t, src.within(t, Intervention.start_date))
        .where(
            Intervention.school_id == school_id, Intervention.status != InterventionStatus.PLANNED
        )
    )


def _spend_cost(
    school_id: int, t: sa.Subquery, param: str, filters: src.DashboardFilters
) -> sa.Select:
    # The spend figure: interventions started in the term from one funding stream (or any);
    # with a filter, those with a filtered pupil's place, whose share of the cost is counted.
    stmt = _started(school_id, t, param, filters)
    if param == NOT_RECORDED:
        stmt = stmt.where(Intervention.funding_stream.is_(None))
    elif param != TOTAL:
        stmt = stmt.where(Intervention.funding_stream == FundingStream(param))
    if filters.conditions():
        stmt = stmt.where(
            Intervention.id.in_(
                join_pupils(
                    sa.select(InterventionParticipant.intervention_id),
                    filters,
                    InterventionParticipant.pupil_id,
                )
            )
        )
    return stmt


def _pairings(
    school_id: int, t: sa.Subquery, param: str, filters: src.DashboardFilters
) -> sa.Select:
    return filter_pupils(
        sa.select(MentoringPairing.id)
        .join(t, src.overlaps(t, MentoringPairing.starts_on, MentoringPairing.ended_on))
        .where(MentoringPairing.school_id == school_id),
        filters,
        MentoringPairing.mentee_id,
    )


def _sessions(
    school_id: int, t: sa.Subquery, param: str, filters: src.DashboardFilters
) -> sa.Select:
    return join_pupils(
        sa.select(MentoringSession.id)
        .join(MentoringPairing, MentoringPairing.id == MentoringSession.pairing_id)
        .join(t, src.within(t, MentoringSession.held_on))
        .where(MentoringSession.school_id == school_id),
        filters,
        MentoringPairing.mentee_id,
    )


def _suspensions(
    school_id: int, t: sa.Subquery, param: str, filters: src.DashboardFilters
) -> sa.Select:
    return filter_pupils(
        sa.select(Exclusion.id)
        .join(t, src.within(t, Exclusion.start_date))
        .where(
            Exclusion.school_id == school_id,
            Exclusion.cancelled_on.is_(None),
            Exclusion.kind == ExclusionKind.SUSPENSION,
        ),
        filters,
        Exclusion.pupil_id,
    )


def _reason(school_id: int, t: sa.Subquery, param: str, filters: src.DashboardFilters) -> sa.Select:
    reason = sa.select(ExclusionReason.id).where(ExclusionReason.code == param).scalar_subquery()
    return filter_pupils(
        sa.select(Exclusion.id)
        .join(t, src.within(t, Exclusion.start_date))
        .where(
            Exclusion.school_id == school_id,
            Exclusion.cancelled_on.is_(None),
            sa.or_(
                Exclusion.reason_1_id == reason,
                Exclusion.reason_2_id == reason,
                Exclusion.reason_3_id == reason,
            ),
        ),
        filters,
        Exclusion.pupil_id,
    )


def _learning(
    school_id: int, t: sa.Subquery, param: str, filters: src.DashboardFilters
) -> sa.Select:
    return (
        sa.select(LearningRecord.id)
        .join(t, src.within(t, LearningRecord.held_on))
        .where(LearningRecord.school_id == school_id)
    )


def _staff(school_id: int, t: sa.Subquery, param: str, filters: src.DashboardFilters) -> sa.Select:
    return (
        sa.select(LearningRecord.staff_id)
        .join(t, src.within(t, LearningRecord.held_on))
        .where(LearningRecord.school_id == school_id)
    )


def _conversations(
    school_id: int, t: sa.Subquery, param: str, filters: src.DashboardFilters
) -> sa.Select:
    return filter_pupils(
        sa.select(ParentConversation.id)
        .join(t, src.within(t, ParentConversation.held_on))
        .where(ParentConversation.school_id == school_id),
        filters,
        ParentConversation.pupil_id,
    )


def _moments(
    school_id: int, t: sa.Subquery, param: str, filters: src.DashboardFilters
) -> sa.Select:
    stmt = (
        sa.select(KindnessMoment.id)
        .join(t, src.within(t, KindnessMoment.occurred_on))
        .where(KindnessMoment.school_id == school_id)
    )
    if filters.conditions():
        stmt = stmt.where(names_a_pupil_where(*filters.conditions()))
    if param != "any":
        value = KindnessValue(param)
        stmt = stmt.where(
            sa.exists().where(
                KindnessMomentValue.moment_id == KindnessMoment.id,
                KindnessMomentValue.value == value,
            )
        )
    return stmt


RECORD_SOURCES: dict[str, RecordKind] = {
    "running": RecordKind(
        "interventions",
        Intervention,
        _running,
        (Intervention.start_date, Intervention.id),
        lines.intervention_line,
        (selectinload(Intervention.type),),
    ),
    "started_cost": RecordKind(
        "interventions",
        Intervention,
        _started,
        (Intervention.start_date, Intervention.id),
        lines.intervention_line,
        (selectinload(Intervention.type),),
    ),
    "spend_cost": RecordKind(
        "interventions",
        Intervention,
        _spend_cost,
        (Intervention.start_date, Intervention.id),
        lines.intervention_line,
        (selectinload(Intervention.type),),
    ),
    "pairing": RecordKind(
        "mentoring pairings",
        MentoringPairing,
        _pairings,
        (MentoringPairing.starts_on, MentoringPairing.id),
        lines.pairing_line,
        (selectinload(MentoringPairing.mentee),),
    ),
    "mentoring_session": RecordKind(
        "mentoring sessions",
        MentoringSession,
        _sessions,
        (MentoringSession.held_on, MentoringSession.id),
        lines.session_line,
        (selectinload(MentoringSession.pairing).selectinload(MentoringPairing.mentee),),
    ),
    "suspension": RecordKind(
        "suspensions",
        Exclusion,
        _suspensions,
        (Exclusion.start_date, Exclusion.id),
        lines.exclusion_line,
        (selectinload(Exclusion.pupil),),
    ),
    "reason": RecordKind(
        "suspensions and exclusions",
        Exclusion,
        _reason,
        (Exclusion.start_date, Exclusion.id),
        lines.exclusion_line,
        (selectinload(Exclusion.pupil),),
    ),
    "learning": RecordKind(
        "professional learning records",
        LearningRecord,
        _learning,
        (LearningRecord.held_on, LearningRecord.id),
        lines.learning_line,
        (selectinload(LearningRecord.staff),),
    ),
    "staff": RecordKind("staff", User, _staff, (User.full_name, User.id), lines.staff_line),
    "conversation": RecordKind(
        "conversations",
        ParentConversation,
        _conversations,
        (ParentConversation.held_on, ParentConversation.id),
        lines.conversation_line,
        (selectinload(ParentConversation.pupil),),
    ),
    "moment": RecordKind(
        "kindness moments",
        KindnessMoment,
        _moments,
        (KindnessMoment.occurred_on, KindnessMoment.id),
        lines.moment_line,
    ),
}


class UnknownRecords(ValueError):
    """A records drill-down key we do not publish."""


def drill_records(
    school_id: int, term: Term, figure: str, filters: src.DashboardFilters
) -> tuple[RecordKind, sa.Select]:
    """The kind and a statement selecting the distinct records behind one dashboard number."""
    kind_key, _, param = figure.partition(":")
    if kind_key not in RECORD_SOURCES or not param:
        raise UnknownRecords(figure)
    kind = RECORD_SOURCES[kind_key]
    t = src.terms_table([term])
    ids = kind.ids(school_id, t, param, filters).subquery("ids")
    primary = kind.model.id
    stmt = sa.select(kind.model).where(
        primary.in_(sa.select(ids.c[0])), kind.model.school_id == school_id
    )
    return kind, stmt.options(*kind.load).order_by(*kind.order)
