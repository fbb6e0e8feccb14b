"""The pupils behind a dashboard number (leaders only): same definitions, one term."""

from collections.abc import Callable
from datetime import date

import sqlalchemy as sa

from school_tracker.calendar.terms import Term
from school_tracker.dashboard import sources as src
from school_tracker.dashboard.figures import RATE_GROUPS
from school_tracker.dashboard.figures_safety import agency_involvement
from school_tracker.dashboard.impact import cohort_pupils
from school_tracker.dashboard.spend import NOT_RECORDED, TOTAL, started_in_year
from school_tracker.models import (
    Exclusion,
    InterventionParticipant,
    MentoringPairing,
    ParentConversation,
    Priority,
    Pupil,
    RiskFlag,
)
from school_tracker.models.exclusion import ExclusionKind
from school_tracker.models.intervention import FundingStream, Intervention, InterventionStatus

DrillSource = Callable[[int, sa.Subquery, str], sa.Select]


def _reached(school_id: int, t: sa.Subquery, param: str) -> sa.Select:
    reached = src.reached_rows(school_id, t)
    stmt = (
        sa.select(reached.c.pupil_id)
        .join(Pupil, Pupil.id == reached.c.pupil_id)
        .where(src.on_roll_in(reached.c.starts, reached.c.ends))
    )
    if param != "any":
        stmt = stmt.join(Priority, Priority.id == reached.c.priority_id).where(
            Priority.code == param
        )
    return stmt


def _group(school_id: int, t: sa.Subquery, param: str) -> sa.Select:
    reached = src.reached_rows(school_id, t)
    return (
        sa.select(reached.c.pupil_id)
        .join(Pupil, Pupil.id == reached.c.pupil_id)
        .where(src.on_roll_in(reached.c.starts, reached.c.ends), src.GROUPS[param])
    )


def _participants(
    school_id: int, t: sa.Subquery, condition: Callable[[sa.Subquery], sa.ColumnElement[bool]]
) -> sa.Select:
    return (
        sa.select(InterventionParticipant.pupil_id)
        .join(Intervention, Intervention.id == InterventionParticipant.intervention_id)
        .join(t, condition(t))
        .where(Intervention.school_id == school_id)
    )


def _intervention(school_id: int, t: sa.Subquery, param: str) -> sa.Select:
    stmt = _participants(school_id, t, src.taking_part_in_term)
    return stmt.join(Pupil, Pupil.id == InterventionParticipant.pupil_id).where(src.GROUPS[param])


def _impact(school_id: int, t: sa.Subquery, param: str) -> sa.Select:
    stmt = _participants(school_id, t, lambda t: src.within(t, src.participation_end()))
    stmt = stmt.where(InterventionParticipant.impact.is_not(None))
    return stmt if param == "total" else stmt.where(InterventionParticipant.impact == int(param))


def _started(school_id: int, t: sa.Subquery, param: str) -> sa.Select:
    stmt = _participants(school_id, t, lambda t: src.within(t, Intervention.start_date))
    return stmt.where(Intervention.status != InterventionStatus.PLANNED)


def _mentored(school_id: int, t: sa.Subquery, param: str) -> sa.Select:
    return (
        sa.select(MentoringPairing.mentee_id)
        .join(t, src.overlaps(t, MentoringPairing.starts_on, MentoringPairing.ended_on))
        .where(MentoringPairing.school_id == school_id)
    )


def _flag_open(school_id: int, t: sa.Subquery, param: str) -> sa.Select:
    stmt = (
        sa.select(RiskFlag.pupil_id)
        .join(
            t,
            sa.and_(
                RiskFlag.raised_on <= t.c.ends,
                sa.or_(RiskFlag.closed_on.is_(None), RiskFlag.closed_on > t.c.ends),
            ),
        )
        .where(RiskFlag.school_id == school_id)
    )
    return stmt if param == "total" else stmt.where(RiskFlag.level == param)


def _flag_on(column: sa.SQLColumnExpression[date | None]) -> DrillSource:
    def source(school_id: int, t: sa.Subquery, param: str) -> sa.Select:
        return (
            sa.select(RiskFlag.pupil_id)
            .join(t, src.within(t, column))
            .where(RiskFlag.school_id == school_id)
        )

    return source


def _excluded(kind: ExclusionKind) -> DrillSource:
    def source(school_id: int, t: sa.Subquery, param: str) -> sa.Select:
        stmt = (
            sa.select(Exclusion.pupil_id)
            .join(t, src.within(t, Exclusion.start_date))
            .where(
                Exclusion.school_id == school_id,
                Exclusion.kind == kind,
                Exclusion.cancelled_on.is_(None),
            )
        )
        if param != "any":
            stmt = stmt.join(Pupil, Pupil.id == Exclusion.pupil_id).where(RATE_GROUPS[param][1])
        return stmt

    return source


