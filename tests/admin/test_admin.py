"""Admins manage accounts in their own school; every change is audited."""

import re

import pytest

from school_tracker.extensions import db
from school_tracker.models import AuditEntry, Role, User


def _user(app, user_id) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


@pytest.mark.requirement("R9")
def test_create_user_shows_a_one_time_code_that_activates(app, client, login_as, make_school):
    school = make_school()
    login_as(Role.ADMIN, school=school)
    response = client.post(
        "/admin/users/new",
        data={"full_name": "Gardener Greg", "email": "Greg@Example.org", "role": "staff"},
    )
    assert response.status_code == 200
    code = re.search(r"font-monospace border[^>]*>([^<]+)<", response.get_data(as_text=True))[1]
    client.post("/logout")
    activate = client.post(
        "/activate",
        data={
            "email": "greg@example.org",
            "code": code,
            "password": "marble-otter-lantern-9",
            "confirm": "marble-otter-lantern-9",
        },
    )
    assert activate.status_code == 302
    assert "Gardener Greg" in client.get("/").get_data(as_text=True)
    client.post("/logout")
    again = client.post(
        "/activate",
        data={
            "email": "greg@example.org",
            "code": code,
            "password": "another-otter-lantern-9",
            "confirm": "another-otter-lantern-9",
        },
    )
    assert "not valid" in again.get_data(as_text=True)


@pytest.mark.requirement("R3")
def test_activation_refuses_weak_password(client, login_as, make_school):
    login_as(Role.ADMIN, school=make_school())
    page = client.post(
        "/admin/users/new",
        data={"full_name": "Pat Weak", "email": "pat@example.org", "role": "staff"},
    ).get_data(as_text=True)
    code = re.search(r"font-monospace border[^>]*>([^<]+)<", page)[1]
    client.post("/logout")
    response = client.post(
        "/activate",
        data={
            "email": "pat@example.org",
            "code": code,
            "password": "password1234",
            "confirm": "password1234",
        },
    )
    assert response.status_code == 200
    assert "common password" in response.get_data(as_text=True)


def test_duplicate_email_is_refused_by_name(client, login_as, make_school, make_user):
    school = make_school()
    existing = make_user(Role.STAFF, school=school)
    login_as(Role.ADMIN, school=school)
    response = client.post(
        "/admin/users/new",
        data={"full_name": "Twin", "email": existing.email.upper(), "role": "staff"},
    )
    assert f"An account with the e-mail {existing.email} already exists" in response.get_data(
        as_text=True
    )


def test_unknown_role_is_refused(client, login_as, make_school):
    login_as(Role.ADMIN, school=make_school())
    response = client.post(
        "/admin/users/new",
        data={"full_name": "Max", "email": "max@example.org", "role": "superuser"},
    )
    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)


@pytest.mark.requirement("R26")
def test_change_role_ends_sessions_and_is_audited(app, client, login_as, make_school, make_user):
    school = make_school()
    member = make_user(Role.STAFF, school=school)
    admin = login_as(Role.ADMIN, school=school)
    before = _user(app, member.id).session_token
    client.post(f"/admin/users/{member.id}/role", data={"role": "leader"})
    after = _user(app, member.id)
    assert after.role is Role.LEADER and after.session_token != before
    with app.app_context():
        entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "change_role"))
        assert entry.actor_id == admin.id and entry.changes == {"role": ["staff", "leader"]}


@pytest.mark.requirement("R11")
def test_deactivate_signs_the_user_out_everywhere(app, login_as, make_school, make_user, auth):
    school = make_school()
    member = make_user(Role.STAFF, school=school)
    member_client = app.test_client()
    member_client.post(
        "/login", data={"email": member.email, "password": "violet-harbour-engine-42"}
    )
    assert member_client.get("/").status_code == 200
    admin_client = app.test_client()
    admin = make_user(Role.ADMIN, school=school)
    admin_client.post("/login", data={"email": admin.email, "password": "violet-harbour-engine-42"})
    admin_client.post(f"/admin/users/{member.id}/deactivate")
    assert member_client.get("/").status_code == 302
    assert not _user(app, member.id).active


