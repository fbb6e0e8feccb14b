"""After an exclusion: school-day dates, the return, the governors' meeting and its decision."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from school_tracker.calendar.terms import TermCalendar, school_today
from school_tracker.exclusions import deadlines, lifecycle, reinstatement, services
from school_tracker.exclusions.reinstatement import DecisionData, ReviewData
from school_tracker.extensions import db
from school_tracker.models import (
    AuditEntry,
    Exclusion,
    ExclusionKind,
    Pupil,
    RecordVersion,
    ReviewDecision,
    ReviewTrigger,
    Role,
    User,
)
from school_tracker.privacy.retention import apply_retention
from school_tracker.records.versions import RecordRuleError
from tests.factories.risk import reason_id, seed_reference

TODAY = school_today()
# Autumn ends Friday 18 December; spring starts Tuesday 5 January (the school's own dates).
CALENDAR = TermCalendar(
    {
        "autumn-2026": (date(2026, 9, 2), date(2026, 12, 18)),
        "spring-2027": (date(2027, 1, 5), date(2027, 3, 26)),
    }
)


def test_school_days_skip_weekends_and_holidays():
    friday = date(2026, 12, 11)
    assert deadlines.add_school_days(CALENDAR, friday, 1) == date(2026, 12, 14)
    assert deadlines.add_school_days(CALENDAR, friday, 5) == date(2026, 12, 18)
    # 5 days to the end of term, 4 in the first week back, 5 the next, then Monday the 18th.
    assert deadlines.add_school_days(CALENDAR, friday, 15) == date(2027, 1, 18)
    # Day 1 of an exclusion starting on a Saturday is the Monday; day 6 the next Monday.
    assert deadlines.nth_school_day(CALENDAR, date(2026, 11, 7), 1) == date(2026, 11, 9)
    assert deadlines.nth_school_day(CALENDAR, date(2026, 11, 9), 6) == date(2026, 11, 16)


@pytest.fixture
def case(app, make_school, make_user, make_pupil):
    seed_reference(app)
    school = make_school()
    other = make_school(slug="hill", name="Hill School")
    return {
        "school": school,
        "leader": make_user(Role.LEADER, school=school),
        "staff": make_user(Role.STAFF, school=school),
        "governor": make_user(Role.GOVERNOR, school=school, full_name="Gita Governor"),
        "other_governor": make_user(Role.GOVERNOR, school=other),
        "pupil": make_pupil(school),
    }


def _user(case, who: str) -> User:
    return db.session.get_one(User, case[who].id)


def _exclude(case, start: date, sessions: int | None, kind=ExclusionKind.SUSPENSION) -> Exclusion:
    return services.record_exclusion(
        db.session.get_one(Pupil, case["pupil"].id),
        services.ExclusionData(
            kind=kind, start_date=start, sessions=sessions, reason_ids=[reason_id("PA")]
        ),
        by=_user(case, "leader"),
    )


def _review(case, exclusion: Exclusion, **changes) -> ReviewData:
    values = dict(
        trigger=ReviewTrigger.PERMANENT,
        board_notified_on=exclusion.start_date,
        meeting_on=None,
        panel_ids=[case["governor"].id],
    )
    values.update(changes)
    return ReviewData(**values)


def test_the_law_decides_when_governors_must_meet(app, case):
    start = TODAY - timedelta(days=30)
    with app.app_context():
        first = _exclude(case, start, 30)  # 15 days: not more than 15
        assert reinstatement.triggers_for(first) == []
        second = _exclude(case, start + timedelta(days=1), 1)  # 15.5 days in the term
        assert reinstatement.triggers_for(second) == [ReviewTrigger.OVER_15_DAYS]
        permanent = _exclude(case, start + timedelta(days=2), None, ExclusionKind.PERMANENT)
        assert reinstatement.triggers_for(permanent) == [ReviewTrigger.PERMANENT]
        services.cancel_exclusion(
            permanent, by=_user(case, "leader"), reason="Error", expected_version=None
        )
        assert reinstatement.triggers_for(permanent) == []


def test_arranging_the_meeting_checks_trigger_panel_and_dates(app, case):
    start = TODAY - timedelta(days=10)
    with app.app_context():
        short = _exclude(case, start, 4)
        leader = _user(case, "leader")
        refusals = [
            (short, _review(case, short), "trigger"),  # a suspension is not permanent
            (short, _review(case, short, trigger=ReviewTrigger.OVER_15_DAYS), "trigger"),
        ]
        permanent = _exclude(case, start, None, ExclusionKind.PERMANENT)
        refusals += [
            (permanent, _review(case, permanent, panel_ids=[]), "panel"),
            (permanent, _review(case, permanent, panel_ids=[case["staff"].id]), "panel"),
            (permanent, _review(case, permanent, panel_ids=[case["other_governor"].id]), "panel"),
            (
                permanent,
                _review(case, permanent, board_notified_on=start - timedelta(days=1)),
                "board_notified_on",
            ),
            (
                permanent,
                _review(case, permanent, meeting_on=start - timedelta(days=1)),
                "meeting_on",
            ),
        ]
        for exclusion, data, field in refusals:
            with pytest.raises(RecordRuleError) as refused:
                reinstatement.arrange_review(exclusion, data, by=leader)
            assert refused.value.field == field
        with pytest.raises(RecordRuleError):
            reinstatement.arrange_review(
                permanent, _review(case, permanent), by=_user(case, "staff")
            )
        # A missed public exam is the leader's to say, for any suspension.
        exam = reinstatement.arrange_review(
            short, _review(case, short, trigger=ReviewTrigger.PUBLIC_EXAM), by=leader
        )
        review = reinstatement.arrange_review(permanent, _review(case, permanent), by=leader)
        assert [member.full_name for member in review.panel] == ["Gita Governor"]
        with pytest.raises(RecordRuleError, match="already arranged"):
            reinstatement.arrange_review(permanent, _review(case, permanent), by=leader)
        audited = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.entity_type == reinstatement.ENTITY)
        ).all()
        assert {(e.entity_id, e.pupil_id) for e in audited} == {
            (exam.id, case["pupil"].id),
            (review.id, case["pupil"].id),
        }


def test_the_dates_due_next_follow_the_decision(app, case):
    start = TODAY - timedelta(days=40)
    with app.app_context():
        exclusion = _exclude(case, start, None, ExclusionKind.PERMANENT)
        review = reinstatement.arrange_review(
            exclusion, _review(case, exclusion), by=_user(case, "leader")
        )
        meet, letter, request = reinstatement.review_deadlines(review, CALENDAR)
        assert meet.due_on == deadlines.add_school_days(CALENDAR, start, 15)
        assert (
            meet.state(meet.due_on) == "due" and meet.state(meet.due_on + timedelta(1)) == "overdue"
        )
        assert letter.due_on is None and letter.state(TODAY) == "waiting"
        assert request.due_on is None and request.state(TODAY) == "information"
        decided = start + timedelta(days=7)
        reinstatement.record_decision(
            review,
            DecisionData(ReviewDecision.UPHOLD, "Serious and persistent.", decided, decided),
            by=_user(case, "leader"),
            expected_version=review.version_id,
        )
        meet, letter, request = reinstatement.review_deadlines(review, CALENDAR)
        assert meet.state(TODAY) == "done" and letter.state(TODAY) == "done"
        assert request.due_on == deadlines.add_school_days(CALENDAR, decided, 15)
        assert review.meeting_on == decided


def test_a_suspension_has_no_independent_review_date(app, case):
    with app.app_context():
        exclusion = _exclude(case, TODAY - timedelta(days=5), 6)
        review = reinstatement.arrange_review(
            exclusion,
            _review(case, exclusion, trigger=ReviewTrigger.PUBLIC_EXAM),
            by=_user(case, "leader"),
        )
        assert len(reinstatement.review_deadlines(review, CALENDAR)) == 2


def test_the_decision_needs_reasons_and_sensible_dates(app, case):
    start = TODAY - timedelta(days=20)
    with app.app_context():
        exclusion = _exclude(case, start, None, ExclusionKind.PERMANENT)
        leader = _user(case, "leader")
        review = reinstatement.arrange_review(exclusion, _review(case, exclusion), by=leader)
        bad = [
            (DecisionData(ReviewDecision.REINSTATE, "  ", TODAY, None), "reasons"),
            (
                DecisionData(ReviewDecision.REINSTATE, "Why", start - timedelta(1), None),
                "decided_on",
            ),
            (
                DecisionData(ReviewDecision.REINSTATE, "Why", TODAY + timedelta(1), None),
                "decided_on",
            ),
            (
                DecisionData(ReviewDecision.REINSTATE, "Why", TODAY, TODAY - timedelta(1)),
                "notified_on",
            ),
        ]
        for data, field in bad:
            with pytest.raises(RecordRuleError) as refused:
                reinstatement.record_decision(review, data, by=leader, expected_version=None)
            assert refused.value.field == field
        assert review.decision is None
        reinstatement.record_decision(
            review,
            DecisionData(ReviewDecision.REINSTATE, "First reasons", TODAY, None),
            by=leader,
            expected_version=None,
        )
        reinstatement.record_decision(
            review,
            DecisionData(ReviewDecision.REINSTATE, "Corrected reasons", TODAY, TODAY),
            by=leader,
            expected_version=None,
        )
        kept = db.session.scalars(
            sa.select(RecordVersion).where(RecordVersion.entity_type == reinstatement.ENTITY)
        ).all()
        assert any(v.previous.get("decision_reasons") == "First reasons" for v in kept)
        with pytest.raises(RecordRuleError):
            reinstatement.update_review(
                review, _review(case, exclusion), by=leader, expected_version=None
            )


def test_panel_governors_keep_the_pack_for_30_days_after_the_decision(app, case):
    with app.app_context():
        exclusion = _exclude(case, TODAY - timedelta(days=60), None, ExclusionKind.PERMANENT)
        review = reinstatement.arrange_review(
            exclusion, _review(case, exclusion), by=_user(case, "leader")
        )
        assert reinstatement.pack_open_to_panel(review, TODAY + timedelta(days=400))
        review.decided_on = TODAY - timedelta(days=30)
        assert reinstatement.pack_open_to_panel(review, TODAY)
        assert not reinstatement.pack_open_to_panel(review, TODAY + timedelta(days=1))


def test_the_return_and_education_from_the_sixth_day(app, case):
    start = TODAY - timedelta(days=14)
    with app.app_context():
        leader = _user(case, "leader")
        short = _exclude(case, start, 10)  # five days: no education elsewhere needed
        assert not lifecycle.needs_provision(short)
        assert len(lifecycle.exclusion_deadlines(short, None, CALENDAR)) == 2
        long = _exclude(case, start, 12)
        (parents, la, provision) = lifecycle.exclusion_deadlines(long, None, CALENDAR)
        assert parents.due_on == start and parents.state(TODAY) == "overdue"
        assert provision.due_on == deadlines.nth_school_day(CALENDAR, start, 6)
        for data, field in [
            (lifecycle.FollowUpData(return_on=start - timedelta(1)), "return_on"),
            (lifecycle.FollowUpData(provider="Oak PRU"), "provision_from"),
            (lifecycle.FollowUpData(provision_from=start), "provider"),
        ]:
            with pytest.raises(RecordRuleError) as refused:
                lifecycle.save_follow_up(long, data, by=leader, expected_version=None)
            assert refused.value.field == field
        saved = lifecycle.save_follow_up(
            long,
            lifecycle.FollowUpData(
                return_on=start + timedelta(days=9),
                meeting_on=start + timedelta(days=9),
                attended="Parent, pupil, head of year",
                agreed="A daily check-in",
                pupil_views="Wants a fresh start",
                parent_views="Supportive",
                provider="Oak PRU",
                provision_from=provision.due_on,
            ),
            by=leader,
            expected_version=None,
        )
        (_p, _l, provision) = lifecycle.exclusion_deadlines(long, saved, CALENDAR)
        assert provision.state(TODAY) == "done"
        lifecycle.save_follow_up(
            long,
            lifecycle.FollowUpData(provider="Elm PRU", provision_from=provision.due_on),
            by=leader,
            expected_version=saved.version_id,
        )
        assert saved.provider == "Elm PRU" and saved.attended == ""
        kept = db.session.scalars(
            sa.select(RecordVersion).where(RecordVersion.entity_type == lifecycle.ENTITY)
        ).all()
        assert kept[-1].previous["provider"] == "Oak PRU"
        db.session.get_one(Pupil, case["pupil"].id).child_in_need = True
        assert "social worker" in lifecycle.exclusion_deadlines(long, saved, CALENDAR)[2].what
        permanent = _exclude(case, start, None, ExclusionKind.PERMANENT)
        with pytest.raises(RecordRuleError, match="no return date"):
            lifecycle.save_follow_up(
                permanent, lifecycle.FollowUpData(return_on=TODAY), by=leader, expected_version=None
            )


@pytest.mark.requirement("R69")
def test_retention_blanks_the_return_and_the_review_with_the_exclusion(app, case):
    start = TODAY - timedelta(days=20)
    with app.app_context():
        leader = _user(case, "leader")
        exclusion = _exclude(case, start, None, ExclusionKind.PERMANENT)
        follow_up = lifecycle.save_follow_up(
            exclusion,
            lifecycle.FollowUpData(
                attended="Mum", pupil_views="Sorry", provider="Oak PRU", provision_from=start
            ),
            by=leader,
            expected_version=None,
        )
        lifecycle.save_follow_up(
            exclusion,
            lifecycle.FollowUpData(
                attended="Mum and Dad", provider="Oak PRU", provision_from=start
            ),
            by=leader,
            expected_version=follow_up.version_id,
        )
        review = reinstatement.arrange_review(
            exclusion, _review(case, exclusion, representations="Please"), by=leader
        )
        reinstatement.record_decision(
            review,
            DecisionData(ReviewDecision.UPHOLD, "Serious", TODAY, None),
            by=leader,
            expected_version=None,
        )
        db.session.get_one(Pupil, case["pupil"].id).leaving_date = TODAY
        db.session.commit()
        versions = sa.select(RecordVersion).where(RecordVersion.entity_type == lifecycle.ENTITY)
        assert "Mum" in str([v.previous for v in db.session.scalars(versions)])
        counts = apply_retention(date(TODAY.year + 40, 1, 1))
        db.session.commit()
        assert counts["returns after a suspension"] == 1
        assert counts["governors' reinstatement reviews"] == 1
        db.session.expire_all()
        assert (follow_up.attended, follow_up.pupil_views, follow_up.provider) == ("", "", None)
        assert (review.representations, review.decision_reasons) == ("", "")
        assert review.decision is ReviewDecision.UPHOLD  # the fact stays; the words go
        kept = db.session.scalars(
            sa.select(RecordVersion).where(RecordVersion.entity_type == lifecycle.ENTITY)
        ).all()
        assert all("Mum" not in str(version.previous) for version in kept)