def _family(school_id: int, t: sa.Subquery, param: str) -> sa.Select:
    return (
        sa.select(ParentConversation.pupil_id)
        .join(t, src.within(t, ParentConversation.held_on))
        .where(ParentConversation.school_id == school_id)
    )


def _roll(school_id: int, t: sa.Subquery, param: str) -> sa.Select:
    return (
        sa.select(Pupil.id)
        .join(t, src.on_roll(t))
        .where(Pupil.school_id == school_id, src.GROUPS[param])
    )


def _roll_rate(school_id: int, t: sa.Subquery, param: str) -> sa.Select:
    return (
        sa.select(Pupil.id)
        .join(t, src.on_roll(t))
        .where(Pupil.school_id == school_id, RATE_GROUPS[param][1])
    )


def _agency(school_id: int, t: sa.Subquery, param: str) -> sa.Select:
    involved = agency_involvement(school_id)
    return (
        sa.select(involved.c.pupil_id)
        .join(t, src.overlaps(t, involved.c.starts, involved.c.ends))
        .where(involved.c.name == param)
    )


def _impact_outcome(cohort: sa.Subquery, which: str) -> sa.ColumnElement[bool]:
    """Places whose recorded impact is `which`: a score, recorded, positive, or "" for any."""
    if which == "":
        return sa.true()
    if which == "recorded":
        return cohort.c.impact.is_not(None)
    if which == "positive":
        return cohort.c.impact > 0
    score = int(which)
    if score not in (-2, -1, 0, 1, 2):
        raise ValueError(which)
    return cohort.c.impact == score


def _impact_type(school_id: int, t: sa.Subquery, param: str) -> sa.Select:
    """impact_type:<type id or all>[:<outcome>]: the cohort's pupils of one type."""
    kind, _, which = param.partition(":")
    cohort = cohort_pupils(school_id, t).subquery("cohort")
    stmt = sa.select(cohort.c.pupil_id).where(_impact_outcome(cohort, which))
    return stmt if kind == "all" else stmt.where(cohort.c.type_id == int(kind))


def _impact_group(school_id: int, t: sa.Subquery, param: str) -> sa.Select:
    """impact_group:<group>[:<outcome>]: the cohort's pupils in one group."""
    group, _, which = param.partition(":")
    cohort = cohort_pupils(school_id, t).subquery("cohort")
    return (
        sa.select(cohort.c.pupil_id)
        .join(Pupil, Pupil.id == cohort.c.pupil_id)
        .where(src.GROUPS[group], _impact_outcome(cohort, which))
    )


def _spend_pupils(school_id: int, t: sa.Subquery, param: str) -> sa.Select:
    stream, _, group = param.partition(":")
    stmt = (
        sa.select(InterventionParticipant.pupil_id)
        .join(Intervention, Intervention.id == InterventionParticipant.intervention_id)
        .join(t, started_in_year(school_id, t))
        .join(Pupil, Pupil.id == InterventionParticipant.pupil_id)
        .where(src.GROUPS[group])
    )
    if stream == NOT_RECORDED:
        return stmt.where(Intervention.funding_stream.is_(None))
    if stream != TOTAL:
        return stmt.where(Intervention.funding_stream == FundingStream(stream))
    return stmt


SOURCES: dict[str, DrillSource] = {
    "reached": _reached,
    "group": _group,
    "intervention": _intervention,
    "impact": _impact,
    "started": _started,
    "mentored": _mentored,
    "flag_open": _flag_open,
    "flag_raised": _flag_on(RiskFlag.raised_on),
    "flag_closed": _flag_on(RiskFlag.closed_on),
    "suspended": _excluded(ExclusionKind.SUSPENSION),
    "permanent": _excluded(ExclusionKind.PERMANENT),
    "family": _family,
    "roll": _roll,
    "roll_rate": _roll_rate,
    "agency": _agency,
    "impact_type": _impact_type,
    "impact_group": _impact_group,
    "spend_pupils": _spend_pupils,
}
# Figures over a whole academic year rather than one term.
YEAR_SOURCES = {"spend_pupils"}


class UnknownFigure(ValueError):
    """A drill-down key we do not publish."""


def drill_pupils(
    school_id: int,
    term: Term,
    figure: str,
    filters: src.DashboardFilters,
    year_terms: list[Term] | None = None,
) -> sa.Select:
    """A statement selecting the distinct pupils behind one dashboard number."""
    kind, _, param = figure.partition(":")
    if kind not in SOURCES or not param:
        raise UnknownFigure(figure)
    t = src.terms_table(year_terms if kind in YEAR_SOURCES and year_terms else [term])
    ids = SOURCES[kind](school_id, t, param).subquery("ids")
    return (
        sa.select(Pupil)
        .where(
            Pupil.id.in_(sa.select(ids.c[0])), Pupil.school_id == school_id, *filters.conditions()
        )
        .order_by(Pupil.legal_surname, Pupil.legal_forename, Pupil.id)
    )
