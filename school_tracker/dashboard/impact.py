"""Impact and value for money (issue 15 item 3): what each kind of support achieved and cost.

Pure figure functions: one school, one term, the filters -> plain dataclasses, so the
dashboard's impact page and the governors' workbook can show the same numbers.

The cohort is every pupil's part in an intervention (not planned) that ended in the term: their
own end date, their withdrawal, or the intervention's end, as on the dashboard's impact table.
Each intervention's cost is shared equally among all its places (a withdrawn pupil's place was
paid for too), so a type's cost is the shares of its pupils in the cohort.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from statistics import fmean
from typing import Any

import sqlalchemy as sa

from school_tracker.calendar.terms import Term
from school_tracker.dashboard import sources as src
from school_tracker.dashboard.model import GROUP_LABELS, join_pupils
from school_tracker.extensions import db
from school_tracker.models import InterventionParticipant, MentoringPairing
from school_tracker.models.intervention import (
    Intervention,
    InterventionStatus,
    InterventionType,
)
from school_tracker.models.mentoring import MentoringSession
from school_tracker.models.pupil import PUPIL_GROUP_FILTERS
from school_tracker.records.attendance import attended_column
from school_tracker.records.reference_lists import value_name

IMPACT_SCORES = (-2, -1, 0, 1, 2)
MENTORING = "mentoring"


def places_per_intervention() -> sa.Subquery:
    """(intervention_id, places): every pupil ever placed, withdrawn ones included."""
    return (
        sa.select(
            InterventionParticipant.intervention_id,
            sa.func.count(InterventionParticipant.id).label("places"),
        )
        .group_by(InterventionParticipant.intervention_id)
        .subquery("places")
    )


def ended_in_term(school_id: int, t: sa.Subquery) -> sa.ColumnElement[bool]:
    """A place in one of the school's interventions (not planned) that ended in the term."""
    return sa.and_(
        Intervention.school_id == school_id,
        Intervention.status != InterventionStatus.PLANNED,
        src.within(t, src.participation_end()),
    )


def cohort_pupils(school_id: int, t: sa.Subquery) -> sa.Select:
    """pupil_id, type_id and impact of every place in the cohort (for the drill-downs)."""
    return (
        sa.select(
            InterventionParticipant.pupil_id, Intervention.type_id, InterventionParticipant.impact
        )
        .select_from(InterventionParticipant)
        .join(Intervention, Intervention.id == InterventionParticipant.intervention_id)
        .join(t, ended_in_term(school_id, t))
    )


@dataclass(frozen=True)
class Place:
    """One pupil's part in an intervention of the cohort."""

    pupil_id: int
    type_key: str
    type_name: str
    cost_share: float  # pounds
    measure: str | None
    planned_sessions: int | None
    sessions_attended: int | None  # register presents + any count from before the register
    baseline: float | None
    exit: float | None
    impact: int | None
    groups: frozenset[str]


@dataclass
class ImpactLine:
    """The figures for one intervention type (or pupil group, or mentoring)."""

    key: str
    label: str
    pupils: int = 0
    sessions_planned: int = 0
    sessions_attended: int = 0
    attendance: float | None = None  # percent of planned sessions attended
    attendance_pupils: int = 0  # places with both numbers recorded
    measure: str | None = None  # the one measure the places share, if they do
    progress: float | None = None  # mean exit - baseline, in the measure's units
    progress_pupils: int = 0
    measures_differ: bool = False
    impact: dict[int, int] = field(default_factory=lambda: dict.fromkeys(IMPACT_SCORES, 0))
    impact_recorded: int = 0
    positive: int = 0
    cost: float = 0.0
    cost_per_pupil: float | None = None
    cost_per_positive: float | None = None
    too_few: bool = False  # too few pupils for an average to mean anything


@dataclass(frozen=True)
class ImpactReport:
    """Impact by intervention type, by pupil group, and the mentees' wellbeing."""

    term: Term
    by_type: list[ImpactLine]
    by_group: list[ImpactLine]
    mentoring: ImpactLine
    small_group: int  # an average over this many pupils or fewer is not shown


def _places(school_id: int, t: sa.Subquery, filters: src.DashboardFilters) -> list[Place]:
    places = places_per_intervention()
    group_flags = [sa.case((cond, 1), else_=0) for cond in PUPIL_GROUP_FILTERS.values()]
    stmt = join_pupils(
        sa.select(
            InterventionParticipant.pupil_id,
            InterventionType.id,
            InterventionType.name,
            Intervention.cost_pence,
            places.c.places,
            value_name(Intervention.measure_id).label("measure"),
            Intervention.planned_sessions,
            attended_column(),
            InterventionParticipant.baseline_score,
            InterventionParticipant.exit_score,
            InterventionParticipant.impact,
            *group_flags,
        )
        .select_from(InterventionParticipant)
        .join(Intervention, Intervention.id == InterventionParticipant.intervention_id)
        .join(InterventionType, InterventionType.id == Intervention.type_id)
        .join(places, places.c.intervention_id == Intervention.id)
        .join(t, ended_in_term(school_id, t)),
        filters,
        InterventionParticipant.pupil_id,
    )
    rows = db.session.execute(stmt).all()
    group_keys = list(PUPIL_GROUP_FILTERS)
    return [
        Place(
            pupil_id=row[0],
            type_key=str(row[1]),
            type_name=row[2],
            cost_share=(row[3] or 0) / 100 / (row[4] or 1),
            measure=(row[5] or "").strip() or None,
            planned_sessions=row[6],
            sessions_attended=row[7],
            baseline=row[8],
            exit=row[9],
            impact=row[10],
            groups=frozenset(key for key, on in zip(group_keys, row[11:], strict=True) if on),
        )
        for row in rows
    ]


