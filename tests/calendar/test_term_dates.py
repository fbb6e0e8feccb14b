"""Admins set their school's term dates; reports bucket by them."""

from datetime import date

import pytest

from school_tracker.calendar.term_dates import calendar_for
from school_tracker.extensions import db
from school_tracker.models import AuditEntry, Role


@pytest.mark.requirement("R86")
def test_admin_sets_and_resets_term_dates(app, client, login_as, make_school):
    school = make_school()
    login_as(Role.ADMIN, school=school)
    page = client.get("/admin/terms").get_data(as_text=True)
    assert "Default" in page
    response = client.post(
        "/admin/terms/autumn-2026", data={"starts_on": "2026-09-02", "ends_on": "2026-12-18"}
    )
    assert response.status_code == 302
    with app.app_context():
        calendar = calendar_for(school.id)
        assert calendar.term("autumn-2026").starts_on == date(2026, 9, 2)
        assert calendar.term_for(date(2026, 12, 24)).key == "autumn-2026"
        assert (
            db.session.scalar(
                db.select(AuditEntry.action).where(AuditEntry.action == "set_term_dates")
            )
            == "set_term_dates"
        )
    client.post("/admin/terms/autumn-2026/reset")
    with app.app_context():
        assert calendar_for(school.id).term("autumn-2026").starts_on == date(2026, 8, 1)


def test_bad_term_dates_get_messages_and_change_nothing(app, client, login_as, make_school):
    school = make_school()
    login_as(Role.ADMIN, school=school)
    cases = [
        ({"starts_on": "2026-12-18", "ends_on": "2026-09-02"}, "can&#39;t end before it starts"),
        ({"starts_on": "2026-07-01", "ends_on": "2026-12-18"}, "overlaps the Summer 2026 term"),
        ({"starts_on": "2026-09-02", "ends_on": "2027-01-10"}, "overlaps the Spring 2027 term"),
        ({"starts_on": "2029-09-02", "ends_on": "2029-12-10"}, "too far"),
        ({"starts_on": "31/02/2026", "ends_on": "2026-12-10"}, "Not a valid date"),
    ]
    for data, message in cases:
        body = client.post("/admin/terms/autumn-2026", data=data).get_data(as_text=True)
        assert message in body, message
    with app.app_context():
        assert not calendar_for(school.id).has_own_dates("autumn-2026")


def test_term_pages_are_admin_only_and_keys_checked(client, login_as, make_school):
    login_as(Role.LEADER, school=make_school())
    assert client.get("/admin/terms").status_code == 403
    client.post("/logout")
    login_as(Role.ADMIN, school=make_school("other"))
    assert client.get("/admin/terms/winter-2026").status_code == 404


def test_each_school_keeps_its_own_dates(app, client, login_as, make_school):
    mine, theirs = make_school("mine"), make_school("theirs")
    login_as(Role.ADMIN, school=mine)
    client.post(
        "/admin/terms/autumn-2026", data={"starts_on": "2026-09-03", "ends_on": "2026-12-17"}
    )
    with app.app_context():
        assert not calendar_for(theirs.id).has_own_dates("autumn-2026")
        assert calendar_for(mine.id).has_own_dates("autumn-2026")
