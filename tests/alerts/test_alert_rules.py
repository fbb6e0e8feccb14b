"""Each alert rule: made once, to the right people, never to someone who may not see the record.

Every alert here is raised by the real feature service (or the real daily check) and read back
from the database; nothing of our own is mocked.
"""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from school_tracker.alerts.services import raise_alert, raise_due_alerts
from school_tracker.alerts.targets import DUE_LOOKBACK
from school_tracker.calendar.terms import school_today
from school_tracker.extensions import db
from school_tracker.families.services import mark_follow_up_done
from school_tracker.interventions.services import change_status
from school_tracker.models import (
    Alert,
    AlertKind,
    Intervention,
    InterventionStatus,
    ParentConversation,
    RiskAction,
    RiskFlag,
    Role,
    User,
)
from school_tracker.risk import services as risk_services
from tests.factories.alerts import alerts_of, recipients, update_named
from tests.factories.interventions import make_conversation, make_intervention
from tests.factories.risk import make_flag, seed_reference


@pytest.fixture
def staffroom(app, school, make_user, make_pupil, make_school) -> dict:
    """A school's leader, three teachers, a governor and an admin; a teacher elsewhere; a pupil."""
    seed_reference(app)
    elsewhere = make_school(slug="elm", name="Elm Primary")
    return {
        "leader": make_user(Role.LEADER, school=school, full_name="Lena Leader"),
        "amy": make_user(Role.STAFF, school=school, full_name="Amy Teacher"),
        "ben": make_user(Role.STAFF, school=school, full_name="Ben Teacher"),
        "cal": make_user(Role.STAFF, school=school, full_name="Cal Teacher"),
        "governor": make_user(Role.GOVERNOR, school=school, full_name="Gil Governor"),
        "admin": make_user(Role.ADMIN, school=school, full_name="Ada Admin"),
        "stranger": make_user(Role.STAFF, school=elsewhere, full_name="Sol Elsewhere"),
        "pupil": make_pupil(school, legal_surname="Okafor", legal_forename="Tayo"),
        "school": school,
    }


def _due(app, today: date) -> int:
    with app.app_context():
        raised = raise_due_alerts(today)
        db.session.commit()
        return raised


# --- named on a risk flag ----------------------------------------------------------------------


def test_staff_named_on_a_new_flag_are_alerted_once_and_nobody_else(app, staffroom):
    s = staffroom
    flag_id = make_flag(app, s["pupil"], s["leader"], named=[s["amy"], s["ben"]])
    assert sorted(recipients(app, AlertKind.FLAG_NAMED)) == sorted([s["amy"].id, s["ben"].id])
    assert {row[2:] for row in alerts_of(app)} == {("risk_flag", flag_id)}

    # Naming Cal too alerts Cal alone; an edit that names nobody new alerts nobody.
    update_named(app, flag_id, s["leader"], [s["amy"], s["ben"], s["cal"]])
    update_named(
        app, flag_id, s["leader"], [s["amy"], s["ben"], s["cal"]], school_today() + timedelta(40)
    )
    assert sorted(recipients(app, AlertKind.FLAG_NAMED)) == sorted(
        [s["amy"].id, s["ben"].id, s["cal"].id]
    )


def test_a_teacher_who_raises_a_flag_is_named_but_not_alerted_about_their_own_flag(app, staffroom):
    s = staffroom
    make_flag(app, s["pupil"], s["amy"], named=[s["ben"]])
    assert recipients(app, AlertKind.FLAG_NAMED) == [s["ben"].id]


def test_someone_taken_off_and_named_again_is_not_alerted_twice(app, staffroom):
    s = staffroom
    flag_id = make_flag(app, s["pupil"], s["leader"], named=[s["amy"]])
    update_named(app, flag_id, s["leader"], [])
    update_named(app, flag_id, s["leader"], [s["amy"]])
    assert recipients(app, AlertKind.FLAG_NAMED) == [s["amy"].id]


