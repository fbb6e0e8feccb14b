"""SQL building blocks for the dashboard: term windows, pupil filters, and who was reached.

Every figure is computed for all the dashboard's terms in one statement: the terms are a
VALUES table joined to the records by date, so the number of queries never grows with the
data or the number of terms.
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from school_tracker.calendar.terms import Term
from school_tracker.extensions import db
from school_tracker.models import (
    InterventionParticipant,
    KindnessMoment,
    MentoringPairing,
    ParentConversation,
    Pupil,
    RiskFlag,
    YearGroup,
)
from school_tracker.models.family import parent_conversation_priorities
from school_tracker.models.intervention import (
    Intervention,
    InterventionStatus,
    ParticipantStatus,
    intervention_priorities,
)
from school_tracker.models.kindness import KindnessGiver, kindness_moment_priorities
from school_tracker.models.mentoring import mentoring_pairing_priorities
from school_tracker.models.pupil import PUPIL_GROUP_FILTERS
from school_tracker.models.risk import risk_flag_priorities

# "All pupils" first, then the groups leaders compare (docs/design.md section 7).
GROUPS: dict[str, sa.ColumnElement[bool]] = {"all": sa.true(), **PUPIL_GROUP_FILTERS}


@dataclass(frozen=True)
class DashboardFilters:
    """Optional narrowing by the pupil's current year group and group."""

    year: YearGroup | None = None
    group: str | None = None

    def conditions(self) -> list[sa.ColumnElement[bool]]:
        """WHERE conditions on Pupil for these filters."""
        conditions: list[sa.ColumnElement[bool]] = []
        if self.year is not None:
            conditions.append(Pupil.year_group == self.year)
        if self.group:
            conditions.append(PUPIL_GROUP_FILTERS[self.group])
        return conditions


def terms_table(terms: list[Term]) -> sa.Subquery:
    """The terms as rows (idx, starts, ends) to join records against.

    A UNION ALL of literal rows rather than VALUES: SQLite cannot name VALUES columns.
    """
    rows = [
        sa.select(
            sa.literal(index, sa.Integer).label("idx"),
            sa.literal(term.starts_on, sa.Date).label("starts"),
            sa.literal(term.ends_on, sa.Date).label("ends"),
        )
        for index, term in enumerate(terms)
    ]
    return sa.union_all(*rows).subquery("t")


def overlaps(
    t: sa.Subquery,
    start: sa.SQLColumnExpression[date | None],
    end: sa.SQLColumnExpression[date | None],
) -> sa.ColumnElement[bool]:
    """A record running from `start` to `end` (open if NULL) touches the term."""
    return sa.and_(start <= t.c.ends, sa.or_(end.is_(None), end >= t.c.starts))


def within(t: sa.Subquery, day: sa.SQLColumnExpression[date | None]) -> sa.ColumnElement[bool]:
    """A dated event falls inside the term."""
    return day.between(t.c.starts, t.c.ends)


def on_roll(t: sa.Subquery) -> sa.ColumnElement[bool]:
    """The pupil was on the school's roll at some point in the term."""
    return on_roll_in(t.c.starts, t.c.ends)


def roll_by_term(
    school_id: int,
    t: sa.Subquery,
    filters: DashboardFilters,
    conditions: Collection[sa.ColumnElement[bool]],
) -> Sequence[sa.Row[*tuple[Any, ...]]]:
    """(idx, count per condition) of the school's pupils on roll in each term.

    The roll is first collapsed to its distinct (admission, leaving) dates with a count per
    condition (one pass over the school's pupils), and only those few rows are matched to the
    terms: the same sums as testing every pupil against every term, for a fraction of the work.
    """
    roll = (
        sa.select(
            Pupil.admission_date.label("admitted"),
            Pupil.leaving_date.label("left_on"),
            *[
                sa.func.sum(sa.case((cond, 1), else_=0)).label(f"n{i}")
                for i, cond in enumerate(conditions)
            ],
        )
        .where(Pupil.school_id == school_id, *filters.conditions())
        .group_by(Pupil.admission_date, Pupil.leaving_date)
        .subquery("roll")
    )
    in_term = sa.and_(
        sa.or_(roll.c.admitted.is_(None), roll.c.admitted <= t.c.ends),
        sa.or_(roll.c.left_on.is_(None), roll.c.left_on >= t.c.starts),
    )
    return db.session.execute(
        # PostgreSQL sums a bigint into a numeric: cast back, so counts stay integers.
        sa.select(
            t.c.idx,
            *[sa.cast(sa.func.sum(roll.c[f"n{i}"]), sa.Integer) for i in range(len(conditions))],
        )
        .select_from(roll)
        .join(t, in_term)
        .group_by(t.c.idx)
    ).all()


