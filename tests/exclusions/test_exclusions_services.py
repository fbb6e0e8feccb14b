"""Suspension thresholds (15 days a term, 45 a year), DfE reason codes with active dates."""

from datetime import date

import pytest
import sqlalchemy as sa

from school_tracker.calendar.terms import TermCalendar, school_today
from school_tracker.exclusions import queries, services
from school_tracker.extensions import db
from school_tracker.models import (
    AuditEntry,
    Exclusion,
    ExclusionKind,
    ExclusionReason,
    Pupil,
    Role,
    SenStatus,
    TermDate,
    User,
)
from school_tracker.records.versions import RecordRuleError, StaleRecordError
from tests.factories.risk import reason_id, seed_reference

# 2023/24 with default (DfE statistics) terms: Easter Sunday 2024 was 31 March.
AUTUMN, SPRING, SUMMER = date(2023, 11, 6), date(2024, 2, 5), date(2024, 5, 13)


def _suspension(start: date, sessions: int, **extra) -> Exclusion:
    return Exclusion(kind=ExclusionKind.SUSPENSION, start_date=start, sessions=sessions, **extra)


def test_terms_and_years_are_counted_by_start_date_across_boundaries():
    exclusions = [
        _suspension(date(2023, 12, 31), 10),  # last day of autumn 2023
        _suspension(date(2024, 1, 1), 6),  # first day of spring 2024
        _suspension(date(2024, 3, 31), 4),  # Easter Sunday: still spring
        _suspension(date(2024, 4, 1), 3),  # Easter Monday: summer
        _suspension(date(2024, 7, 31), 2),  # last day of 2023/24
        _suspension(date(2024, 8, 1), 20),  # first day of 2024/25: not counted
        _suspension(date(2024, 2, 1), 8, cancelled_on=date(2024, 2, 2)),  # cancelled
    ]
    summary = queries.summarise(exclusions, TermCalendar(), date(2024, 2, 1))
    assert summary.academic_year == "2023/24"
    assert [(t.term.key, t.sessions) for t in summary.terms] == [
        ("autumn-2023", 10),
        ("spring-2024", 10),
        ("summer-2024", 5),
    ]
    assert summary.year_sessions == 25 and summary.year_days == 12.5
    assert summary.warnings() == []
    next_year = queries.summarise(exclusions, TermCalendar(), date(2024, 9, 1))
    assert next_year.academic_year == "2024/25" and next_year.year_days == 10


def test_more_than_15_days_in_a_term_warns_but_exactly_15_does_not():
    fifteen = [_suspension(date(2024, 1, 8), 20), _suspension(date(2024, 3, 4), 10)]
    assert queries.summarise(fifteen, TermCalendar(), SPRING).warnings() == []
    over = [*fifteen, _suspension(date(2024, 3, 11), 1)]
    (warning,) = queries.summarise(over, TermCalendar(), SPRING).warnings()
    assert "15.5 days" in warning and "Spring 2024" in warning and "reinstatement" in warning
    # The same 31 sessions split across a term boundary stay below the term threshold.
    split = [_suspension(date(2023, 12, 18), 16), _suspension(date(2024, 1, 8), 15)]
    assert queries.summarise(split, TermCalendar(), SPRING).warnings() == []


def test_the_yearly_maximum_and_a_permanent_exclusion_are_surfaced():
    rows = [
        _suspension(AUTUMN, 30),
        _suspension(SPRING, 30),
        _suspension(SUMMER, 30),
        Exclusion(kind=ExclusionKind.PERMANENT, start_date=date(2024, 6, 3)),
    ]
    warnings = queries.summarise(rows, TermCalendar(), SUMMER).warnings()
    assert any("legal maximum is 45 school days" in w for w in warnings)
    assert any(w.startswith("Permanent exclusion from 03 Jun 2024") for w in warnings)