@pytest.mark.requirement("R21")
def test_no_alert_reaches_anyone_who_may_not_see_the_flag(app, staffroom):
    """R21: only leaders and named staff see a flag, so only they can be alerted about it."""
    s = staffroom
    flag_id = make_flag(app, s["pupil"], s["leader"], named=[s["amy"]])
    with app.app_context():
        leader = db.session.get(User, s["leader"].id)
        for key in ("ben", "governor", "admin", "stranger"):
            person = db.session.get(User, s[key].id)
            made = raise_alert(
                person, AlertKind.FLAG_NAMED, by=leader, record_type="risk_flag", record_id=flag_id
            )
            assert made is None, key
        # A record type no feature registered is seen by nobody.
        amy = db.session.get(User, s["amy"].id)
        assert (
            raise_alert(amy, AlertKind.FLAG_NAMED, by=leader, record_type="x", record_id=1) is None
        )
        db.session.commit()
    assert recipients(app, AlertKind.FLAG_NAMED) == [s["amy"].id]


def test_a_deactivated_account_gets_no_alert(app, staffroom):
    s = staffroom
    flag_id = make_flag(app, s["pupil"], s["leader"], named=[s["amy"]])
    with app.app_context():
        db.session.get(User, s["amy"].id).active = False
        db.session.execute(sa.delete(Alert))
        leader, amy = db.session.get(User, s["leader"].id), db.session.get(User, s["amy"].id)
        made = raise_alert(
            amy, AlertKind.FLAG_NAMED, by=leader, record_type="risk_flag", record_id=flag_id
        )
        assert made is None
        db.session.commit()


# --- given a risk-flag action ------------------------------------------------------------------


def _add_action(app, flag_id: int, owner: User, by: User, text: str = "Call home") -> int:
    with app.app_context():
        action = risk_services.add_action(
            db.session.get(RiskFlag, flag_id),
            description=text,
            owner_id=owner.id,
            due_on=school_today() + timedelta(days=7),
            by=db.session.get(User, by.id),
        )
        db.session.commit()
        return action.id


def test_an_action_owner_is_alerted_once_per_action(app, staffroom):
    s = staffroom
    flag_id = make_flag(app, s["pupil"], s["leader"], named=[s["amy"]])
    first = _add_action(app, flag_id, s["ben"], s["leader"])  # Ben is named by taking it
    second = _add_action(app, flag_id, s["ben"], s["leader"], "Meet the SENCo")
    _add_action(app, flag_id, s["leader"], s["leader"], "Write to the LA")  # their own: none
    assert alerts_of(app, AlertKind.FLAG_ACTION) == [
        (s["ben"].id, AlertKind.FLAG_ACTION, "risk_action", first),
        (s["ben"].id, AlertKind.FLAG_ACTION, "risk_action", second),
    ]
    with app.app_context():
        assert db.session.get(RiskAction, first).flag_id == flag_id


# --- reviews overdue, follow-ups due (the daily check) -------------------------------------------


def test_an_overdue_flag_review_alerts_its_raiser_once_per_review_date(app, staffroom):
    s = staffroom
    raised = school_today() - timedelta(days=30)
    review = raised + timedelta(days=28)
    flag_id = make_flag(
        app, s["pupil"], s["amy"], raised_on=raised, review_on=review, named=[s["ben"]]
    )
    assert _due(app, review) == 0  # due today is not yet overdue
    assert _due(app, review + timedelta(days=1)) == 1
    assert _due(app, review + timedelta(days=1)) == 0  # the worker ran twice
    assert _due(app, review + timedelta(days=2)) == 0  # and again the next day
    assert alerts_of(app, AlertKind.FLAG_REVIEW_OVERDUE) == [
        (s["amy"].id, AlertKind.FLAG_REVIEW_OVERDUE, "risk_flag", flag_id)
    ]
    # The review moves on and falls overdue again: a new alert for the new date.
    later = review + timedelta(days=10)
    update_named(app, flag_id, s["leader"], [s["amy"], s["ben"]], later)
    assert _due(app, later + timedelta(days=1)) == 1
    assert recipients(app, AlertKind.FLAG_REVIEW_OVERDUE) == [s["amy"].id, s["amy"].id]


def test_no_review_alert_for_a_raiser_who_may_no_longer_see_the_flag(app, staffroom):
    s = staffroom
    raised = school_today() - timedelta(days=30)
    review = raised + timedelta(days=28)
    flag_id = make_flag(app, s["pupil"], s["amy"], raised_on=raised, review_on=review)
    update_named(app, flag_id, s["leader"], [s["ben"]])  # Amy is taken off the flag
    assert _due(app, review + timedelta(days=1)) == 0


