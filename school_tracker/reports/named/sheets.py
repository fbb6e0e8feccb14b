"""The leaders' named export, one statement per sheet (docs/design.md section 9).

Each sheet is a single SELECT of plain columns (no ORM objects, so nothing piles up in the
session), joined to a small "period" table of (school_id, starts, ends): one row per school,
because each school may keep its own term dates. Lists such as priorities or agencies are
correlated aggregates in the same statement, so the number of statements never grows with
the data.

Belonging to the period (as on the dashboard): a record that runs between two dates belongs
when it started on or before the period's last day and had not ended before its first day;
a dated event (session, suspension, CPD, conversation, kindness moment) when its date falls
in the period. A flag's level and status history and its actions go with the flag.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from school_tracker.models import (
    Intervention,
    InterventionParticipant,
    InterventionType,
    MentoringPairing,
    MentoringSession,
    ParticipantStatus,
    Priority,
    Pupil,
    School,
    User,
)
from school_tracker.models.intervention import intervention_priorities
from school_tracker.models.mentoring import mentoring_pairing_priorities
from school_tracker.records.attendance import attended_column, present_column
from school_tracker.records.reference_lists import value_name
from school_tracker.reports.tabular import Col, aggregate, attr, joined, label, pupil_label

Window = tuple[date, date]


@dataclass(frozen=True)
class SheetQuery:
    """A sheet's title, its columns and the statement that yields its rows in order."""

    title: str
    cols: list[Col]
    statement: sa.Select


def period_table(windows: dict[int, Window]) -> sa.Subquery:
    """Each school's (starts, ends) as rows to join records against."""
    rows = [
        sa.select(
            sa.literal(school_id, sa.Integer).label("school_id"),
            sa.literal(starts, sa.Date).label("starts"),
            sa.literal(ends, sa.Date).label("ends"),
        )
        for school_id, (starts, ends) in windows.items()
    ]
    return (sa.union_all(*rows) if len(rows) > 1 else rows[0]).subquery("period")


def overlaps(
    p: sa.Subquery,
    start: sa.SQLColumnExpression[date | None],
    end: sa.SQLColumnExpression[date | None],
) -> sa.ColumnElement[bool]:
    """Started on/before the period's end and not ended before its start (open if NULL)."""
    return sa.and_(start <= p.c.ends, sa.or_(end.is_(None), end >= p.c.starts))


def within(p: sa.Subquery, day: sa.SQLColumnExpression[date | None]) -> sa.ColumnElement[bool]:
    """A dated event inside the period."""
    return day.between(p.c.starts, p.c.ends)


def _in_period(
    p: sa.Subquery, school_id: sa.SQLColumnExpression[int], condition: sa.ColumnElement[bool]
) -> sa.ColumnElement[bool]:
    return sa.and_(p.c.school_id == school_id, condition)


def priorities(link: sa.Table, record_id: sa.SQLColumnExpression[int]) -> sa.Label[str | None]:
    return aggregate(
        Priority.code,
        link.join(Priority, Priority.id == link.c.priority_id),
        link.c.record_id == record_id,
    ).label("priorities")


def pupil_columns(pupil: type[Pupil]) -> list[sa.Label[Any]]:
    return [
        pupil.upn.label("upn"),
        pupil.legal_surname.label("surname"),
        pupil.legal_forename.label("forename"),
        pupil.preferred_forename.label("preferred"),
        pupil.year_group.label("year_group"),
    ]


def _name(row: Any) -> str:
    return pupil_label(row.surname, row.forename, row.preferred)


SCHOOL = Col("School", 24, attr("school"))
PUPIL = [Col("UPN", 15, attr("upn")), Col("Pupil", 26, _name), Col("Year", 10, label("year_group"))]
PRIORITIES = Col("AfA priorities", 16, joined("priorities"))
CREATED = [Col("Recorded by", 22, attr("created_by")), Col("Recorded at", 17, attr("created_at"))]


def base(
    model: type[Any],  # a mapped class with a school_id column
    p: sa.Subquery,
    condition: sa.ColumnElement[bool],
    *,
    from_: sa.FromClause | None = None,
) -> sa.Select:
    """The record's school name, joined to its school's period window.

    `from_` is a join to start from when the period condition needs more than `model`
    (PostgreSQL, unlike SQLite, refuses a JOIN ... ON that names a table joined later).
    """
    return (
        sa.select(School.name.label("school"))
        .select_from(model if from_ is None else from_)
        .join(School, School.id == model.school_id)
        .join(p, _in_period(p, model.school_id, condition))
    )


