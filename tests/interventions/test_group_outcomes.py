"""Group outcomes (issue 13 item 3): every pupil on one page, each row checked on its own,
nothing half-saved; the same role and school boundaries as the register."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from school_tracker.calendar.terms import school_today
from school_tracker.extensions import db
from school_tracker.models import AuditEntry, Intervention, InterventionParticipant, Role
from school_tracker.records.attendance import attendance_by_participant
from tests.factories.interventions import make_intervention
from tests.factories.numeric_pages import HOSTILE_NUMBERS

TODAY = school_today()


@pytest.fixture
def group(app, make_school, make_user, make_pupil):
    """A group of three (scores 0 to 200, 20 planned sessions) led by Lena, and a TA."""
    school = make_school()
    lead = make_user(Role.STAFF, school=school, full_name="Lena Lead")
    pupils = [make_pupil(school, legal_surname=f"Pupil{n}") for n in range(3)]
    ident = make_intervention(app, school, lead, pupils)
    with app.app_context():
        parts = [(p.id, p.version_id) for p in db.session.get(Intervention, ident).participants]
    return {
        "school": school,
        "lead": lead,
        "ta": make_user(Role.STAFF, school=school),
        "id": ident,
        "parts": parts,
    }


def _outcomes(parts, **overrides) -> dict:
    data = {}
    for number, (part, version) in enumerate(parts):
        data |= {
            f"exit_score_{part}": str(100 + number),
            f"impact_{part}": "1",
            f"end_date_{part}": "",
            f"version_{part}": str(version),
        }
    data.update(overrides)
    return data


def _saved(app) -> list[tuple]:
    with app.app_context():
        return db.session.execute(
            sa.select(
                InterventionParticipant.exit_score,
                InterventionParticipant.sessions_before_register,
                InterventionParticipant.impact,
            ).order_by(InterventionParticipant.id)
        ).all()


def test_outcomes_for_the_whole_group_in_one_submission(app, client, auth, group):
    auth.login(group["lead"].email)
    page = client.get(f"/interventions/{group['id']}/outcomes").get_data(as_text=True)
    assert page.count('name="exit_score_') == 3
    response = client.post(f"/interventions/{group['id']}/outcomes", data=_outcomes(group["parts"]))
    assert response.status_code == 302
    assert [tuple(row) for row in _saved(app)] == [
        (100.0, None, 1),
        (101.0, None, 1),
        (102.0, None, 1),
    ]
    with app.app_context():
        audits = db.session.scalar(
            sa.select(sa.func.count(AuditEntry.id)).where(AuditEntry.action == "record_outcome")
        )
        assert audits == 3


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("exit_score", "250", "Scores on this measure are at most 200."),
        ("impact", "5", "Not a valid choice"),
        ("end_date", "2999-01-01", None),
    ],
)
def test_one_bad_row_saves_no_row_and_is_shown_beside_that_row(
    app, client, auth, group, field, value, message
):
    auth.login(group["lead"].email)
    bad = group["parts"][1][0]
    response = client.post(
        f"/interventions/{group['id']}/outcomes",
        data=_outcomes(group["parts"], **{f"{field}_{bad}": value}),
    )
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert f'id="{field}_{bad}-error"' in body
    if message:
        assert message in body
    assert [tuple(row) for row in _saved(app)] == [(None, None, None)] * 3


@pytest.mark.parametrize("value", HOSTILE_NUMBERS)
def test_hostile_numbers_in_any_row_are_form_errors(app, client, auth, group, value):
    auth.login(group["lead"].email)
    last = group["parts"][2][0]
    response = client.post(
        f"/interventions/{group['id']}/outcomes",
        data=_outcomes(group["parts"], **{f"exit_score_{last}": value}),
    )
    assert response.status_code == 200, value
    assert f'id="exit_score_{last}-error"' in response.get_data(as_text=True)
    assert [tuple(row) for row in _saved(app)] == [(None, None, None)] * 3


def test_a_stale_row_is_a_409_and_saves_nothing(app, client, auth, group):
    auth.login(group["lead"].email)
    first = group["parts"][0][0]
    response = client.post(
        f"/interventions/{group['id']}/outcomes",
        data=_outcomes(group["parts"], **{f"version_{first}": "99"}),
    )
    assert response.status_code == 409
    assert [tuple(row) for row in _saved(app)] == [(None, None, None)] * 3


def test_delivery_staff_record_outcomes(app, client, auth, group):
    auth.login(group["lead"].email)
    client.post(f"/interventions/{group['id']}/delivery", data={"user_ids": [group["ta"].id]})
    auth.logout()
    auth.login(group["ta"].email)
    response = client.post(f"/interventions/{group['id']}/outcomes", data=_outcomes(group["parts"]))
    assert response.status_code == 302
    assert _saved(app)[0][0] == 100.0


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("governor", 403),
        ("admin", 403),
        ("trust_leader", 403),
        ("other_staff", 404),
        ("other_school_leader", 404),
    ],
)
def test_outcome_boundaries(app, client, auth, group, make_user, make_school, who, expected):
    school = group["school"] if who != "other_school_leader" else make_school("elsewhere")
    role = {
        "governor": Role.GOVERNOR,
        "admin": Role.ADMIN,
        "trust_leader": Role.TRUST_LEADER,
        "other_staff": Role.STAFF,
        "other_school_leader": Role.LEADER,
    }[who]
    auth.login(make_user(role, school=school).email)
    assert client.get(f"/interventions/{group['id']}/outcomes").status_code == expected
    response = client.post(f"/interventions/{group['id']}/outcomes", data=_outcomes(group["parts"]))
    assert response.status_code == expected
    assert [tuple(row) for row in _saved(app)] == [(None, None, None)] * 3


def test_sessions_attended_come_from_the_register_and_are_not_typed(app, client, auth, group):
    """The page shows each pupil's register count; a typed number posted anyway changes nothing."""
    auth.login(group["lead"].email)
    first, second, third = (part for part, _ in group["parts"])
    register = {f"attendance_{first}": "present", f"attendance_{second}": "absent"}
    register |= {f"attendance_{third}": "present", "minutes": "30"}
    held = client.post(
        f"/interventions/{group['id']}/sessions/new",
        data={"held_on": (TODAY - timedelta(days=1)).isoformat(), **register},
    )
    assert held.status_code == 302
    page = client.get(f"/interventions/{group['id']}/outcomes").get_data(as_text=True)
    assert 'name="sessions_attended_' not in page
    assert page.count("1 of 1 on the register") == 2 and "0 of 1 on the register" in page
    typed = _outcomes(group["parts"], **{f"sessions_attended_{first}": "18"})
    assert client.post(f"/interventions/{group['id']}/outcomes", data=typed).status_code == 302
    with app.app_context():
        parts = db.session.get(Intervention, group["id"]).participants
        counted = attendance_by_participant(parts)
        assert [counted[part.id].attended for part in parts] == [1, 0, 1]
        assert all(part.sessions_before_register is None for part in parts)
