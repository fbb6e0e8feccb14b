"""The demo's interventions, CPD and parent conversations are plausible, varied and valid."""

from collections import Counter
from datetime import date

import sqlalchemy as sa

from school_tracker.calendar.terms import TermCalendar
from school_tracker.demo.school import seed_demo
from school_tracker.extensions import db
from school_tracker.interventions.rules import participant_count_error, score_error
from school_tracker.models import (
    Intervention,
    InterventionMode,
    InterventionParticipant,
    InterventionStatus,
    LearningRecord,
    ParentConversation,
    Pupil,
    Role,
    SenStatus,
    User,
)
from school_tracker.records.attendance import attendance_by_participant

TODAY = date(2026, 11, 22)


def _rate(pupils) -> float:
    pupils = list(pupils)
    return sum(p.pupil_premium or p.sen_status is not SenStatus.NONE for p in pupils) / len(pupils)


def test_demo_interventions_cpd_and_conversations(app):
    with app.app_context():
        seed_demo(today=TODAY)
        db.session.commit()
        records = db.session.scalars(sa.select(Intervention)).all()
        assert len(records) == 60
        modes = Counter(r.mode for r in records)
        assert modes[InterventionMode.GROUP] == 20
        statuses = Counter(r.status for r in records)
        assert set(statuses) == set(InterventionStatus)
        assert all(r.stop_reason for r in records if r.status is InterventionStatus.STOPPED)
        assert any(r.review_overdue(TODAY) for r in records)
        years = {TermCalendar().term_for(r.start_date).academic_year for r in records}
        assert years == {"2024/25", "2025/26", "2026/27"}
        attendance = attendance_by_participant(
            part for record in records for part in record.participants
        )
        for record in records:
            assert participant_count_error(record.mode, len(record.taking_part)) is None
            assert record.review_date > record.start_date and record.cost_pence >= 0
            for part in record.participants:
                for score in (part.baseline_score, part.exit_score):
                    assert score_error(record.score_min, record.score_max, score) is None
                attended = attendance[part.id].attended
                assert attended is None or 0 <= attended <= record.planned_sessions
                assert part.sessions_before_register is None  # the demo keeps registers
                assert part.start_date >= record.start_date
        # Attendance comes from registers: every session inside its intervention's dates, a
        # line for each pupil on it, and every pupil of a completed intervention counted.
        for record in records:
            last = min(record.end_date or TODAY, TODAY)
            assert all(record.start_date <= s.held_on <= last for s in record.sessions)
            assert all(s.attendance for s in record.sessions)
            if record.status is InterventionStatus.COMPLETED:
                assert all(attendance[p.id].recorded for p in record.participants)
            if record.status is InterventionStatus.PLANNED:
                assert not record.sessions
        assert sum(len(record.sessions) for record in records) > 300
        impacts = Counter(p.impact for p in db.session.scalars(sa.select(InterventionParticipant)))
        assert impacts[1] + impacts[2] > impacts[-1] + impacts[-2] > 0 and impacts[0] > 0
        # Disadvantaged and SEND pupils are over-represented among those supported.
        supported = db.session.scalars(
            sa.select(Pupil).join(InterventionParticipant).distinct()
        ).all()
        assert _rate(supported) > 1.5 * _rate(db.session.scalars(sa.select(Pupil)))
        staff = db.session.scalars(
            sa.select(User).where(User.role.in_((Role.STAFF, Role.LEADER)))
        ).all()
        learning = db.session.scalars(sa.select(LearningRecord)).all()
        assert {r.staff_id for r in learning} == {u.id for u in staff}
        assert all(5 <= r.hours_tenths <= 1000 and r.held_on <= TODAY for r in learning)
        talks = db.session.scalars(sa.select(ParentConversation)).all()
        assert 80 <= len(talks) <= 90
        assert all(t.held_on <= TODAY for t in talks)
        assert all(t.follow_up_on is None or t.follow_up_on >= t.held_on for t in talks)
        assert any(t.follow_up_due(TODAY) for t in talks)
