"""The session register and delivery staff (issue 13 items 1 and 2): rules, roles, boundaries."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from school_tracker.calendar.terms import school_today
from school_tracker.extensions import db
from school_tracker.models import (
    Alert,
    AlertKind,
    AuditEntry,
    Intervention,
    InterventionDeliverer,
    InterventionParticipant,
    InterventionSession,
    Role,
    SessionAttendance,
    User,
)
from tests.factories.interventions import MARKER, make_intervention

TODAY = school_today()


@pytest.fixture
def group(app, make_school, make_user, make_pupil):
    """A group of three led by Lena, a TA who will deliver it, and a leader."""
    school = make_school()
    lead = make_user(Role.STAFF, school=school, full_name="Lena Lead")
    pupils = [make_pupil(school, legal_surname=f"Pupil{n}") for n in range(3)]
    ident = make_intervention(app, school, lead, pupils)
    with app.app_context():
        parts = [p.id for p in db.session.get(Intervention, ident).participants]
    return {
        "school": school,
        "lead": lead,
        "ta": make_user(Role.STAFF, school=school, full_name="Tia Assistant"),
        "leader": make_user(Role.LEADER, school=school),
        "pupils": pupils,
        "id": ident,
        "parts": parts,
    }


def _register(parts: list[int], *, absent: dict[int, str] | None = None, **overrides) -> dict:
    data = {"held_on": TODAY.isoformat(), "minutes": "30", "note": "Calm start."}
    for part in parts:
        data[f"attendance_{part}"] = "absent" if part in (absent or {}) else "present"
        data[f"reason_{part}"] = (absent or {}).get(part, "")
        data[f"note_{part}"] = ""
    data.update(overrides)
    return data


def _add_ta(client, auth, group) -> None:
    auth.login(group["lead"].email)
    response = client.post(
        f"/interventions/{group['id']}/delivery", data={"user_ids": [group["ta"].id]}
    )
    assert response.status_code == 302
    auth.logout()


def test_lead_records_a_session_with_one_absence(app, client, auth, group):
    auth.login(group["lead"].email)
    page = client.get(f"/interventions/{group['id']}/sessions/new").get_data(as_text=True)
    checked = re.findall(r'<input checked[^>]*value="present"', page)
    assert len(checked) == 3  # everyone present by default
    first = group["parts"][0]
    response = client.post(
        f"/interventions/{group['id']}/sessions/new",
        data=_register(group["parts"], absent={first: "Dentist"}),
    )
    assert response.status_code == 302
    with app.app_context():
        session = db.session.scalar(sa.select(InterventionSession))
        assert (session.minutes, session.held_on, session.present_count) == (30, TODAY, 2)
        absent = [row for row in session.attendance if not row.present]
        assert [(row.participant_id, row.absence_reason) for row in absent] == [(first, "Dentist")]
        audit = db.session.scalar(
            sa.select(AuditEntry).where(AuditEntry.action == "record_session")
        )
        assert audit.changes["present"] == 2 and "Dentist" not in str(audit.changes)
    detail = client.get(f"/interventions/{group['id']}").get_data(as_text=True)
    assert "2 of 3" in detail and "Dentist" in detail


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"minutes": "0"}, "A session lasts 1 to 480 minutes."),
        ({"minutes": "abc"}, "Enter a whole number"),
        ({"held_on": (TODAY + timedelta(days=1)).isoformat()}, "before it happens"),
        ({"held_on": (TODAY - timedelta(days=300)).isoformat()}, "before the intervention"),
        ({"reason_X": "x" * 201}, "Field cannot be longer than 200"),
    ],
)
def test_a_refused_register_saves_nothing(app, client, auth, group, changes, message):
    auth.login(group["lead"].email)
    if "reason_X" in changes:
        changes = {f"reason_{group['parts'][1]}": changes["reason_X"]}
    response = client.post(
        f"/interventions/{group['id']}/sessions/new", data=_register(group["parts"], **changes)
    )
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(InterventionSession.id))) == 0
        assert db.session.scalar(sa.select(sa.func.count(SessionAttendance.id))) == 0


def test_the_register_lists_only_pupils_taking_part_on_its_date(app, client, auth, group):
    late = group["parts"][2]
    with app.app_context():
        part = db.session.get(InterventionParticipant, late)
        part.start_date = TODAY - timedelta(days=2)
        db.session.commit()
    auth.login(group["lead"].email)
    earlier = (TODAY - timedelta(days=5)).isoformat()
    page = client.get(f"/interventions/{group['id']}/sessions/new?on={earlier}")
    assert f"attendance_{late}" not in page.get_data(as_text=True)
    response = client.post(
        f"/interventions/{group['id']}/sessions/new",
        data=_register(group["parts"][:2], held_on=earlier),
    )
    assert response.status_code == 302
    with app.app_context():
        rows = db.session.scalars(sa.select(SessionAttendance.participant_id)).all()
        assert sorted(rows) == sorted(group["parts"][:2])


def test_delivery_staff_open_it_keep_its_register_but_not_its_plan(app, client, auth, group):
    auth.login(group["ta"].email)
    assert client.get(f"/interventions/{group['id']}").status_code == 404  # not yet
    auth.logout()
    _add_ta(client, auth, group)
    with app.app_context():
        alert = db.session.scalar(sa.select(Alert).where(Alert.recipient_id == group["ta"].id))
        assert alert.kind is AlertKind.INTERVENTION_DELIVERY
        assert alert.record_id == group["id"]
    auth.login(group["ta"].email)
    page = client.get(f"/interventions/{group['id']}").get_data(as_text=True)
    assert MARKER in page and "Record a session" in page and "Edit the plan" not in page
    assert f"/interventions/{group['id']}" in client.get("/interventions/").get_data(as_text=True)
    response = client.post(
        f"/interventions/{group['id']}/sessions/new", data=_register(group["parts"])
    )
    assert response.status_code == 302
    ident, part = group["id"], group["parts"][0]
    for page in (
        f"/interventions/{ident}/edit",
        f"/interventions/{ident}/delivery",
        f"/interventions/{ident}/pupils/new",
        f"/interventions/{ident}/pupils/{part}/edit",
        f"/interventions/{ident}/pupils/{part}/withdraw",
    ):
        assert client.get(page).status_code == 403, page
    assert (
        client.post(f"/interventions/{ident}/status", data={"status": "active"}).status_code == 403
    )
    with app.app_context():
        assert db.session.get(Intervention, ident).status.value == "planned"


def test_removing_delivery_staff_closes_it_to_them(app, client, auth, group):
    _add_ta(client, auth, group)
    auth.login(group["leader"].email)
    assert client.post(f"/interventions/{group['id']}/delivery", data={}).status_code == 302
    auth.logout()
    auth.login(group["ta"].email)
    assert client.get(f"/interventions/{group['id']}").status_code == 404
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(InterventionDeliverer)) == 0


def test_delivery_staff_must_be_staff_of_this_school(
    app, client, auth, group, make_user, make_school
):
    stranger = make_user(Role.STAFF, school=make_school("elsewhere"))
    governor = make_user(Role.GOVERNOR, school=group["school"])
    auth.login(group["lead"].email)
    for user in (stranger, governor):
        response = client.post(
            f"/interventions/{group['id']}/delivery", data={"user_ids": [user.id]}
        )
        assert response.status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(InterventionDeliverer)) == 0


@pytest.mark.parametrize(
    ("who", "expected"),
    [("governor", 403), ("admin", 403), ("other_staff", 404), ("other_school_leader", 404)],
)
def test_register_and_delivery_boundaries(
    app, client, auth, group, make_user, make_school, who, expected
):
    users = {
        "governor": lambda: make_user(Role.GOVERNOR, school=group["school"]),
        "admin": lambda: make_user(Role.ADMIN, school=group["school"]),
        "other_staff": lambda: make_user(Role.STAFF, school=group["school"]),
        "other_school_leader": lambda: make_user(Role.LEADER, school=make_school("elsewhere")),
    }
    user: User = users[who]()
    auth.login(user.email)
    for page in (
        f"/interventions/{group['id']}/sessions/new",
        f"/interventions/{group['id']}/delivery",
    ):
        assert client.get(page).status_code == expected, page
    response = client.post(
        f"/interventions/{group['id']}/sessions/new", data=_register(group["parts"])
    )
    assert response.status_code == expected
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(InterventionSession.id))) == 0
