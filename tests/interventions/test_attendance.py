"""Sessions attended come from the register, plus any count typed before it existed (issue 13
item 1): the figure, its two parts on every page that shows it, and one query for all pupils."""

from dataclasses import replace

import pytest
import sqlalchemy as sa

from school_tracker.calendar.terms import school_today
from school_tracker.extensions import db
from school_tracker.interventions import services
from school_tracker.models import Intervention, InterventionParticipant, User
from school_tracker.records.attendance import (
    Attendance,
    attendance_by_participant,
    attended_column,
    present_column,
)
from tests.factories.attendance import attendance_world
from tests.factories.interventions import plan

TODAY = school_today()


def test_the_figure_and_its_parts():
    assert Attendance().attended is None and Attendance().parts == ""
    assert Attendance(before_register=0).attended == 0  # a typed 0 was a real answer
    assert Attendance(present=0, marked=2).attended == 0
    both = Attendance(present=2, marked=3, before_register=4)
    assert both.attended == 6
    assert both.parts == "2 of 3 on the register + 4 recorded as a count before the register"
    assert Attendance(3, 3).parts == "3 of 3 on the register"
    assert Attendance(before_register=5).parts == "5 recorded as a count before the register"


@pytest.fixture
def group(app, make_school, make_user, make_pupil):
    return attendance_world(app, make_school, make_user, make_pupil)


def test_attended_is_register_presents_plus_the_earlier_count(app, group):
    with app.app_context():
        record = db.session.get(Intervention, group["id"])
        found = attendance_by_participant(record.participants)
    by_name = {name: found[part_id] for name, part_id in group["parts"].items()}
    assert {name: a.attended for name, a in by_name.items()} == {
        "Ann": 6,
        "Ben": 1,
        "Cal": 2,
        "Dee": None,
    }
    assert by_name["Ann"].parts == (
        "2 of 2 on the register + 4 recorded as a count before the register"
    )
    assert by_name["Ben"].parts == "1 of 2 on the register"


def test_the_sql_figure_matches_and_every_pupil_costs_one_query(app, group):
    with app.app_context():
        in_sql = dict(
            db.session.execute(
                sa.select(InterventionParticipant.id, attended_column()).where(
                    InterventionParticipant.intervention_id == group["id"]
                )
            ).all()
        )
        presents = dict(
            db.session.execute(
                sa.select(InterventionParticipant.id, present_column()).where(
                    InterventionParticipant.intervention_id == group["id"]
                )
            ).all()
        )
        record = db.session.get(Intervention, group["id"])
        parts = list(record.participants)
        statements = []

        def count(*_args) -> None:
            statements.append(1)

        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            found = attendance_by_participant(parts)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == 1
    assert in_sql == {part_id: a.attended for part_id, a in found.items()}
    assert presents == {part_id: a.present for part_id, a in found.items()}


def test_pages_show_the_figure_with_its_parts_and_offer_no_typed_count(client, auth, group):
    auth.login(group["lead"].email)
    detail = client.get(f"/interventions/{group['id']}").get_data(as_text=True)
    assert "Sessions attended (typed)" not in detail
    assert "6 of 20" in detail
    assert "2 of 2 on the register + 4 recorded as a count before the register" in detail
    assert "1 of 2 on the register" in detail
    ann = group["parts"]["Ann"]
    outcome = client.get(f"/interventions/{group['id']}/pupils/{ann}/outcome")
    page = outcome.get_data(as_text=True)
    assert 'name="sessions_attended"' not in page
    assert "Sessions attended: <strong>6</strong> of 20 planned (2 of 2 on the register + 4" in page
    dee = group["parts"]["Dee"]
    late = client.get(f"/interventions/{group['id']}/pupils/{dee}/outcome")
    assert "Sessions attended: none recorded yet" in late.get_data(as_text=True)
    outcomes = client.get(f"/interventions/{group['id']}/outcomes").get_data(as_text=True)
    assert 'name="sessions_attended_' not in outcomes
    assert "2 of 2 on the register + 4 recorded as a count before the register" in outcomes


def test_a_refused_outcome_still_shows_the_attendance(app, client, auth, group):
    auth.login(group["lead"].email)
    ann = group["parts"]["Ann"]
    with app.app_context():
        version = db.session.get(InterventionParticipant, ann).version_id
    response = client.post(
        f"/interventions/{group['id']}/pupils/{ann}/outcome",
        data={"exit_score": "999", "version": str(version)},
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "at most 200" in page and "Sessions attended: <strong>6</strong>" in page


def test_a_plan_may_be_cut_below_the_sessions_a_pupil_attended(app, client, auth, group):
    """The register records what happened; planning 5 sessions now refuses nothing."""
    with app.app_context():
        record = db.session.get(Intervention, group["id"])
        data = plan(record.type_id, record.lead_id, planned_sessions=5)
        data = replace(data, start_date=record.start_date, review_date=record.review_date)
        services.update_intervention(
            record,
            data,
            by=db.session.get(User, group["lead"].id),
            expected_version=record.version_id,
        )
        db.session.commit()
    auth.login(group["lead"].email)
    assert "6 of 5" in client.get(f"/interventions/{group['id']}").get_data(as_text=True)