def _line(key: str, label: str, places: Sequence[Place], small_group: int) -> ImpactLine:
    line = ImpactLine(key, label)
    line.pupils = len({p.pupil_id for p in places})
    line.too_few = line.pupils <= small_group
    both = [p for p in places if p.planned_sessions and p.sessions_attended is not None]
    line.sessions_planned = sum(p.planned_sessions or 0 for p in places)
    line.sessions_attended = sum(p.sessions_attended or 0 for p in places)
    line.attendance_pupils = len(both)
    planned = sum(p.planned_sessions or 0 for p in both)
    if planned and len(both) > small_group:
        attended = sum(p.sessions_attended or 0 for p in both)
        line.attendance = round(100 * attended / planned, 1)
    scored = [p for p in places if p.baseline is not None and p.exit is not None]
    measures = {(p.measure or "").casefold() for p in scored}
    line.progress_pupils = len(scored)
    if len(measures) == 1 and "" not in measures:
        line.measure = scored[0].measure
        if len(scored) > small_group:
            line.progress = round(fmean((p.exit or 0) - (p.baseline or 0) for p in scored), 1)
    line.measures_differ = len(measures) > 1
    for score in IMPACT_SCORES:
        line.impact[score] = len({p.pupil_id for p in places if p.impact == score})
    line.impact_recorded = len({p.pupil_id for p in places if p.impact is not None})
    line.positive = len({p.pupil_id for p in places if (p.impact or 0) > 0})
    line.cost = round(sum(p.cost_share for p in places), 2)
    line.cost_per_pupil = round(line.cost / line.pupils, 2) if line.pupils else None
    line.cost_per_positive = round(line.cost / line.positive, 2) if line.positive else None
    return line


def _mentoring(
    school_id: int, term: Term, t: sa.Subquery, filters: src.DashboardFilters, small_group: int
) -> ImpactLine:
    """Mentees with a session in the term; wellbeing from their first session to their last.

    First is the mentee's rating at the start of the pairing's first rated session; last is the
    rating at the end of its last rated session up to the term's end.
    """
    in_term = join_pupils(
        sa.select(MentoringSession.pairing_id)
        .select_from(MentoringSession)
        .join(MentoringPairing, MentoringPairing.id == MentoringSession.pairing_id)
        .join(t, src.within(t, MentoringSession.held_on)),
        filters,
        MentoringPairing.mentee_id,
    ).where(MentoringSession.school_id == school_id)
    rows = db.session.execute(
        sa.select(
            MentoringPairing.id,
            MentoringPairing.mentee_id,
            MentoringSession.held_on,
            MentoringSession.wellbeing_start,
            MentoringSession.wellbeing_end,
        )
        .join(MentoringPairing, MentoringPairing.id == MentoringSession.pairing_id)
        .where(
            MentoringSession.pairing_id.in_(in_term),
            MentoringSession.held_on <= term.ends_on,
        )
        .order_by(MentoringSession.pairing_id, MentoringSession.held_on, MentoringSession.id)
    ).all()
    return mentoring_line(rows, term, small_group)


def mentoring_line(rows: Iterable[Sequence[Any]], term: Term, small_group: int) -> ImpactLine:
    """The mentoring line from (pairing, mentee, held_on, start rating, end rating) rows."""
    line = ImpactLine(MENTORING, "Mentoring (wellbeing, 1 to 5)", measure="Wellbeing (1 to 5)")
    sessions: dict[int, list[tuple[date, int | None, int | None]]] = defaultdict(list)
    mentees: set[int] = set()
    for pairing_id, mentee_id, held_on, start, end in rows:
        sessions[pairing_id].append((held_on, start, end))
        if term.contains(held_on):
            mentees.add(mentee_id)
            line.sessions_attended += 1
    changes = []
    for held in sessions.values():
        firsts = [start for _, start, _ in held if start is not None]
        lasts = [end for _, _, end in held if end is not None]
        if len(held) > 1 and firsts and lasts:
            changes.append(lasts[-1] - firsts[0])
    line.pupils = len(mentees)
    line.too_few = line.pupils <= small_group
    line.progress_pupils = len(changes)
    if len(changes) > small_group:
        line.progress = round(fmean(changes), 1)
    line.cost_per_pupil = None
    return line


def impact_report(
    school_id: int, term: Term, filters: src.DashboardFilters, small_group: int
) -> ImpactReport:
    """Impact and value for money for one term (three queries, whatever the data)."""
    t = src.terms_table([term])
    places = _places(school_id, t, filters)
    by_type_places: dict[str, list[Place]] = defaultdict(list)
    names: dict[str, str] = {}
    for place in places:
        by_type_places[place.type_key].append(place)
        names[place.type_key] = place.type_name
    by_type = [
        _line(key, names[key], by_type_places[key], small_group)
        for key in sorted(by_type_places, key=lambda k: names[k].casefold())
    ]
    by_type.append(_line("all", "All interventions", places, small_group))
    by_group = [
        _line(
            key,
            GROUP_LABELS[key],
            places if key == "all" else [p for p in places if key in p.groups],
            small_group,
        )
        for key in src.GROUPS
    ]
    mentoring = _mentoring(school_id, term, t, filters, small_group)
    return ImpactReport(term, by_type, by_group, mentoring, small_group)
