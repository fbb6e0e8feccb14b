"""The demo's risk flags and suspensions are plausible, varied and within the law."""

from collections import defaultdict
from datetime import date

import sqlalchemy as sa

from school_tracker.calendar.terms import TermCalendar
from school_tracker.demo.school import seed_demo
from school_tracker.exclusions.queries import SESSIONS_PER_DAY, YEAR_MAX_DAYS
from school_tracker.extensions import db
from school_tracker.models import (
    Exclusion,
    ExclusionKind,
    Pupil,
    RiskFlag,
    RiskStatus,
    SenStatus,
)

TODAY = date(2026, 11, 22)


def test_demo_flags_and_exclusions(app):
    with app.app_context():
        seed_demo(today=TODAY)
        db.session.commit()
        flags = db.session.scalars(sa.select(RiskFlag)).all()
        assert 25 <= len(flags) <= 40
        assert all(
            flag.level_history and flag.level_history[-1].level is flag.level for flag in flags
        )
        assert all(flag.review_on > flag.raised_on for flag in flags)
        closed = [flag for flag in flags if flag.status is RiskStatus.CLOSED]
        assert len({flag.outcome for flag in closed}) >= 4
        assert any(flag.status is not RiskStatus.CLOSED for flag in flags)
        assert sum(len(flag.actions) for flag in flags) >= len(flags)
        assert sum(1 for flag in flags if flag.agencies) >= len(flags) // 2
        years = {TermCalendar().term_for(flag.raised_on).academic_year for flag in flags}
        assert years == {"2024/25", "2025/26", "2026/27"}

        exclusions = db.session.scalars(sa.select(Exclusion)).all()
        permanent = [e for e in exclusions if e.kind is ExclusionKind.PERMANENT]
        assert len(permanent) == 2 and len(exclusions) >= 12
        assert all(e.reason_1_id and e.parents_notified for e in exclusions)
        totals: dict[tuple[int, str], int] = defaultdict(int)
        for e in exclusions:
            if e.kind is ExclusionKind.SUSPENSION:
                totals[(e.pupil_id, TermCalendar().term_for(e.start_date).academic_year)] += (
                    e.sessions
                )
        assert max(totals.values()) <= YEAR_MAX_DAYS * SESSIONS_PER_DAY

        pupils = db.session.scalars(sa.select(Pupil)).all()
        excluded = {e.pupil_id for e in exclusions}

        def share(group) -> float:
            return sum(
                1 for p in group if p.pupil_premium or p.sen_status is not SenStatus.NONE
            ) / len(group)

        excluded_pupils = [p for p in pupils if p.id in excluded]
        assert share(excluded_pupils) > share(pupils)