def test_the_first_daily_run_does_not_alert_about_reviews_missed_long_ago(app, staffroom):
    s = staffroom
    raised = school_today() - timedelta(days=30)
    review = raised + timedelta(days=7)
    make_flag(app, s["pupil"], s["amy"], raised_on=raised, review_on=review)
    assert _due(app, review + DUE_LOOKBACK + timedelta(days=1)) == 0
    assert _due(app, review + DUE_LOOKBACK) == 1


def test_an_overdue_intervention_review_alerts_its_lead_once(app, staffroom):
    s = staffroom
    record_id = make_intervention(app, s["school"], s["leader"], [s["pupil"]], lead=s["amy"])
    with app.app_context():
        review = db.session.get(Intervention, record_id).review_date
    assert _due(app, review) == 0
    assert _due(app, review + timedelta(days=1)) == 1
    assert _due(app, review + timedelta(days=3)) == 0
    assert alerts_of(app, AlertKind.INTERVENTION_REVIEW_OVERDUE) == [
        (s["amy"].id, AlertKind.INTERVENTION_REVIEW_OVERDUE, "intervention", record_id)
    ]


def test_a_finished_intervention_is_not_overdue(app, staffroom):
    s = staffroom
    record_id = make_intervention(app, s["school"], s["leader"], [s["pupil"]], lead=s["amy"])
    with app.app_context():
        record = db.session.get(Intervention, record_id)
        review = record.review_date
        change_status(
            record,
            InterventionStatus.STOPPED,
            by=db.session.get(User, s["leader"].id),
            on=school_today(),
            reason="Moved school",
        )
        db.session.commit()
    assert _due(app, review + timedelta(days=1)) == 0


def test_a_parent_follow_up_falling_due_alerts_who_led_the_conversation_once(app, staffroom):
    s = staffroom
    record_id = make_conversation(app, s["school"], s["leader"], s["pupil"], led_by=s["ben"])
    with app.app_context():
        follow_up = db.session.get(ParentConversation, record_id).follow_up_on
    assert _due(app, follow_up - timedelta(days=1)) == 0
    assert _due(app, follow_up) == 1
    assert _due(app, follow_up + timedelta(days=1)) == 0
    assert alerts_of(app, AlertKind.FOLLOW_UP_DUE) == [
        (s["ben"].id, AlertKind.FOLLOW_UP_DUE, "parent_conversation", record_id)
    ]


def test_a_follow_up_already_done_is_not_due(app, staffroom):
    s = staffroom
    record_id = make_conversation(app, s["school"], s["leader"], s["pupil"], led_by=s["ben"])
    with app.app_context():
        record = db.session.get(ParentConversation, record_id)
        follow_up = record.follow_up_on
        mark_follow_up_done(record, by=db.session.get(User, s["ben"].id), on=school_today())
        db.session.commit()
    assert _due(app, follow_up) == 0


def test_the_database_keeps_one_alert_per_record_and_due_date(app, staffroom):
    """Two daily runs racing past the service's check still leave one alert (the constraint)."""
    s = staffroom
    with app.app_context():
        due = dict(
            recipient_id=s["amy"].id,
            school_id=s["school"].id,
            kind=AlertKind.FOLLOW_UP_DUE,
            record_type="parent_conversation",
            record_id=1,
            due_on=school_today(),
        )
        db.session.add(Alert(**due))
        db.session.commit()
        db.session.add(Alert(**due))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_the_daily_check_runs_from_the_command_line_and_twice_is_harmless(app, runner, staffroom):
    s = staffroom
    record_id = make_conversation(app, s["school"], s["leader"], s["pupil"], led_by=s["ben"])
    with app.app_context():
        follow_up = db.session.get(ParentConversation, record_id).follow_up_on.isoformat()
    first = runner.invoke(args=["raise-due-alerts", "--today", follow_up])
    again = runner.invoke(args=["raise-due-alerts", "--today", follow_up])
    assert first.exit_code == 0 and "1 new alert(s)" in first.output
    assert again.exit_code == 0 and "0 new alert(s)" in again.output
    assert recipients(app, AlertKind.FOLLOW_UP_DUE) == [s["ben"].id]