def mentoring_pairings(p: sa.Subquery) -> SheetQuery:
    """Pairings running in the period."""
    mentee, peer = aliased(Pupil), aliased(Pupil)
    mentor, creator = aliased(User), aliased(User)
    mp = MentoringPairing
    stmt = (
        base(mp, p, overlaps(p, mp.starts_on, mp.ended_on))
        .join(mentee, mentee.id == mp.mentee_id)
        .outerjoin(peer, peer.id == mp.mentor_pupil_id)
        .outerjoin(mentor, mentor.id == mp.mentor_user_id)
        .outerjoin(creator, creator.id == mp.created_by_id)
        .add_columns(
            mp.id,
            *pupil_columns(mentee),
            mp.mentor_kind,
            mentor.full_name.label("mentor_user"),
            peer.legal_surname.label("peer_surname"),
            peer.legal_forename.label("peer_forename"),
            peer.preferred_forename.label("peer_preferred"),
            mp.mentor_name,
            mp.mentor_relationship,
            mp.mentee_goals,
            mp.mentor_goals,
            priorities(mentoring_pairing_priorities, mp.id),
            mp.starts_on,
            mp.planned_end_on,
            mp.frequency,
            mp.status,
            mp.paused_on,
            mp.ended_on,
            mp.outcome,
            mp.outcome_notes,
            creator.full_name.label("created_by"),
            mp.created_at,
        )
        .order_by(mp.school_id, mp.starts_on, mp.id)
    )
    cols = [
        SCHOOL,
        Col("Pairing", 9, attr("id"), text=False),
        *PUPIL,
        Col("Mentor type", 16, label("mentor_kind")),
        Col("Mentor", 26, _mentor),
        Col("Adult mentor's relationship", 18, label("mentor_relationship")),
        Col("Mentee's goals", 40, attr("mentee_goals")),
        Col("Mentor's goals", 40, attr("mentor_goals")),
        PRIORITIES,
        Col("Starts", 12, attr("starts_on")),
        Col("Planned end", 12, attr("planned_end_on")),
        Col("Frequency", 14, label("frequency")),
        Col("Status", 10, label("status")),
        Col("Paused on", 12, attr("paused_on")),
        Col("Ended on", 12, attr("ended_on")),
        Col("Outcome", 20, label("outcome")),
        Col("Outcome notes", 40, attr("outcome_notes")),
        *CREATED,
    ]
    return SheetQuery("Mentoring pairings", cols, stmt)


def _mentor(row: Any) -> str:
    if row.mentor_user:
        return str(row.mentor_user)
    if row.peer_surname:
        return pupil_label(row.peer_surname, row.peer_forename, row.peer_preferred)
    return row.mentor_name or ""


def mentoring_sessions(p: sa.Subquery) -> SheetQuery:
    """Sessions held in the period."""
    mentee, creator = aliased(Pupil), aliased(User)
    ms, mp = MentoringSession, MentoringPairing
    stmt = (
        base(ms, p, within(p, ms.held_on))
        .join(mp, mp.id == ms.pairing_id)
        .join(mentee, mentee.id == mp.mentee_id)
        .outerjoin(creator, creator.id == ms.created_by_id)
        .add_columns(
            ms.id,
            ms.pairing_id,
            *pupil_columns(mentee),
            ms.held_on,
            ms.minutes,
            ms.activities,
            ms.mentee_voice,
            ms.mentor_reflection,
            ms.wellbeing_start,
            ms.wellbeing_end,
            creator.full_name.label("created_by"),
            ms.created_at,
        )
        .order_by(ms.school_id, ms.held_on, ms.id)
    )
    cols = [
        SCHOOL,
        Col("Session", 9, attr("id"), text=False),
        Col("Pairing", 9, attr("pairing_id"), text=False),
        *PUPIL,
        Col("Held on", 12, attr("held_on")),
        Col("Minutes", 9, attr("minutes"), text=False),
        Col("What we did", 40, attr("activities")),
        Col("Mentee's voice", 40, attr("mentee_voice")),
        Col("Mentor's reflection", 40, attr("mentor_reflection")),
        Col("Wellbeing at start (1-5)", 12, attr("wellbeing_start"), text=False),
        Col("Wellbeing at end (1-5)", 12, attr("wellbeing_end"), text=False),
        *CREATED,
    ]
    return SheetQuery("Mentoring sessions", cols, stmt)


