"""Kindness by several pupils or a class, through the pages: the form, the moment, the wall,
each pupil's timeline, editing, and a tampered group (issue 13 item 4)."""

import re

import pytest
import sqlalchemy as sa

from school_tracker.extensions import db
from school_tracker.models import KindnessGiver, KindnessMoment, Role, YearGroup
from tests.factories.mentoring import TODAY


@pytest.fixture
def teacher(make_user, school):
    return make_user(Role.STAFF, school=school, full_name="Tess Teacher")


@pytest.fixture
def roll(make_pupil, school):
    """7B has Amy, Ben and Cal; Dev is in 7A."""
    return {
        forename: make_pupil(
            school,
            legal_forename=forename,
            legal_surname=surname,
            registration_group=group,
            year_group=YearGroup.Y7,
        ).id
        for forename, surname, group in (
            ("Amy", "Archer", "7B"),
            ("Ben", "Baker", "7B"),
            ("Cal", "Carter", "7B"),
            ("Dev", "Dixon", "7A"),
        )
    }


def _form(**overrides):
    data = {
        "giver_kind": "pupil",
        "giver_group": "",
        "giver_name": "",
        "receiver_pupil": "",
        "receiver_name": "a new pupil",
        "description": "Made a welcome banner together.",
        "values": ["friendship", "creativity"],
        "occurred_on": TODAY.isoformat(),
        "priorities": ["P1"],
    }
    data.update(overrides)
    return data


def _givers() -> list[int]:
    return sorted(db.session.scalars(sa.select(KindnessGiver.pupil_id)))


def test_the_form_offers_several_pupils_and_the_schools_groups(
    app, client, auth, make_school, make_pupil, teacher, roll
):
    make_pupil(make_school("elsewhere"), registration_group="9Z")
    auth.login(teacher.email)
    page = client.get(f"/kindness/new?pupil_id={roll['Amy']}").get_data(as_text=True)
    assert re.search(r'<select[^>]*data-picker="pupil"[^>]*multiple[^>]*name="giver_pupils"', page)
    assert f'<option selected value="{roll["Amy"]}">' in page
    assert '<option value="7A">7A (1 pupil)</option>' in page
    assert '<option value="7B">7B (3 pupils)</option>' in page
    assert "9Z" not in page
    assert '<label class="form-label" for="giver_group">Or a whole registration group</label>' in (
        page
    )


def test_a_class_moment_is_recorded_once_and_shows_on_every_pupils_record(
    app, client, auth, teacher, roll
):
    auth.login(teacher.email)
    response = client.post(
        "/kindness/new", data=_form(giver_group="7B", giver_pupils=[str(roll["Dev"])])
    )
    assert response.status_code == 302
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Given by 7B (4 pupils)" in detail
    for pupil_id in roll.values():
        assert f'href="/pupils/{pupil_id}"' in detail
    wall = client.get("/kindness/wall").get_data(as_text=True)
    assert "7B were kind to a new pupil" in wall
    assert "Archer" not in wall and "Dixon" not in wall
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(KindnessMoment.id))) == 1
        assert _givers() == sorted(roll.values())
    for pupil_id in roll.values():
        timeline = client.get(f"/pupils/{pupil_id}").get_data(as_text=True)
        assert "Was kind: showed friendship, creativity" in timeline


def test_several_pupils_without_a_group_read_as_their_names(app, client, auth, teacher, roll):
    auth.login(teacher.email)
    picked = [str(roll["Amy"]), str(roll["Dev"])]
    response = client.post("/kindness/new", data=_form(giver_pupils=picked))
    assert response.status_code == 302
    assert "Amy and Dev were kind to a new pupil" in client.get("/kindness/wall").get_data(
        as_text=True
    )
    listing = client.get("/kindness/").get_data(as_text=True)
    assert "Amy Archer and Dev Dixon" in listing


@pytest.mark.requirement("R20")
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"giver_group": "9Z"}, "giver_group"),
        ({"giver_group": "7B", "giver_pupils": ["STRANGER"]}, "giver_pupils"),
        ({"giver_group": "", "giver_pupils": []}, "giver_pupils"),
    ],
)
def test_a_group_or_pupil_of_another_school_is_an_error_beside_its_field(
    app, client, auth, make_school, make_pupil, teacher, roll, overrides, field
):
    stranger = make_pupil(make_school("elsewhere"), registration_group="9Z")
    if "giver_pupils" in overrides:
        overrides["giver_pupils"] = [str(stranger.id) for _ in overrides["giver_pupils"]]
    auth.login(teacher.email)
    response = client.post("/kindness/new", data=_form(**overrides))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert re.search(
        rf'id="{field}-error"[^>]*>[^<]*(not a valid choice|Choose the pupils)', page, re.I
    )
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(KindnessMoment.id))) == 0
        assert _givers() == []


def test_editing_a_class_moment_shows_its_pupils_and_can_take_one_off(
    app, client, auth, teacher, roll
):
    auth.login(teacher.email)
    location = client.post("/kindness/new", data=_form(giver_group="7B")).headers["Location"]
    moment_id = int(location.rsplit("/", 1)[1])
    page = client.get(f"/kindness/{moment_id}/edit").get_data(as_text=True)
    for name in ("Amy", "Ben", "Cal"):
        assert f'<option selected value="{roll[name]}">' in page
    assert '<option selected value="7B">7B (3 pupils)</option>' in page
    kept = [str(roll["Amy"]), str(roll["Cal"])]
    saved = client.post(
        f"/kindness/{moment_id}/edit", data=_form(giver_group="7B", giver_pupils=kept, version="1")
    )
    assert saved.status_code == 302
    detail = client.get(location).get_data(as_text=True)
    assert "Given by 7B (2 pupils)" in detail
    history = detail[detail.index("Changes to this record") :]
    assert "Pupils who were kind" in history and "Ben Baker" in history
    with app.app_context():
        assert _givers() == sorted([roll["Amy"], roll["Cal"]])
