"""Admin › Class staff: assign staff to registration groups, audited, inside one school."""

import pytest
import sqlalchemy as sa

from school_tracker.admin.class_staff import ClassStaffError, assign_staff, remove_staff
from school_tracker.extensions import db
from school_tracker.models import AuditEntry, RegistrationGroupStaff, User
from tests.factories.accounts import signed_in


def _assignments(app, school_id: int) -> set[tuple[str, int]]:
    with app.app_context():
        rows = db.session.execute(
            sa.select(
                RegistrationGroupStaff.registration_group, RegistrationGroupStaff.user_id
            ).where(RegistrationGroupStaff.school_id == school_id)
        )
        return {(group, user_id) for group, user_id in rows}


def test_the_page_lists_every_group_on_roll_with_its_staff(app, class_world):
    body = signed_in(app, class_world.people["admin"]).get("/admin/class-staff")
    assert body.status_code == 200
    text = body.get_data(as_text=True)
    assert '<th scope="row">7B</th>' in text and '<th scope="row">8C</th>' in text
    assert "Tess Tutor" in text and "Rory River" not in text  # the other school's tutor
    assert text.index(">7B<") < text.index(">8C<")
    # Each group's picker offers this school's staff and leaders only.
    assert "Lena Leader" in text and "Adam Admin</option>" not in text
    assert "Gail Governor" not in text and "Rory River" not in text


def test_an_admin_adds_and_removes_a_member_of_staff(app, class_world):
    client = signed_in(app, class_world.people["admin"])
    other = class_world.people["other"]
    response = client.post(
        "/admin/class-staff", data={"registration_group": "8C", "user_id": other.id}
    )
    assert response.status_code == 302
    assert ("8C", other.id) in _assignments(app, class_world.school.id)
    assert "Omar Other now sees 8C" in client.get("/admin/class-staff").get_data(as_text=True)
    with app.app_context():
        assignment_id = db.session.scalar(
            sa.select(RegistrationGroupStaff.id).where(RegistrationGroupStaff.user_id == other.id)
        )
    assert client.post(f"/admin/class-staff/{assignment_id}/remove").status_code == 302
    assert ("8C", other.id) not in _assignments(app, class_world.school.id)
    with app.app_context():
        actions = db.session.execute(
            sa.select(AuditEntry.action, AuditEntry.entity_id, AuditEntry.changes)
            .where(AuditEntry.entity_type == "class_staff", AuditEntry.entity_id == assignment_id)
            .order_by(AuditEntry.id)
        ).all()
    assert [(a, c) for a, _, c in actions] == [
        ("assign", {"user_id": other.id}),
        ("remove", {"user_id": other.id}),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"registration_group": "9Z", "user": "other"}, "No pupil on roll is in this group"),
        ({"registration_group": "7B", "user": "tutor"}, "already assigned"),
        ({"registration_group": "7B", "user": "governor"}, "Not a valid choice"),
        ({"registration_group": "7B", "user": "river_staff"}, "Not a valid choice"),
        ({"registration_group": "7B", "user": ""}, "Choose a member of staff"),
        ({"registration_group": "7B", "user": "abc"}, "Not a valid choice"),
    ],
)
def test_refusals_are_shown_beside_the_groups_picker_and_save_nothing(
    app, class_world, data, message
):
    client = signed_in(app, class_world.people["admin"])
    who = data.pop("user")
    user_id = class_world.people[who].id if who in class_world.people else who
    before = _assignments(app, class_world.school.id)
    response = client.post("/admin/class-staff", data={**data, "user_id": user_id})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert message in body
    # Beside the group's picker; a group with no form on the page has it at the top instead.
    assert ('aria-invalid="true"' in body) is (data["registration_group"] == "7B")
    assert _assignments(app, class_world.school.id) == before


def test_a_group_that_has_lost_its_pupils_still_lists_its_staff_to_remove(app, class_world):
    with app.app_context():
        db.session.execute(
            sa.update(RegistrationGroupStaff)
            .where(RegistrationGroupStaff.id == class_world.ids["tutor_7b"])
            .values(registration_group="6Q")
        )
        db.session.commit()
    body = signed_in(app, class_world.people["admin"]).get("/admin/class-staff")
    text = body.get_data(as_text=True)
    assert '<th scope="row">6Q</th>' in text and "no longer on the roll" in text


@pytest.mark.requirement("R19")
def test_another_schools_assignment_is_not_found(app, class_world):
    with app.app_context():
        theirs = db.session.scalar(
            sa.select(RegistrationGroupStaff.id).where(
                RegistrationGroupStaff.school_id == class_world.other_school.id
            )
        )
    client = signed_in(app, class_world.people["admin"])
    assert client.post(f"/admin/class-staff/{theirs}/remove").status_code == 404
    assert len(_assignments(app, class_world.other_school.id)) == 1


@pytest.mark.parametrize("role", ["tutor", "leader", "governor"])
def test_only_admins_reach_the_page(app, class_world, role):
    client = signed_in(app, class_world.people[role])
    assert client.get("/admin/class-staff").status_code == 403
    assignment = class_world.ids["tutor_7b"]
    assert client.post(f"/admin/class-staff/{assignment}/remove").status_code == 403


def test_the_service_refuses_a_deactivated_account(app, class_world):
    with app.app_context():
        other = db.session.get_one(User, class_world.people["other"].id)
        other.active = False
        db.session.commit()
        admin = db.session.get_one(User, class_world.people["admin"].id)
        with pytest.raises(ClassStaffError) as refused:
            assign_staff(class_world.school.id, "8C", other.id, by=admin)
        assert refused.value.field == "user_id"
        db.session.rollback()


def test_removing_takes_the_group_off_my_class(app, class_world):
    with app.app_context():
        admin = db.session.get_one(User, class_world.people["admin"].id)
        remove_staff(
            db.session.get_one(RegistrationGroupStaff, class_world.ids["tutor_7b"]), by=admin
        )
        db.session.commit()
    body = signed_in(app, class_world.people["tutor"]).get("/pupils/my-class")
    assert 'id="no-class"' in body.get_data(as_text=True)
