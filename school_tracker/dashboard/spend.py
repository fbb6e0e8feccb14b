"""Spend by funding stream (issue 15 item 4): the table a pupil premium statement needs.

Pure figure functions: one school, the terms of one academic year, the filters -> plain
dataclasses, for the dashboard's spend page and the governors' workbook alike.

An intervention's cost belongs to the term it started in (as on the dashboard's cost table),
and planned interventions cost nothing yet. With a year-group or pupil-group filter, each
intervention counts only the share of its cost that pays for the filtered pupils' places
(cost ÷ places × their places), so a filter never claims a whole group's cost for one pupil.
"""

from dataclasses import dataclass

import sqlalchemy as sa

from school_tracker.calendar.terms import Term
from school_tracker.dashboard import sources as src
from school_tracker.dashboard.impact import places_per_intervention
from school_tracker.dashboard.model import join_pupils
from school_tracker.extensions import db
from school_tracker.models import InterventionParticipant
from school_tracker.models.intervention import FundingStream, Intervention, InterventionStatus

NOT_RECORDED = "none"
TOTAL = "total"
STREAMS: dict[str, str] = {
    **{stream.value: stream.label for stream in FundingStream},
    NOT_RECORDED: "Funding stream not recorded",
}


@dataclass(frozen=True)
class SpendReport:
    """Spend per stream per term of the academic year, and the pupils it reached by group."""

    academic_year: str
    terms: list[Term]
    spend: dict[str, list[float]]  # stream (and TOTAL) -> pounds per term
    pupils: dict[str, dict[str, int]]  # stream (and TOTAL) -> group key -> pupils in the year

    def year_spend(self, stream: str) -> float:
        """The stream's spend over the whole academic year."""
        return round(sum(self.spend[stream]), 2)

    def term_spend(self, term_key: str, stream: str = TOTAL) -> float:
        """One term's spend (all streams unless one is named)."""
        index = [term.key for term in self.terms].index(term_key)
        return self.spend[stream][index]


def _stream_key(stream: FundingStream | None) -> str:
    return NOT_RECORDED if stream is None else stream.value


def started_in_year(school_id: int, t: sa.Subquery) -> sa.ColumnElement[bool]:
    """The school's interventions (not planned) that started in one of the terms."""
    return sa.and_(
        Intervention.school_id == school_id,
        Intervention.status != InterventionStatus.PLANNED,
        src.within(t, Intervention.start_date),
    )


def _spend(
    school_id: int, t: sa.Subquery, n: int, filters: src.DashboardFilters
) -> dict[str, list[float]]:
    if filters.conditions():
        places = places_per_intervention()
        pence = sa.func.sum(sa.cast(Intervention.cost_pence, sa.Float) / places.c.places)
        stmt = join_pupils(
            sa.select(t.c.idx, Intervention.funding_stream, pence)
            .select_from(InterventionParticipant)
            .join(Intervention, Intervention.id == InterventionParticipant.intervention_id)
            .join(places, places.c.intervention_id == Intervention.id)
            .join(t, started_in_year(school_id, t)),
            filters,
            InterventionParticipant.pupil_id,
        )
    else:
        stmt = (
            sa.select(t.c.idx, Intervention.funding_stream, sa.func.sum(Intervention.cost_pence))
            .select_from(Intervention)
            .join(t, started_in_year(school_id, t))
        )
    rows = db.session.execute(stmt.group_by(t.c.idx, Intervention.funding_stream)).all()
    spend = {key: [0.0] * n for key in [*STREAMS, TOTAL]}
    for idx, stream, amount in rows:
        pounds = (amount or 0) / 100
        spend[_stream_key(stream)][idx] += pounds
        spend[TOTAL][idx] += pounds
    return {key: [round(v, 2) for v in values] for key, values in spend.items()}


def spend_by_term(
    school_id: int, terms: list[Term], filters: src.DashboardFilters
) -> dict[str, list[float]]:
    """Spend per stream (and TOTAL) for any run of terms, such as the summary's six (one query)."""
    return _spend(school_id, src.terms_table(terms), len(terms), filters)


def _pupils(
    school_id: int, t: sa.Subquery, filters: src.DashboardFilters
) -> dict[str, dict[str, int]]:
    per_group = [
        sa.func.count(sa.distinct(sa.case((cond, InterventionParticipant.pupil_id))))
        for cond in src.GROUPS.values()
    ]
    base = join_pupils(
        sa.select(*per_group)
        .select_from(InterventionParticipant)
        .join(Intervention, Intervention.id == InterventionParticipant.intervention_id)
        .join(t, started_in_year(school_id, t)),
        filters,
        InterventionParticipant.pupil_id,
    )
    by_stream = db.session.execute(
        base.add_columns(Intervention.funding_stream).group_by(Intervention.funding_stream)
    ).all()
    pupils = {key: dict.fromkeys(src.GROUPS, 0) for key in [*STREAMS, TOTAL]}
    for *counts, stream in by_stream:
        pupils[_stream_key(stream)] = dict(zip(src.GROUPS, counts, strict=True))
    # A pupil in two streams' interventions is one pupil reached: count the total distinctly.
    total = db.session.execute(base).one()
    pupils[TOTAL] = dict(zip(src.GROUPS, total, strict=True))
    return pupils


def spend_report(
    school_id: int, year_terms: list[Term], filters: src.DashboardFilters
) -> SpendReport:
    """Spend and pupils reached for the academic year made of `year_terms` (three queries)."""
    t = src.terms_table(year_terms)
    return SpendReport(
        academic_year=year_terms[0].academic_year,
        terms=year_terms,
        spend=_spend(school_id, t, len(year_terms), filters),
        pupils=_pupils(school_id, t, filters),
    )
