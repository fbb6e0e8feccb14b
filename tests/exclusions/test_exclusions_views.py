"""Suspension pages: leaders only, audited, validated, and surfaced on the pupil and home pages."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from school_tracker.calendar.terms import school_today
from school_tracker.exclusions import services
from school_tracker.extensions import db
from school_tracker.models import AuditEntry, Exclusion, ExclusionKind, Pupil, Role, User
from tests.conftest import AuthActions
from tests.factories.risk import reason_id, seed_reference

TODAY = school_today()


@pytest.fixture
def world(app, make_school, make_user, make_pupil):
    seed_reference(app)
    school = make_school()
    return {
        "school": school,
        "leader": make_user(Role.LEADER, school=school),
        "staff": make_user(Role.STAFF, school=school),
        "pupil": make_pupil(school, legal_surname="Achterberg", child_in_need=True),
    }


def _sign_in(client, user) -> None:
    assert AuthActions(client).login(user.email).status_code == 302


def _text(response) -> str:
    return response.get_data(as_text=True)


def _record(app, world, start: date, sessions: int, kind=ExclusionKind.SUSPENSION) -> int:
    with app.app_context():
        exclusion = services.record_exclusion(
            db.session.get(Pupil, world["pupil"].id),
            services.ExclusionData(
                kind=kind,
                start_date=start,
                sessions=sessions,
                reason_ids=[reason_id("VA")],
            ),
            by=db.session.get(User, world["leader"].id),
        )
        db.session.commit()
        return exclusion.id


def _form(app, **changes) -> dict:
    with app.app_context():
        reason = reason_id("DB")
    return {
        "kind": "suspension",
        "start_date": TODAY.isoformat(),
        "sessions": "4",
        "reason_1": str(reason),
        "reason_2": "",
        "reason_3": "",
        **changes,
    }


@pytest.mark.parametrize("role", [Role.STAFF, Role.ADMIN, Role.GOVERNOR, Role.TRUST_LEADER])
def test_only_leaders_reach_suspension_pages(app, client, world, make_user, role):
    exclusion_id = _record(app, world, TODAY, 2)
    _sign_in(client, make_user(role, school=world["school"]))
    pupil_id = world["pupil"].id
    for path in (
        "/exclusions/",
        "/exclusions/new",
        f"/exclusions/{exclusion_id}",
        f"/exclusions/{exclusion_id}/edit",
        f"/exclusions/pupils/{pupil_id}",
        f"/exclusions/pupils/{pupil_id}/new",
    ):
        assert client.get(path).status_code == 403, path
    assert client.post(f"/exclusions/pupils/{pupil_id}/new", data=_form(app)).status_code == 403
    if role is Role.STAFF:
        page = _text(client.get(f"/pupils/{pupil_id}"))
        assert "Suspension" not in page and "suspension" not in page


def test_another_schools_leader_gets_404(app, client, world, make_school, make_user):
    exclusion_id = _record(app, world, TODAY, 2)
    _sign_in(client, make_user(Role.LEADER, school=make_school("elsewhere")))
    assert client.get(f"/exclusions/{exclusion_id}").status_code == 404
    assert client.get(f"/exclusions/pupils/{world['pupil'].id}").status_code == 404
    assert client.get(f"/exclusions/pupils/{world['pupil'].id}/new").status_code == 404


def test_leader_records_and_sees_warnings_and_duties(app, client, world):
    _record(app, world, TODAY, 28)
    _sign_in(client, world["leader"])
    form_page = _text(client.get(f"/exclusions/pupils/{world['pupil'].id}/new"))
    assert "The pupil has a social worker" in form_page and "sixth" in form_page
    response = client.post(
        f"/exclusions/pupils/{world['pupil'].id}/new",
        data=_form(app, parents_notified="y", parents_notified_on=TODAY.isoformat()),
        follow_redirects=True,
    )
    body = _text(response)
    assert response.status_code == 200 and "Suspension recorded." in body
    assert "16 days of suspension in" in body and "reinstatement" in body
    with app.app_context():
        latest = db.session.scalars(sa.select(Exclusion).order_by(Exclusion.id.desc())).first()
        assert latest.parents_notified and latest.sessions == 4


def test_45_day_refusal_is_shown_beside_sessions_and_writes_nothing(app, client, world):
    _record(app, world, TODAY, 88)
    _sign_in(client, world["leader"])
    response = client.post(f"/exclusions/pupils/{world['pupil'].id}/new", data=_form(app))
    body = _text(response)
    assert response.status_code == 200
    assert "The legal maximum is 45 school days" in body and "1 day (2 sessions)" in body
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Exclusion.id))) == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"sessions": "0"}, "Give 1 to 90 sessions"),
        ({"sessions": "91"}, "Give 1 to 90 sessions"),
        ({"sessions": ""}, "Give the length of the suspension"),
        ({"reason_1": ""}, "Choose the main reason"),
        ({"reason_1": "999999"}, "Not a valid choice"),
        ({"start_date": "2024-02-30"}, "Not a valid date"),
        ({"parents_notified": "y"}, "Give the date of the notification"),
        ({"la_notified_on": TODAY.isoformat()}, "Tick this box too"),
        ({"kind": "expulsion"}, "Not a valid choice"),
    ],
)
def test_form_errors_write_nothing(app, client, world, changes, message):
    _sign_in(client, world["leader"])
    response = client.post(
        f"/exclusions/pupils/{world['pupil'].id}/new", data=_form(app, **changes)
    )
    assert response.status_code == 200 and message in _text(response)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Exclusion.id))) == 0


def test_detail_views_are_audited_and_pupil_page_shows_running_total(app, client, world):
    exclusion_id = _record(app, world, TODAY, 5)
    _record(app, world, TODAY, 2)
    _sign_in(client, world["leader"])
    assert client.get(f"/exclusions/{exclusion_id}").status_code == 200
    with app.app_context():
        views = db.session.scalars(
            sa.select(AuditEntry).where(
                AuditEntry.action == "view", AuditEntry.entity_type == "exclusion"
            )
        ).all()
        assert [(v.entity_id, v.pupil_id, v.changes) for v in views] == [
            (exclusion_id, world["pupil"].id, None)
        ]
    pupil_page = _text(client.get(f"/pupils/{world['pupil'].id}"))
    assert "3.5 days of suspension in" in pupil_page
    assert "Suspension: 2.5 days" in pupil_page
    history = _text(client.get(f"/exclusions/pupils/{world['pupil'].id}"))
    assert "3.5</strong> of 45" in history


@pytest.mark.requirement("R81")
def test_edit_cancel_and_stale_refusal(app, client, world):
    exclusion_id = _record(app, world, TODAY, 6)
    _sign_in(client, world["leader"])
    assert client.get(f"/exclusions/{exclusion_id}/edit").status_code == 200
    response = client.post(
        f"/exclusions/{exclusion_id}/edit", data=_form(app, sessions="8", version="1")
    )
    assert response.status_code == 302
    stale = client.post(
        f"/exclusions/{exclusion_id}/edit", data=_form(app, sessions="2", version="1")
    )
    assert stale.status_code == 409 and f"/exclusions/{exclusion_id}" in _text(stale)
    no_reason = client.post(f"/exclusions/{exclusion_id}/cancel", data={"version": "2"})
    assert no_reason.status_code == 302
    with app.app_context():
        assert db.session.get(Exclusion, exclusion_id).cancelled_on is None
    client.post(
        f"/exclusions/{exclusion_id}/cancel", data={"version": "2", "reason": "Head cancelled it"}
    )
    with app.app_context():
        row = db.session.get(Exclusion, exclusion_id)
        assert row.cancelled_on == TODAY and row.sessions == 8
    assert client.get(f"/exclusions/{exclusion_id}/edit").status_code == 404


def test_leader_home_lists_pupils_near_the_thresholds(app, client, world):
    _record(app, world, TODAY, 21)
    _sign_in(client, world["leader"])
    home = _text(client.get("/"))
    assert "Suspensions near the thresholds" in home
    assert "10.5 days this term" in home
    listing = _text(client.get("/exclusions/"))
    assert "Achterberg" in listing and "1 recorded in" in listing


def test_staff_home_has_no_suspension_panel(app, client, world):
    _record(app, world, TODAY, 30)
    _sign_in(client, world["staff"])
    assert "Suspensions near the thresholds" not in _text(client.get("/"))


def test_future_start_within_two_weeks_is_allowed(app, client, world):
    _sign_in(client, world["leader"])
    soon = (TODAY + timedelta(days=3)).isoformat()
    response = client.post(
        f"/exclusions/pupils/{world['pupil'].id}/new", data=_form(app, start_date=soon)
    )
    assert response.status_code == 302