@pytest.mark.requirement("R16")
def test_admin_end_sessions(app, make_school, make_user):
    school = make_school()
    member = make_user(Role.STAFF, school=school)
    member_client = app.test_client()
    member_client.post(
        "/login", data={"email": member.email, "password": "violet-harbour-engine-42"}
    )
    admin = make_user(Role.ADMIN, school=school)
    admin_client = app.test_client()
    admin_client.post("/login", data={"email": admin.email, "password": "violet-harbour-engine-42"})
    admin_client.post(f"/admin/users/{member.id}/end-sessions")
    assert member_client.get("/").status_code == 302
    assert _user(app, member.id).active


def test_last_admin_cannot_be_removed(app, client, login_as, make_school, make_user):
    school = make_school()
    admin = login_as(Role.ADMIN, school=school)
    body = client.post(f"/admin/users/{admin.id}/deactivate", follow_redirects=True).get_data(
        as_text=True
    )
    assert "can&#39;t deactivate your own account" in body
    body = client.post(
        f"/admin/users/{admin.id}/role", data={"role": "staff"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "can&#39;t change your own role" in body
    assert _user(app, admin.id).role is Role.ADMIN


@pytest.mark.requirement("R20", "R23")
def test_mass_assignment_fields_are_ignored(app, client, login_as, make_school):
    mine, theirs = make_school("mine"), make_school("theirs")
    login_as(Role.ADMIN, school=mine)
    client.post(
        "/admin/users/new",
        data={
            "full_name": "Extra Fields",
            "email": "extra@example.org",
            "role": "staff",
            "school_id": str(theirs.id),
            "active": "false",
            "session_token": "x",
            "id": "999",
        },
    )
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == "extra@example.org"))
        assert (user.school_id, user.active, user.id != 999) == (mine.id, True, True)


def test_audit_log_lists_this_schools_entries_only(client, login_as, make_school, make_user):
    mine, theirs = make_school("mine"), make_school("theirs")
    outsider = make_user(Role.STAFF, school=theirs, full_name="Outsider Olga")
    other_client = client.application.test_client()
    other_client.post(
        "/login", data={"email": outsider.email, "password": "violet-harbour-engine-42"}
    )
    login_as(Role.LEADER, school=mine)
    body = client.get("/audit/").get_data(as_text=True)
    assert "login" in body and "Outsider Olga" not in body


@pytest.mark.requirement("R16")
def test_sign_everyone_out(app, make_school, make_user):
    school = make_school()
    members = [make_user(Role.STAFF, school=school) for _ in range(3)]
    clients = []
    for member in members:
        c = app.test_client()
        c.post("/login", data={"email": member.email, "password": "violet-harbour-engine-42"})
        clients.append(c)
    admin = make_user(Role.ADMIN, school=school)
    admin_client = app.test_client()
    admin_client.post("/login", data={"email": admin.email, "password": "violet-harbour-engine-42"})
    response = admin_client.post("/admin/users/end-all-sessions")
    assert response.status_code == 302
    assert all(c.get("/").status_code == 302 for c in clients)
    assert admin_client.get("/").status_code == 302


@pytest.mark.requirement("R62")
def test_who_accessed_a_pupil(app, client, make_school, make_user, make_pupil):
    school = make_school()
    pupil = make_pupil(school)
    teacher = make_user(Role.STAFF, school=school, full_name="Viewing Teacher")
    viewer = app.test_client()
    viewer.post("/login", data={"email": teacher.email, "password": "violet-harbour-engine-42"})
    viewer.get(f"/pupils/{pupil.id}")
    assert viewer.get(f"/pupils/{pupil.id}/access").status_code == 403
    leader = make_user(Role.LEADER, school=school)
    client.post("/login", data={"email": leader.email, "password": "violet-harbour-engine-42"})
    body = client.get(f"/pupils/{pupil.id}/access").get_data(as_text=True)
    assert "Viewing Teacher" in body and "view" in body
