"""Risk-flag services: raising, level history, transitions, closing, actions and the audit."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from school_tracker.calendar.terms import school_today
from school_tracker.extensions import db
from school_tracker.models import (
    AuditEntry,
    Pupil,
    RiskFlag,
    RiskLevel,
    RiskOutcome,
    RiskStatus,
    Role,
    SenStatus,
    User,
)
from school_tracker.records.versions import RecordRuleError, StaleRecordError
from school_tracker.risk import lifecycle, services
from school_tracker.risk.duties import extra_duties
from tests.factories.risk import MARKER, get_flag, make_flag, seed_reference

TODAY = school_today()


@pytest.fixture
def setting(app, make_school, make_user, make_pupil):
    """A school with a leader, two staff and a pupil, and the reference data."""
    seed_reference(app)
    school = make_school()
    return {
        "school": school,
        "leader": make_user(Role.LEADER, school=school, full_name="Lena Leader"),
        "staff": make_user(Role.STAFF, school=school, full_name="Sami Staff"),
        "other": make_user(Role.STAFF, school=school, full_name="Olu Other"),
        "pupil": make_pupil(school),
    }


def _user(user) -> User:
    return db.session.get(User, user.id)


def _audits(flag_id: int, action: str | None = None) -> list[AuditEntry]:
    stmt = sa.select(AuditEntry).where(
        AuditEntry.entity_type == "risk_flag", AuditEntry.entity_id == flag_id
    )
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    return list(db.session.scalars(stmt.order_by(AuditEntry.id)))


def test_raise_writes_first_history_row_default_priority_and_audit(app, setting):
    flag_id = make_flag(app, setting["pupil"], setting["leader"], level=RiskLevel.HIGH)
    with app.app_context():
        flag = get_flag(flag_id)
        assert flag.status is RiskStatus.OPEN
        assert [(h.level, h.changed_by_id) for h in flag.level_history] == [
            (RiskLevel.HIGH, setting["leader"].id)
        ]
        assert [p.code for p in flag.priorities] == ["P4a"]
        assert {f.code for f in flag.risk_factors} == {"attendance", "peer_conflict"}
        assert {a.code for a in flag.agencies} == {"early_help", "camhs"}
        (audit,) = _audits(flag_id, "create")
        assert audit.pupil_id == setting["pupil"].id
        assert audit.changes["level"] == "high"
        assert MARKER not in str(audit.changes)


def test_staff_who_raise_are_named(app, setting):
    flag_id = make_flag(app, setting["pupil"], setting["staff"])
    with app.app_context():
        assert [u.id for u in get_flag(flag_id).named_staff] == [setting["staff"].id]


def test_raise_refuses_future_date_review_before_raise_and_left_pupil(
    app, setting, make_pupil, make_school, make_user
):
    stranger = make_user(Role.LEADER, school=make_school("elsewhere"))
    admin = make_user(Role.ADMIN, school=setting["school"])
    left = make_pupil(setting["school"], leaving_date=TODAY - timedelta(days=3))
    with app.app_context():
        pupil, leader = db.session.get(Pupil, setting["pupil"].id), _user(setting["leader"])

        def attempt(raised_on, review_on, who=leader, target=pupil):
            return services.raise_flag(
                target,
                by=who,
                raised_on=raised_on,
                level=RiskLevel.LOW,
                details=services.FlagDetails(review_on=review_on),
            )

        with pytest.raises(RecordRuleError) as future:
            attempt(TODAY + timedelta(days=1), TODAY + timedelta(days=9))
        assert future.value.field == "raised_on"
        with pytest.raises(RecordRuleError) as review:
            attempt(TODAY, TODAY)
        assert review.value.field == "review_on"
        soon = TODAY + timedelta(days=5)
        with pytest.raises(RecordRuleError):
            attempt(TODAY, soon, who=_user(stranger))
        with pytest.raises(RecordRuleError):
            attempt(TODAY, soon, who=_user(admin))
        with pytest.raises(RecordRuleError):
            attempt(TODAY, soon, target=db.session.get(Pupil, left.id))
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count(RiskFlag.id))) == 0


def test_named_staff_must_belong_to_the_school(app, setting, make_user, make_school):
    outsider = make_user(Role.STAFF, school=make_school("other-school"))
    with app.app_context(), pytest.raises(RecordRuleError) as error:
        services.raise_flag(
            db.session.get(Pupil, setting["pupil"].id),
            by=_user(setting["leader"]),
            raised_on=TODAY,
            level=RiskLevel.LOW,
            details=services.FlagDetails(
                review_on=TODAY + timedelta(days=7), named_staff_ids=[outsider.id]
            ),
        )
    assert error.value.field == "named_staff"


def test_every_level_change_is_kept_with_who_when_and_reason(app, setting):
    flag_id = make_flag(app, setting["pupil"], setting["leader"], level=RiskLevel.LOW)
    with app.app_context():
        flag, leader = get_flag(flag_id), _user(setting["leader"])
        lifecycle.change_level(flag, RiskLevel.MEDIUM, by=leader, reason="Two incidents")
        lifecycle.change_level(flag, RiskLevel.HIGH, by=leader)
        lifecycle.change_level(flag, RiskLevel.MEDIUM, by=leader, reason="Calmer")
        db.session.commit()
    with app.app_context():
        flag = get_flag(flag_id)
        assert [h.level for h in flag.level_history] == [
            RiskLevel.LOW,
            RiskLevel.MEDIUM,
            RiskLevel.HIGH,
            RiskLevel.MEDIUM,
        ]
        assert [h.reason for h in flag.level_history] == [None, "Two incidents", None, "Calmer"]
        assert all(h.changed_at is not None for h in flag.level_history)
        audits = _audits(flag_id, "change_level")
        assert [a.changes["level"] for a in audits] == [
            ["low", "medium"],
            ["medium", "high"],
            ["high", "medium"],
        ]
        assert "Calmer" not in str([a.changes for a in audits])
        with pytest.raises(RecordRuleError):
            lifecycle.change_level(flag, RiskLevel.MEDIUM, by=_user(setting["leader"]))


def test_stale_version_is_refused(app, setting):
    flag_id = make_flag(app, setting["pupil"], setting["leader"])
    with app.app_context():
        flag = get_flag(flag_id)
        loaded_at = flag.version_id
        lifecycle.change_level(flag, RiskLevel.HIGH, by=_user(setting["leader"]))
        db.session.commit()
        with pytest.raises(StaleRecordError):
            lifecycle.change_level(
                flag, RiskLevel.LOW, by=_user(setting["leader"]), expected_version=loaded_at
            )
        details = services.FlagDetails(review_on=TODAY + timedelta(days=60))
        with pytest.raises(StaleRecordError):
            services.update_flag(
                flag, details, by=_user(setting["leader"]), expected_version=loaded_at
            )


def test_transitions_and_close_requires_outcome(app, setting):
    flag_id = make_flag(app, setting["pupil"], setting["leader"])
    with app.app_context():
        flag, leader = get_flag(flag_id), _user(setting["leader"])
        with pytest.raises(RecordRuleError):
            lifecycle.change_status(flag, RiskStatus.OPEN, by=leader)
        with pytest.raises(RecordRuleError):
            lifecycle.change_status(flag, RiskStatus.CLOSED, by=leader)
        lifecycle.change_status(flag, RiskStatus.MONITORING, by=leader)
        lifecycle.change_status(flag, RiskStatus.OPEN, by=leader)
        lifecycle.change_status(flag, RiskStatus.MONITORING, by=leader)
        with pytest.raises(RecordRuleError) as no_outcome:
            lifecycle.close_flag(flag, None, by=leader)
        assert no_outcome.value.field == "outcome"
        assert flag.status is RiskStatus.MONITORING
        lifecycle.close_flag(flag, RiskOutcome.DE_ESCALATED, by=leader, reason="All calm")
        db.session.commit()
        assert (flag.status, flag.outcome, flag.closed_on) == (
            RiskStatus.CLOSED,
            RiskOutcome.DE_ESCALATED,
            TODAY,
        )
        # Closed is final for everything but a leader's reopening.
        with pytest.raises(RecordRuleError):
            lifecycle.change_status(flag, RiskStatus.OPEN, by=leader)
        with pytest.raises(RecordRuleError):
            lifecycle.change_level(flag, RiskLevel.HIGH, by=leader)
        with pytest.raises(RecordRuleError):
            services.add_action(
                flag, description="Call home", owner_id=leader.id, due_on=TODAY, by=leader
            )
        assert [a.changes["status"] for a in _audits(flag_id, "close")] == [
            ["monitoring", "closed"]
        ]
        assert _audits(flag_id, "close")[0].changes["outcome"] == "de_escalated"


def test_reopen_needs_a_leader_and_a_reason(app, setting):
    flag_id = make_flag(app, setting["pupil"], setting["leader"], named=[setting["staff"]])
    with app.app_context():
        flag, leader = get_flag(flag_id), _user(setting["leader"])
        lifecycle.close_flag(flag, RiskOutcome.SUSPENSION, by=leader)
        db.session.commit()
        with pytest.raises(RecordRuleError):
            lifecycle.reopen_flag(flag, by=leader, reason="  ")
        with pytest.raises(RecordRuleError):
            lifecycle.reopen_flag(flag, by=_user(setting["staff"]), reason="New incident")
        lifecycle.reopen_flag(flag, by=leader, reason="New incident at lunch")
        db.session.commit()
        assert (flag.status, flag.outcome, flag.closed_on) == (RiskStatus.OPEN, None, None)
        assert [(c.from_status, c.to_status) for c in flag.status_history] == [
            (RiskStatus.OPEN, RiskStatus.CLOSED),
            (RiskStatus.CLOSED, RiskStatus.OPEN),
        ]
        assert flag.status_history[-1].reason == "New incident at lunch"
        assert _audits(flag_id, "reopen")[0].changes == {
            "status": ["closed", "open"],
            "outcome": None,
        }


def test_actions_name_their_owner_and_complete_once(app, setting):
    flag_id = make_flag(app, setting["pupil"], setting["leader"])
    with app.app_context():
        flag, leader = get_flag(flag_id), _user(setting["leader"])
        with pytest.raises(RecordRuleError) as early:
            services.add_action(
                flag,
                description="Meet family",
                owner_id=setting["other"].id,
                due_on=flag.raised_on - timedelta(days=1),
                by=leader,
            )
        assert early.value.field == "due_on"
        with pytest.raises(RecordRuleError) as blank:
            services.add_action(
                flag, description="   ", owner_id=leader.id, due_on=TODAY, by=leader
            )
        assert blank.value.field == "description"
        action = services.add_action(
            flag, description="Meet family", owner_id=setting["other"].id, due_on=TODAY, by=leader
        )
        db.session.commit()
        assert setting["other"].id in [u.id for u in flag.named_staff]
        services.complete_action(action, by=_user(setting["other"]))
        db.session.commit()
        assert action.done_on == TODAY and action.done_by_id == setting["other"].id
        with pytest.raises(RecordRuleError):
            services.complete_action(action, by=leader)
        actions = db.session.scalars(
            sa.select(AuditEntry.action).where(AuditEntry.entity_type == "risk_action")
        ).all()
        assert actions == ["complete"]


def test_update_flag_changes_collections_and_bumps_version(app, setting):
    flag_id = make_flag(app, setting["pupil"], setting["leader"])
    with app.app_context():
        flag = get_flag(flag_id)
        before = flag.version_id
        details = services.FlagDetails(
            review_on=flag.review_on,
            risk_factor_ids=[f.id for f in flag.risk_factors],
            protective_factors=flag.protective_factors,
            agency_ids=[a.id for a in flag.agencies],
            agency_notes=flag.agency_notes,
            named_staff_ids=[setting["other"].id],
            priority_codes=["P4a", "P4b"],
        )
        changes = services.update_flag(
            flag, details, by=_user(setting["leader"]), expected_version=before
        )
        db.session.commit()
        assert changes == {"named_staff": "changed", "priorities": "changed"}
        assert flag.version_id == before + 1
        leader = _user(setting["leader"])
        assert services.update_flag(flag, details, by=leader, expected_version=None) == {}


def test_extra_duties_follow_the_pupils_circumstances(app, setting, make_pupil):
    school = setting["school"]
    ids = {
        "ehc": make_pupil(school, sen_status=SenStatus.EHC_PLAN).id,
        "cla": make_pupil(school, looked_after=True, child_in_need=True).id,
        "cin": make_pupil(school, child_in_need=True).id,
    }
    with app.app_context():
        plain = db.session.get(Pupil, setting["pupil"].id)
        ehc, cla, cin = (db.session.get(Pupil, ids[key]) for key in ("ehc", "cla", "cin"))
        assert extra_duties(plain) == []
        assert "early annual review" in extra_duties(ehc)[0].text
        assert "LA SEN team" in extra_duties(ehc)[0].text
        assert [d.title for d in extra_duties(cla)] == ["The pupil is looked after (CLA)"]
        assert "Virtual School Head" in extra_duties(cla)[0].text
        assert "social worker" in extra_duties(cin)[0].text
