"""The school's name and head teacher: admins set them, letters print them."""

import sqlalchemy as sa

from school_tracker.extensions import db
from school_tracker.models import AuditEntry, Role, School
from tests.conftest import AuthActions


def _client(app, user):
    client = app.test_client()
    assert AuthActions(client).login(user.email).status_code == 302
    return client


def test_an_admin_sets_the_head_teacher_and_a_bad_name_is_refused(app, make_school, make_user):
    school = make_school()
    admin = _client(app, make_user(Role.ADMIN, school=school))
    page = admin.get("/admin/school")
    assert page.status_code == 200 and "Oakfield Primary" in page.get_data(as_text=True)
    refused = admin.post("/admin/school", data={"name": "", "head_teacher": "Mr \u202eX"})
    body = refused.get_data(as_text=True)
    assert "Give the school&#39;s name." in body and "hidden or direction-changing" in body
    saved = admin.post("/admin/school", data={"name": "Oakfield", "head_teacher": "Mrs A Patel"})
    assert saved.status_code == 302
    with app.app_context():
        row = db.session.get_one(School, school.id)
        assert (row.name, row.head_teacher) == ("Oakfield", "Mrs A Patel")
        entry = db.session.scalar(
            sa.select(AuditEntry).where(AuditEntry.entity_type == "school_settings")
        )
        assert entry.changes == {"name": "changed", "head_teacher": "changed"}


def test_only_admins_change_school_settings(app, make_school, make_user):
    school = make_school()
    for role in (Role.LEADER, Role.STAFF, Role.GOVERNOR):
        client = _client(app, make_user(role, school=school))
        assert client.get("/admin/school").status_code == 403
        assert client.post("/admin/school", data={"name": "X"}).status_code == 403