def participation_end() -> sa.ColumnElement[date | None]:
    """When a pupil's part in an intervention ended, if it has."""
    return sa.func.coalesce(
        InterventionParticipant.end_date,
        InterventionParticipant.withdrawn_on,
        Intervention.end_date,
    )


def _term(t: sa.Subquery) -> tuple[sa.ColumnElement[Any], ...]:
    return t.c.idx, t.c.starts, t.c.ends


def on_roll_in(
    term_starts: sa.SQLColumnExpression[date] | date, term_ends: sa.SQLColumnExpression[date] | date
) -> sa.ColumnElement[bool]:
    """The pupil was on roll at some point between two dates (columns or values)."""
    return sa.and_(
        sa.or_(Pupil.admission_date.is_(None), Pupil.admission_date <= term_ends),
        sa.or_(Pupil.leaving_date.is_(None), Pupil.leaving_date >= term_starts),
    )


def reached_rows(school_id: int, t: sa.Subquery) -> sa.Subquery:
    """(pupil_id, priority_id, idx, starts, ends): pupils a supportive record reached in a term.

    Reached means: a mentee in a pairing that ran during the term; a participant in an
    intervention (not merely planned) during their own dates; a pupil with an exclusion-risk
    flag open during the term; a pupil whose family had a structured conversation in the
    term; a pupil who gave or received a recorded kindness moment in the term.
    """
    link = mentoring_pairing_priorities
    mentoring = (
        sa.select(MentoringPairing.mentee_id.label("pupil_id"), link.c.priority_id, *_term(t))
        .join(link, link.c.record_id == MentoringPairing.id)
        .join(t, overlaps(t, MentoringPairing.starts_on, MentoringPairing.ended_on))
        .where(MentoringPairing.school_id == school_id)
    )
    link = intervention_priorities
    interventions = (
        sa.select(InterventionParticipant.pupil_id, link.c.priority_id, *_term(t))
        .join(Intervention, Intervention.id == InterventionParticipant.intervention_id)
        .join(link, link.c.record_id == Intervention.id)
        .join(t, overlaps(t, InterventionParticipant.start_date, participation_end()))
        .where(
            Intervention.school_id == school_id, Intervention.status != InterventionStatus.PLANNED
        )
    )
    link = risk_flag_priorities
    flags = (
        sa.select(RiskFlag.pupil_id, link.c.priority_id, *_term(t))
        .join(link, link.c.record_id == RiskFlag.id)
        .join(t, overlaps(t, RiskFlag.raised_on, RiskFlag.closed_on))
        .where(RiskFlag.school_id == school_id)
    )
    link = parent_conversation_priorities
    families = (
        sa.select(ParentConversation.pupil_id, link.c.priority_id, *_term(t))
        .join(link, link.c.record_id == ParentConversation.id)
        .join(t, within(t, ParentConversation.held_on))
        .where(ParentConversation.school_id == school_id)
    )
    link = kindness_moment_priorities
    kindness = [
        sa.select(KindnessMoment.receiver_pupil_id.label("pupil_id"), link.c.priority_id, *_term(t))
        .join(link, link.c.record_id == KindnessMoment.id)
        .join(t, within(t, KindnessMoment.occurred_on))
        .where(
            KindnessMoment.school_id == school_id, KindnessMoment.receiver_pupil_id.is_not(None)
        ),
        # Each kind pupil once per moment (a row each in the givers table).
        sa.select(KindnessGiver.pupil_id, link.c.priority_id, *_term(t))
        .join(KindnessMoment, KindnessMoment.id == KindnessGiver.moment_id)
        .join(link, link.c.record_id == KindnessMoment.id)
        .join(t, within(t, KindnessMoment.occurred_on))
        .where(KindnessMoment.school_id == school_id),
    ]
    return sa.union_all(mentoring, interventions, flags, families, *kindness).subquery("reached")


def taking_part_in_term(t: sa.Subquery) -> sa.ColumnElement[bool]:
    """Participants (not withdrawn before the term) of interventions running in the term."""
    return sa.and_(
        Intervention.status != InterventionStatus.PLANNED,
        overlaps(t, InterventionParticipant.start_date, participation_end()),
        sa.or_(
            InterventionParticipant.status == ParticipantStatus.TAKING_PART,
            InterventionParticipant.withdrawn_on >= t.c.starts,
        ),
    )
