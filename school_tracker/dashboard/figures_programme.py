"""Mentoring, staff professional learning, families and kindness."""

import sqlalchemy as sa

from school_tracker.calendar.terms import Term
from school_tracker.dashboard import sources as src
from school_tracker.dashboard.model import (
    FigureRow,
    FigureTable,
    filter_pupils,
    join_pupils,
)
from school_tracker.extensions import db
from school_tracker.models import (
    KindnessMoment,
    LearningRecord,
    MentoringPairing,
    ParentConversation,
)
from school_tracker.models.kindness import KindnessMomentValue, KindnessValue, names_a_pupil_where
from school_tracker.models.mentoring import MentoringSession


def mentoring(
    school_id: int, terms: list[Term], t: sa.Subquery, filters: src.DashboardFilters
) -> FigureTable:
    """Pairs running in the term and sessions held in it."""
    n = len(terms)
    pairs = db.session.execute(
        filter_pupils(
            sa.select(
                t.c.idx,
                sa.func.count(sa.distinct(MentoringPairing.id)),
                sa.func.count(sa.distinct(MentoringPairing.mentee_id)),
            )
            .select_from(MentoringPairing)
            .join(t, src.overlaps(t, MentoringPairing.starts_on, MentoringPairing.ended_on)),
            filters,
            MentoringPairing.mentee_id,
        )
        .where(MentoringPairing.school_id == school_id)
        .group_by(t.c.idx)
    ).all()
    sessions_stmt = (
        sa.select(
            t.c.idx,
            sa.func.count(MentoringSession.id),
            sa.func.coalesce(sa.func.sum(MentoringSession.minutes), 0),
        )
        .select_from(MentoringSession)
        .join(t, src.within(t, MentoringSession.held_on))
        .where(MentoringSession.school_id == school_id)
        .group_by(t.c.idx)
    )
    if filters.conditions():
        # Sessions carry their school; the pairing is needed only to filter by the mentee.
        sessions_stmt = join_pupils(
            sessions_stmt.join(
                MentoringPairing, MentoringPairing.id == MentoringSession.pairing_id
            ),
            filters,
            MentoringPairing.mentee_id,
        )
    sessions = db.session.execute(sessions_stmt).all()
    values: dict[str, list[float]] = {
        key: [0] * n for key in ("pairs", "mentees", "sessions", "hours")
    }
    for idx, count, mentees in pairs:
        values["pairs"][idx], values["mentees"][idx] = count, mentees
    for idx, count, minutes in sessions:
        values["sessions"][idx], values["hours"][idx] = count, round((minutes or 0) / 60, 1)
    return FigureTable(
        "mentoring",
        "Mentoring pairs and sessions",
        [
            FigureRow(
                "pairs", "Pairs running", values["pairs"], unit="records", drill="pairing:any"
            ),
            FigureRow("mentees", "Pupils mentored", values["mentees"], drill="mentored:any"),
            FigureRow(
                "sessions",
                "Sessions held",
                values["sessions"],
                unit="records",
                drill="mentoring_session:any",
            ),
            FigureRow(
                "hours",
                "Hours of mentoring",
                values["hours"],
                unit="hours",
                drill="mentoring_session:any",
            ),
        ],
    )


def staff_learning(
    school_id: int, terms: list[Term], t: sa.Subquery, filters: src.DashboardFilters
) -> FigureTable:
    """P3: hours of professional learning and the staff taking part (pupil filters don't apply)."""
    n = len(terms)
    cpd = db.session.execute(
        sa.select(
            t.c.idx,
            sa.func.coalesce(sa.func.sum(LearningRecord.hours_tenths), 0),
            sa.func.count(sa.distinct(LearningRecord.staff_id)),
        )
        .select_from(LearningRecord)
        .join(t, src.within(t, LearningRecord.held_on))
        .where(LearningRecord.school_id == school_id)
        .group_by(t.c.idx)
    ).all()
    hours, staff = [0.0] * n, [0] * n
    for idx, tenths, people in cpd:
        hours[idx], staff[idx] = round((tenths or 0) / 10, 1), people
    return FigureTable(
        "cpd",
        "P3 Staff professional learning: people who learn",
        [
            FigureRow(
                "hours",
                "Hours of professional learning",
                hours,
                unit="hours",
                drill="learning:any",
            ),
            FigureRow("staff", "Staff taking part", staff, unit="records", drill="staff:any"),
        ],
    )


def programme(
    school_id: int, terms: list[Term], t: sa.Subquery, filters: src.DashboardFilters
) -> list[FigureTable]:
    """Structured conversations with families, kindness moments by value."""
    n = len(terms)
    talks = db.session.execute(
        filter_pupils(
            sa.select(
                t.c.idx,
                sa.func.count(ParentConversation.id),
                sa.func.count(sa.distinct(ParentConversation.pupil_id)),
            )
            .select_from(ParentConversation)
            .join(t, src.within(t, ParentConversation.held_on)),
            filters,
            ParentConversation.pupil_id,
        )
        .where(ParentConversation.school_id == school_id)
        .group_by(t.c.idx)
    ).all()
    held, families = [0] * n, [0] * n
    for idx, count, pupils in talks:
        held[idx], families[idx] = count, pupils
    moment_filter = []
    if filters.conditions():
        moment_filter.append(names_a_pupil_where(*filters.conditions()))
    # One pass: each moment once (a value row per value shown, so count it distinctly)
    # and, per value, the moments showing it.
    value_counts = [
        sa.func.count(sa.case((KindnessMomentValue.value == value, KindnessMoment.id)))
        for value in KindnessValue
    ]
    kindness = db.session.execute(
        sa.select(t.c.idx, sa.func.count(sa.distinct(KindnessMoment.id)), *value_counts)
        .select_from(KindnessMoment)
        .outerjoin(KindnessMomentValue, KindnessMomentValue.moment_id == KindnessMoment.id)
        .join(t, src.within(t, KindnessMoment.occurred_on))
        .where(KindnessMoment.school_id == school_id, *moment_filter)
        .group_by(t.c.idx)
    ).all()
    moment_total = [0] * n
    kind_grid: dict[str, list[int]] = {value.value: [0] * n for value in KindnessValue}
    for idx, count, *by_value in kindness:
        moment_total[idx] = count
        for value, value_count in zip(KindnessValue, by_value, strict=True):
            kind_grid[value.value][idx] = value_count
    return [
        FigureTable(
            "families",
            "Structured conversations with parents and carers",
            [
                FigureRow(
                    "held", "Conversations held", held, unit="records", drill="conversation:any"
                ),
                FigureRow(
                    "families", "Pupils whose families took part", families, drill="family:any"
                ),
            ],
        ),
        FigureTable(
            "kindness",
            "Kindness moments, by value shown",
            [
                *[
                    FigureRow(
                        f"value:{v.value}",
                        v.value.capitalize(),
                        kind_grid[v.value],
                        unit="records",
                        drill=f"moment:{v.value}",
                    )
                    for v in KindnessValue
                ],
                FigureRow(
                    "moments",
                    "Kindness moments recorded",
                    moment_total,
                    unit="records",
                    drill="moment:any",
                ),
            ],
            chart="bar",
        ),
    ]