def interventions(p: sa.Subquery) -> SheetQuery:
    """Interventions whose own dates overlap the period."""
    lead, creator = aliased(User), aliased(User)
    iv, ip = Intervention, InterventionParticipant
    taking_part = (
        sa.select(sa.func.count(ip.id))
        .where(ip.intervention_id == iv.id, ip.status == ParticipantStatus.TAKING_PART)
        .scalar_subquery()
        .label("taking_part")
    )
    stmt = (
        base(iv, p, overlaps(p, iv.start_date, iv.end_date))
        .join(InterventionType, InterventionType.id == iv.type_id)
        .join(lead, lead.id == iv.lead_id)
        .outerjoin(creator, creator.id == iv.created_by_id)
        .add_columns(
            iv.id,
            InterventionType.name.label("type_name"),
            iv.mode,
            lead.full_name.label("lead"),
            iv.status,
            priorities(intervention_priorities, iv.id),
            iv.start_date,
            iv.review_date,
            iv.end_date,
            value_name(iv.measure_id).label("measure"),
            iv.score_min,
            iv.score_max,
            iv.intended_outcome,
            iv.planned_sessions,
            iv.frequency,
            (iv.cost_pence / 100.0).label("cost"),
            iv.funding_stream,
            taking_part,
            iv.stop_reason,
            iv.pupil_voice,
            iv.parent_voice,
            iv.notes,
            creator.full_name.label("created_by"),
            iv.created_at,
        )
        .order_by(iv.school_id, iv.start_date, iv.id)
    )
    cols = [
        SCHOOL,
        Col("Intervention", 11, attr("id"), text=False),
        Col("Type", 24, attr("type_name")),
        Col("Individual or group", 12, label("mode")),
        Col("Lead", 22, attr("lead")),
        Col("Status", 11, label("status")),
        PRIORITIES,
        Col("Start", 12, attr("start_date")),
        Col("Review", 12, attr("review_date")),
        Col("End", 12, attr("end_date")),
        Col("Measure", 20, attr("measure")),
        Col("Score from", 9, attr("score_min"), text=False),
        Col("Score to", 9, attr("score_max"), text=False),
        Col("Intended outcome", 36, attr("intended_outcome")),
        Col("Planned sessions", 10, attr("planned_sessions"), text=False),
        Col("Frequency", 16, label("frequency")),
        Col("Cost (£)", 11, attr("cost"), text=False, number_format="#,##0.00"),
        Col("Funding", 18, label("funding_stream")),
        Col("Pupils taking part", 10, attr("taking_part"), text=False),
        Col("Why it stopped", 30, attr("stop_reason")),
        Col("Pupil voice", 40, attr("pupil_voice")),
        Col("Parent voice", 40, attr("parent_voice")),
        Col("Notes", 40, attr("notes")),
        *CREATED,
    ]
    return SheetQuery("Interventions", cols, stmt)


def participation_end() -> sa.ColumnElement[date | None]:
    """When a pupil's part ended: their own end, their withdrawal, or the intervention's end."""
    ip = InterventionParticipant
    return sa.func.coalesce(ip.end_date, ip.withdrawn_on, Intervention.end_date)


def intervention_participants(p: sa.Subquery) -> SheetQuery:
    """Each pupil's part in an intervention, when their own dates overlap the period."""
    ip, iv = InterventionParticipant, Intervention
    stmt = (
        base(
            iv,
            p,
            overlaps(p, ip.start_date, participation_end()),
            from_=sa.join(ip, iv, ip.intervention_id == iv.id),
        )
        .join(InterventionType, InterventionType.id == iv.type_id)
        .join(Pupil, Pupil.id == ip.pupil_id)
        .add_columns(
            ip.intervention_id,
            InterventionType.name.label("type_name"),
            *pupil_columns(Pupil),
            ip.start_date,
            ip.end_date,
            ip.status,
            ip.withdrawn_on,
            ip.withdrawn_reason,
            ip.baseline_score,
            ip.exit_score,
            attended_column().label("sessions_attended"),
            present_column().label("sessions_present"),
            ip.sessions_before_register,
            ip.impact,
        )
        .order_by(iv.school_id, iv.start_date, iv.id, ip.id)
    )
    cols = [
        SCHOOL,
        Col("Intervention", 11, attr("intervention_id"), text=False),
        Col("Type", 24, attr("type_name")),
        *PUPIL,
        Col("Start", 12, attr("start_date")),
        Col("End", 12, attr("end_date")),
        Col("Status", 12, label("status")),
        Col("Withdrawn on", 12, attr("withdrawn_on")),
        Col("Why withdrawn", 30, attr("withdrawn_reason")),
        Col("Baseline score", 10, attr("baseline_score"), text=False),
        Col("Exit score", 10, attr("exit_score"), text=False),
        Col("Sessions attended", 10, attr("sessions_attended"), text=False),
        Col("Present on the register", 10, attr("sessions_present"), text=False),
        Col("Counted before the register", 10, attr("sessions_before_register"), text=False),
        Col("Impact (-2 to +2)", 10, attr("impact"), text=False),
    ]
    return SheetQuery("Intervention participants", cols, stmt)