def test_a_schools_own_term_dates_decide_the_term():
    calendar = TermCalendar({"spring-2024": (date(2024, 1, 8), date(2024, 3, 28))})
    # 2-5 January is holiday: it counts with the autumn term just ended.
    rows = [_suspension(date(2024, 1, 4), 4), _suspension(date(2024, 1, 9), 4)]
    summary = queries.summarise(rows, calendar, SPRING)
    assert [t.sessions for t in summary.terms] == [4, 4, 0]


@pytest.fixture
def school_setup(app, make_school, make_user, make_pupil):
    seed_reference(app)
    school = make_school()
    return {
        "school": school,
        "leader": make_user(Role.LEADER, school=school),
        "staff": make_user(Role.STAFF, school=school),
        "pupil": make_pupil(school, sen_status=SenStatus.SUPPORT, pupil_premium=True),
    }


def _data(start: date, sessions: int | None = 2, reasons=("DB",), **extra):
    kind = extra.pop("kind", ExclusionKind.SUSPENSION)
    return services.ExclusionData(
        kind=kind,
        start_date=start,
        sessions=sessions,
        reason_ids=[reason_id(code) if code else None for code in reasons],
        **extra,
    )


def _record(setup, data, who="leader"):
    pupil = db.session.get(Pupil, setup["pupil"].id)
    return services.record_exclusion(pupil, data, by=db.session.get(User, setup[who].id))


def test_a_suspension_past_45_days_in_the_year_is_refused(app, school_setup):
    with app.app_context():
        _record(school_setup, _data(AUTUMN, 40, reasons=("PA", "VA")))
        _record(school_setup, _data(SPRING, 40, reasons=("DB",)))
        db.session.commit()
        with pytest.raises(RecordRuleError) as refused:
            _record(school_setup, _data(SUMMER, 12))
        assert refused.value.field == "sessions"
        assert "46 days" in str(refused.value) and "45 school days" in str(refused.value)
        assert "5 days (10 sessions)" in str(refused.value)
        db.session.rollback()
        last = _record(school_setup, _data(SUMMER, 10))  # exactly 45 days is lawful
        db.session.commit()
        assert any("legal maximum" in w for w in services.warnings_for(last))
        # A new academic year starts a new count.
        _record(school_setup, _data(date(2024, 9, 9), 4))
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count(Exclusion.id))) == 4


def test_editing_counts_everything_but_the_record_itself(app, school_setup):
    with app.app_context():
        _record(school_setup, _data(AUTUMN, 60))
        second = _record(school_setup, _data(SPRING, 30))
        db.session.commit()
        version = second.version_id
        leader = db.session.get(User, school_setup["leader"].id)
        changes = services.update_exclusion(
            second, _data(SPRING, 30, reasons=("DM",)), by=leader, expected_version=version
        )
        assert changes == {"reason_1_id": "changed"}
        db.session.commit()
        with pytest.raises(RecordRuleError):
            services.update_exclusion(
                second, _data(SPRING, 31), by=leader, expected_version=second.version_id
            )
        db.session.rollback()
        with pytest.raises(StaleRecordError):
            services.update_exclusion(second, _data(SPRING, 4), by=leader, expected_version=version)


def test_cancelled_suspensions_stop_counting_and_need_a_reason(app, school_setup):
    with app.app_context():
        first = _record(school_setup, _data(AUTUMN, 90))
        db.session.commit()
        leader = db.session.get(User, school_setup["leader"].id)
        with pytest.raises(RecordRuleError):
            services.cancel_exclusion(first, by=leader, reason=" ", expected_version=None)
        services.cancel_exclusion(
            first, by=leader, reason="Recorded on the wrong pupil", expected_version=None
        )
        db.session.commit()
        _record(school_setup, _data(SPRING, 10))
        db.session.commit()
        audit = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "cancel"))
        assert "wrong pupil" not in str(audit.changes)


