"""Kindness pages: the wall (first names only), recording, hiding, permissions and timeline."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from school_tracker.extensions import db
from school_tracker.models import KindnessMoment, KindnessValue, Role
from tests.factories.mentoring import TODAY, audit_entries, make_moment


@pytest.fixture
def teacher(make_user, school):
    return make_user(Role.STAFF, school=school, full_name="Tess Teacher")


@pytest.fixture
def leader(make_user, school):
    return make_user(Role.LEADER, school=school)


@pytest.fixture
def pupil(make_pupil, school):
    return make_pupil(
        school, legal_surname="Zabłocka", legal_forename="Aleksandra", preferred_forename="Ola"
    )


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count(KindnessMoment.id)))


PAGES = {
    "/kindness/wall": {Role.STAFF, Role.LEADER, Role.ADMIN},
    "/kindness/": {Role.STAFF, Role.LEADER},
    "/kindness/new": {Role.STAFF, Role.LEADER},
}


@pytest.mark.parametrize("path", list(PAGES))
@pytest.mark.parametrize("role", list(Role))
def test_role_page_matrix(login_as, client, school, role, path):
    login_as(role, school=school)
    assert client.get(path).status_code == (200 if role in PAGES[path] else 403)


def test_wall_shows_first_names_only_and_counts_values(
    app, client, auth, school, teacher, pupil, make_pupil
):
    friend = make_pupil(school, legal_surname="Okonkwo", legal_forename="Chidi")
    make_moment(
        app,
        school.id,
        teacher,
        giver=pupil,
        receiver=friend,
        values=(KindnessValue.PATIENCE, KindnessValue.FRIENDSHIP),
        description="Waited for a friend <b>kindly</b>.",
    )
    make_moment(app, school.id, teacher, giver_name="Mrs Clarke", values=(KindnessValue.PATIENCE,))
    auth.login(teacher.email)
    body = client.get("/kindness/wall").get_data(as_text=True)
    assert "Ola was kind to Chidi" in body and "Mrs Clarke was kind" in body
    for private in ("Zabłocka", "Aleksandra", "Okonkwo"):
        assert private not in body
    assert "&lt;b&gt;kindly&lt;/b&gt;" in body
    assert '<th scope="row" class="fw-normal">Patience</th><td class="text-end">2</td>' in body
    assert '<th scope="row" class="fw-normal">Creativity</th><td class="text-end">0</td>' in body


def test_wall_leaves_out_hidden_old_and_other_schools_moments(
    app, client, auth, make_school, make_user, school, teacher, leader, pupil
):
    make_moment(app, school.id, teacher, description="Recent and shown.")
    hidden = make_moment(app, school.id, teacher, description="Hidden one.")
    make_moment(
        app, school.id, teacher, description="Too old.", occurred_on=TODAY - timedelta(days=61)
    )
    elsewhere = make_school("elsewhere")
    make_moment(
        app, elsewhere.id, make_user(Role.STAFF, school=elsewhere), description="Other school."
    )
    auth.login(leader.email)
    client.post(f"/kindness/{hidden}/hide", data={"reason": "Not for the wall", "version": "1"})
    body = client.get("/kindness/wall").get_data(as_text=True)
    assert "Recent and shown." in body
    for absent in ("Hidden one.", "Too old.", "Other school."):
        assert absent not in body


def test_wall_paginates(app, client, auth, school, teacher):
    for n in range(26):
        make_moment(app, school.id, teacher, description=f"Moment number {n:02d}.")
    auth.login(teacher.email)
    first = client.get("/kindness/wall").get_data(as_text=True)
    second = client.get("/kindness/wall?page=2").get_data(as_text=True)
    assert first.count("Moment number") == 24 and second.count("Moment number") == 2
    assert 'aria-label="Kindness wall pages"' in first


def test_record_through_the_form(app, client, auth, school, teacher, pupil):
    auth.login(teacher.email)
    response = client.post(
        "/kindness/new",
        data={
            "giver_kind": "pupil",
            "giver_pupils": str(pupil.id),
            "giver_name": "",
            "receiver_pupil": "",
            "receiver_name": "the Reception class",
            "description": "Read stories to the little ones at wet play.",
            "values": ["patience", "creativity"],
            "occurred_on": TODAY.isoformat(),
            "priorities": ["P1"],
        },
    )
    assert response.status_code == 302
    assert "Thank you for noticing" in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    assert "Ola was kind to the Reception class" in client.get("/kindness/wall").get_data(
        as_text=True
    )
    with app.app_context():
        moment = db.session.scalar(sa.select(KindnessMoment))
        assert moment.values == [KindnessValue.PATIENCE, KindnessValue.CREATIVITY]


def _form(pupil, **overrides):
    data = {
        "giver_kind": "pupil",
        "giver_pupils": str(pupil.id),
        "receiver_pupil": "",
        "receiver_name": "",
        "description": "Shared their lunch.",
        "values": ["friendship"],
        "occurred_on": TODAY.isoformat(),
        "priorities": ["P1"],
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"values": []}, "Choose at least one value."),
        ({"values": ["greed"]}, "not a valid choice"),
        ({"occurred_on": (TODAY + timedelta(days=1)).isoformat()}, "can&#39;t be in the future"),
        ({"occurred_on": "yesterday"}, "Not a valid date"),
        ({"description": "a\x00b"}, "control characters"),
        ({"description": "x" * 2001}, "2000"),
        ({"description": ""}, "Say what happened."),
        ({"giver_pupils": []}, "Choose the pupils who were kind, or a whole registration group."),
        ({"giver_kind": "staff"}, "Give the name of the person who was kind."),
        ({"receiver_name": "Sam", "receiver_pupil": "SELF"}, "not both"),
        ({"receiver_pupil": "SELF"}, "someone other than the kind pupils"),
        ({"priorities": []}, "Link at least one priority."),
    ],
)
def test_form_errors_write_nothing(app, client, auth, teacher, pupil, overrides, message):
    overrides = {k: str(pupil.id) if v == "SELF" else v for k, v in overrides.items()}
    auth.login(teacher.email)
    response = client.post("/kindness/new", data=_form(pupil, **overrides))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert _count() == 0


def test_tampered_pupil_from_another_school_is_a_form_error(
    app, client, auth, make_school, make_pupil, teacher, pupil
):
    stranger = make_pupil(make_school("elsewhere"))
    auth.login(teacher.email)
    for field in ("giver_pupils", "receiver_pupil", "giver_group"):
        response = client.post("/kindness/new", data=_form(pupil, **{field: str(stranger.id)}))
        assert "not a valid choice" in response.get_data(as_text=True).lower()
    with app.app_context():
        assert _count() == 0


def test_leader_hides_with_a_reason_and_can_show_again(app, client, auth, school, teacher, leader):
    moment_id = make_moment(app, school.id, teacher, description="A moment to hide.")
    auth.login(leader.email)
    assert client.get(f"/kindness/{moment_id}/hide").status_code == 200
    empty = client.post(f"/kindness/{moment_id}/hide", data={"reason": "", "version": "1"})
    assert "Say why it should not be shown." in empty.get_data(as_text=True)
    response = client.post(
        f"/kindness/{moment_id}/hide", data={"reason": "Names a sibling", "version": "1"}
    )
    assert response.status_code == 302
    detail = client.get(f"/kindness/{moment_id}").get_data(as_text=True)
    assert "Hidden from the wall" in detail and "Names a sibling" in detail
    hidden_list = client.get("/kindness/?show=hidden").get_data(as_text=True)
    assert f"/kindness/{moment_id}" in hidden_list
    assert client.post(f"/kindness/{moment_id}/show", data={"version": "1"}).status_code == 409
    assert client.post(f"/kindness/{moment_id}/show", data={"version": "2"}).status_code == 302
    assert "A moment to hide." in client.get("/kindness/wall").get_data(as_text=True)
    with app.app_context():
        actions = [e.action for e in audit_entries("kindness_moment", moment_id)]
        assert actions == ["create", "hide", "unhide"]


def test_staff_cannot_hide_and_hidden_moments_are_only_for_leaders_and_the_recorder(
    app, client, auth, make_user, school, teacher, leader, pupil
):
    moment_id = make_moment(app, school.id, teacher, giver=pupil, description="Hidden text.")
    colleague = make_user(Role.STAFF, school=school)
    auth.login(colleague.email)
    assert client.get(f"/kindness/{moment_id}").status_code == 200
    assert client.get(f"/kindness/{moment_id}/edit").status_code == 403
    assert client.post(f"/kindness/{moment_id}/hide", data={"reason": "x"}).status_code == 403
    auth.logout()
    auth.login(leader.email)
    client.post(f"/kindness/{moment_id}/hide", data={"reason": "Private", "version": "1"})
    auth.logout()
    auth.login(colleague.email)
    assert client.get(f"/kindness/{moment_id}").status_code == 404
    assert "Was kind" not in client.get(f"/pupils/{pupil.id}").get_data(as_text=True)
    auth.logout()
    auth.login(teacher.email)
    detail = client.get(f"/kindness/{moment_id}").get_data(as_text=True)
    assert "Hidden from the wall" in detail and "Private" not in detail  # reason: leaders only
    assert "Hidden from the wall" in client.get(f"/pupils/{pupil.id}").get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.GOVERNOR, Role.TRUST_LEADER])
def test_other_roles_cannot_open_moments(app, client, login_as, school, teacher, role):
    moment_id = make_moment(app, school.id, teacher)
    login_as(role, school=school)
    assert client.get(f"/kindness/{moment_id}").status_code == 403
    assert client.get(f"/kindness/{moment_id}/edit").status_code == 403


def test_another_schools_moment_is_not_found(
    app, client, login_as, make_school, make_user, teacher
):
    elsewhere = make_school("elsewhere")
    moment_id = make_moment(app, elsewhere.id, make_user(Role.STAFF, school=elsewhere))
    login_as(Role.LEADER, school=make_school("mine"))
    for path in ("", "/edit", "/hide"):
        assert client.get(f"/kindness/{moment_id}{path}").status_code == 404
    assert client.post(f"/kindness/{moment_id}/show").status_code == 404


@pytest.mark.requirement("R81")
def test_recorder_edits_and_a_stale_edit_is_refused(app, client, auth, school, teacher, pupil):
    moment_id = make_moment(app, school.id, teacher, giver=pupil)
    auth.login(teacher.email)
    page = client.get(f"/kindness/{moment_id}/edit").get_data(as_text=True)
    assert "Invited a new pupil to join the game." in page
    form = _form(pupil, description="Changed words.", version="1")
    assert client.post(f"/kindness/{moment_id}/edit", data=form).status_code == 302
    stale = client.post(f"/kindness/{moment_id}/edit", data={**form, "description": "Again"})
    assert stale.status_code == 409
    with app.app_context():
        assert db.session.get(KindnessMoment, moment_id).description == "Changed words."


def test_timeline_shows_giver_and_receiver(app, client, auth, school, teacher, pupil, make_pupil):
    friend = make_pupil(school, legal_surname="Friend", legal_forename="Fay")
    make_moment(
        app, school.id, teacher, giver=pupil, receiver=friend, values=(KindnessValue.TOLERANCE,)
    )
    auth.login(teacher.email)
    assert "Was kind: showed tolerance" in client.get(f"/pupils/{pupil.id}").get_data(as_text=True)
    body = client.get(f"/pupils/{friend.id}").get_data(as_text=True)
    assert "Was shown kindness by Ola Zabłocka" in body


def test_admin_sees_no_kindness_on_the_timeline(app, client, login_as, school, teacher, pupil):
    make_moment(app, school.id, teacher, giver=pupil)
    login_as(Role.ADMIN, school=school)
    assert "Was kind" not in client.get(f"/pupils/{pupil.id}").get_data(as_text=True)
