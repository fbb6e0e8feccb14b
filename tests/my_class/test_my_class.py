"""`/pupils/my-class`: a tutor's own pupils, their needs, provision and kindness; flags only
where risk's rule lets this person see them (issue 13 item 6)."""

import re

import pytest
import sqlalchemy as sa

from school_tracker.extensions import db
from school_tracker.models import AuditEntry, Pupil, User
from school_tracker.pupils.my_class import my_class
from tests.factories.accounts import signed_in
from tests.my_class.conftest import SECRET, _assign


def _page(app, user) -> str:
    response = signed_in(app, user).get("/pupils/my-class")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _row(body: str, surname: str) -> str:
    """The table row of one pupil (from its opening <tr> to the next)."""
    match = re.search(rf"<tr>\s*<th scope=\"row\"><a[^>]*>{surname},.*?</tr>", body, re.DOTALL)
    assert match, surname
    return match.group(0)


def test_a_tutor_sees_their_groups_pupils_on_roll_and_no_one_else(app, class_world):
    body = _page(app, class_world.people["tutor"])
    assert "Apple, Ada" in body and "Birch, Ben" in body
    assert "Cedar" not in body  # 8C is not theirs
    assert "Left, Lou" not in body  # left the school
    assert "Zinc" not in body  # the other school's 7B
    assert f'href="/pupils/{class_world.pupils["ada"]}"' in body


def test_each_pupil_shows_needs_provision_and_kindness_but_no_notes(app, class_world):
    body = _page(app, class_world.people["tutor"])
    ada, ben = _row(body, "Apple"), _row(body, "Birch")
    assert "SEN support" in ada and "Pupil premium" in ada
    assert "EAL" in ben and "Young carer" in ben
    assert class_world.type_name in ada and "Omar Other" in ada  # what, and who leads it
    assert "Staff mentor" in ada
    # This term's two shown moments: the hidden one and last term's are not counted.
    assert "2 moments" in ada and "Patience, Friendship" in ada
    assert "None yet" in ben
    assert SECRET not in body and "Mrs Kind" not in body


def test_staff_see_only_the_flags_that_name_them(app, class_world):
    body = _page(app, class_world.people["tutor"])
    assert f'href="/risk/{class_world.ids["flag_tutor"]}"' in _row(body, "Apple")
    assert f'href="/risk/{class_world.ids["flag_other"]}"' not in body
    assert "risk" not in _row(body, "Birch").lower()


def test_a_leader_assigned_to_the_group_sees_every_live_flag(app, class_world):
    leader = class_world.people["leader"]
    _assign(app, class_world.school, "7B", leader, class_world.people["admin"])
    body = _page(app, leader)
    assert f'href="/risk/{class_world.ids["flag_tutor"]}"' in body
    assert f'href="/risk/{class_world.ids["flag_other"]}"' in _row(body, "Birch")
    assert "Risk flags</th>" in body


def test_staff_named_on_no_flag_get_no_flag_column(app, class_world):
    other = class_world.people["other"]
    _assign(app, class_world.school, "8C", other, class_world.people["admin"])
    body = _page(app, other)
    assert "Cedar, Cy" in body and "Risk flags</th>" not in body


def test_someone_with_no_group_is_told_how_to_get_one(app, class_world):
    body = _page(app, class_world.people["other"])
    assert 'id="no-class"' in body and "Class staff" in body and "Tutor" in body
    assert "Apple" not in body


@pytest.mark.parametrize("role", ["admin", "governor"])
def test_admins_and_governors_are_refused(app, class_world, role):
    client = signed_in(app, class_world.people[role])
    assert client.get("/pupils/my-class").status_code == 403
    assert "My class" not in client.get("/").get_data(as_text=True)


def test_staff_have_the_nav_link(app, class_world):
    body = signed_in(app, class_world.people["tutor"]).get("/").get_data(as_text=True)
    assert 'href="/pupils/my-class"' in body


def test_viewing_the_class_is_audited_by_count_only(app, class_world):
    _page(app, class_world.people["tutor"])
    with app.app_context():
        entry = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.entity_type == "my_class")
        ).one()
        assert entry.actor_id == class_world.people["tutor"].id
        assert entry.changes == {"pupils": 2}


def _statements(app, user_id: int) -> int:
    """How many SQL statements building one person's class takes."""
    seen: list[str] = []
    with app.app_context():
        user = db.session.get_one(User, user_id)

        def count(conn, cursor, statement, *args) -> None:
            seen.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            found = my_class(user)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
        assert found.pupils
        return len(seen)


def test_the_number_of_queries_does_not_grow_with_the_class(app, class_world, make_pupil):
    tutor_id = class_world.people["tutor"].id
    small = _statements(app, tutor_id)
    for n in range(25):
        make_pupil(class_world.school, registration_group="7B", legal_surname=f"Extra{n}")
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count(Pupil.id)).where(Pupil.registration_group == "7B")
            )
            == 29
        )
    assert _statements(app, tutor_id) == small <= 8, small  # term, groups, pupils + 5


@pytest.mark.requirement("R19")
def test_another_schools_tutor_of_a_group_with_the_same_name_sees_only_their_own(app, class_world):
    body = _page(app, class_world.people["river_staff"])
    assert "Zinc, Zed" in body
    assert "Apple" not in body and "Birch" not in body
    assert f"/risk/{class_world.ids['flag_tutor']}" not in body


def test_a_tutors_home_page_links_to_their_class(app, class_world):
    body = signed_in(app, class_world.people["tutor"]).get("/").get_data(as_text=True)
    assert ">My class</h2>" in body and "7B: 2 pupils" in body
    other = signed_in(app, class_world.people["other"]).get("/").get_data(as_text=True)
    assert ">My class</h2>" not in other  # no group, no empty panel