def test_reasons_must_be_active_on_the_start_date(app, school_setup):
    with app.app_context():
        db.session.add(
            ExclusionReason(
                code="OT",
                description="Other",
                active_from=date(2012, 8, 1),
                active_to=date(2020, 7, 31),
                sort_order=99,
            )
        )
        db.session.commit()
        with pytest.raises(RecordRuleError) as retired:
            _record(school_setup, _data(AUTUMN, reasons=("OT",)))
        assert retired.value.field == "reason_1" and "06 Nov 2023" in str(retired.value)
        with pytest.raises(RecordRuleError) as too_early:
            _record(school_setup, _data(date(2019, 10, 7), reasons=("OT", "MT")))
        assert too_early.value.field == "reason_2"
        db.session.rollback()
        old = _record(school_setup, _data(date(2019, 10, 7), reasons=("OT",)))
        assert [r.code for r in old.reasons] == ["OT"]


@pytest.mark.parametrize(
    ("reasons", "field"),
    [
        ((None,), "reason_1"),
        (("PP", "PP"), "reason_2"),
        (("PP", "VA", "PP"), "reason_3"),
        (("PP", None, "VA"), "reason_2"),
    ],
)
def test_reason_rules(app, school_setup, reasons, field):
    with app.app_context(), pytest.raises(RecordRuleError) as error:
        _record(school_setup, _data(AUTUMN, reasons=reasons))
    assert error.value.field == field


@pytest.mark.parametrize("sessions", [None, 0, 91])
def test_suspension_sessions_are_1_to_90(app, school_setup, sessions):
    with app.app_context(), pytest.raises(RecordRuleError) as error:
        _record(school_setup, _data(AUTUMN, sessions))
    assert error.value.field == "sessions"


def test_permanent_exclusion_has_no_sessions_and_priorities(app, school_setup):
    with app.app_context():
        exclusion = _record(
            school_setup,
            _data(
                AUTUMN,
                6,
                reasons=("PA", "OW"),
                kind=ExclusionKind.PERMANENT,
                parents_notified_on=AUTUMN,
                la_notified_on=AUTUMN,
            ),
        )
        db.session.commit()
        assert exclusion.sessions is None and exclusion.parents_notified
        assert exclusion.la_notified and not exclusion.social_worker_notified
        assert [p.code for p in exclusion.priorities] == ["P4a", "P4b"]
        audit = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "create"))
        assert audit.changes["kind"] == "permanent" and audit.pupil_id == exclusion.pupil_id
        assert any("Permanent exclusion" in w for w in services.warnings_for(exclusion))


def test_only_leaders_may_record_and_notifications_are_not_in_the_future(app, school_setup):
    with app.app_context():
        with pytest.raises(RecordRuleError):
            _record(school_setup, _data(AUTUMN), who="staff")
        with pytest.raises(RecordRuleError) as future:
            _record(school_setup, _data(AUTUMN, parents_notified_on=date(2999, 1, 1)))
        assert future.value.field == "parents_notified_on"
        with pytest.raises(RecordRuleError) as far:
            _record(school_setup, _data(date(2999, 1, 1)))
        assert far.value.field == "start_date"


def test_school_term_dates_are_used_by_the_summary(app, school_setup):
    with app.app_context():
        db.session.add(
            TermDate(
                school_id=school_setup["school"].id,
                term_key="spring-2024",
                starts_on=date(2024, 1, 8),
                ends_on=date(2024, 3, 28),
            )
        )
        _record(school_setup, _data(date(2024, 1, 4), 4))
        db.session.commit()
        summary = queries.suspension_summary(
            db.session.get(Pupil, school_setup["pupil"].id), SPRING
        )
        assert [t.sessions for t in summary.terms] == [4, 0, 0]


def test_near_thresholds_lists_pupils_at_10_days_a_term(app, school_setup, make_pupil):
    other = make_pupil(school_setup["school"])
    today = school_today()
    with app.app_context():
        _record(school_setup, _data(today, 20))
        pupil = db.session.get(Pupil, other.id)
        services.record_exclusion(
            pupil, _data(today, 19), by=db.session.get(User, school_setup["leader"].id)
        )
        db.session.commit()
        near = queries.near_thresholds(school_setup["school"].id, today)
        assert [(n.pupil.id, n.term_sessions) for n in near] == [(school_setup["pupil"].id, 20)]
