"""The type-ahead pupil lookup, `GET /pupils/lookup` (issue 13 item 5)."""

from datetime import date

import pytest
import sqlalchemy as sa

from school_tracker.extensions import db
from school_tracker.models import Role, YearGroup
from school_tracker.pupils.lookup import MAX_RESULTS, picker_matches


def _lookup(client, q, **params):
    response = client.get("/pupils/lookup", query_string={"q": q, **params})
    assert response.status_code == 200, response.status_code
    assert response.headers["Cache-Control"] == "no-store"
    assert response.mimetype == "application/json"
    return response.get_json()


def _labels(results) -> list[str]:
    return [result["label"] for result in results]


@pytest.fixture
def roll(school, make_pupil):
    """A few pupils whose names, groups and UPNs overlap in the ways typing meets."""
    return {
        "sam": make_pupil(
            school,
            legal_forename="Samuel",
            preferred_forename="Sam",
            legal_surname="Jones",
            registration_group="7B",
            year_group=YearGroup.Y7,
        ),
        "samira": make_pupil(
            school, legal_forename="Samira", legal_surname="Khan", registration_group="7B"
        ),
        "ada": make_pupil(
            school, legal_forename="Ada", legal_surname="Smith-Lovelace", registration_group="8A"
        ),
        "bea": make_pupil(school, legal_forename="Bea", legal_surname="Samson"),
        "left": make_pupil(
            school,
            legal_forename="Sampson",
            legal_surname="Gone",
            registration_group="7B",
            leaving_date=date(2025, 7, 20),
        ),
    }


def test_names_legal_or_preferred_and_word_starts_match(client, login_as, school, roll):
    login_as(Role.STAFF, school=school)
    labels = _labels(_lookup(client, "sam"))
    # Surname order; the left pupil stays out; Bea Samson matches by surname.
    assert labels == [
        "Sam Jones (7B), legal forename Samuel",
        "Samira Khan (7B)",
        "Bea Samson (Year 3)",
    ]
    assert _labels(_lookup(client, "samuel")) == ["Sam Jones (7B), legal forename Samuel"]
    assert _labels(_lookup(client, "LOVE")) == ["Ada Smith-Lovelace (8A)"]  # after the hyphen
    assert _labels(_lookup(client, "sam jo")) == ["Sam Jones (7B), legal forename Samuel"]
    assert _labels(_lookup(client, "jones sam")) == ["Sam Jones (7B), legal forename Samuel"]
    assert _lookup(client, "amuel") == []  # the middle of a name is not a word start
    results = _lookup(client, "samira")
    assert results == [{"id": roll["samira"].id, "label": "Samira Khan (7B)"}]


def test_upn_and_registration_group_match(client, login_as, school, roll):
    login_as(Role.STAFF, school=school)
    upn = roll["ada"].upn
    # The roll's UPNs come from one generator, so a short prefix may begin several of them.
    begun = _labels(_lookup(client, upn[:6].lower()))
    assert f"Ada Smith-Lovelace (8A), UPN {upn}" in begun
    assert all(label.rpartition("UPN ")[2].startswith(upn[:6]) for label in begun)
    assert _labels(_lookup(client, upn)) == [f"Ada Smith-Lovelace (8A), UPN {upn}"]
    assert _labels(_lookup(client, "7b")) == [
        "Sam Jones (7B), legal forename Samuel",
        "Samira Khan (7B)",
    ]
    for result in _lookup(client, "sam") + _lookup(client, "7b"):
        assert "UPN" not in result["label"] and "2018" not in result["label"]  # nor a birth date


def test_whole_group_comes_first_when_asked(client, login_as, school, roll):
    login_as(Role.STAFF, school=school)
    results = _lookup(client, "7B", groups="1")
    group = results[0]
    assert group["group"] == "7B" and group["label"] == "Whole group 7B (2 pupils)"
    assert group["ids"] == [roll["sam"].id, roll["samira"].id]
    assert [p["label"] for p in group["pupils"]] == [
        "Sam Jones (7B), legal forename Samuel",
        "Samira Khan (7B)",
    ]
    assert [r["id"] for r in results[1:]] == [roll["sam"].id, roll["samira"].id]
    assert all("group" not in result for result in _lookup(client, "7B"))  # only when asked
    with_left = _lookup(client, "7B", groups="1", include_left="1")[0]
    assert with_left["label"] == "Whole group 7B (3 pupils)"


def test_left_pupils_only_when_asked(client, login_as, school, roll):
    login_as(Role.LEADER, school=school)
    assert _lookup(client, "gone") == []
    assert _lookup(client, "gone", include_left="0") == []
    left = _lookup(client, "gone", include_left="1")
    assert left == [{"id": roll["left"].id, "label": "Sampson Gone (7B), left"}]


def test_at_most_twenty_and_nothing_under_two_characters(client, login_as, school, make_pupil):
    for n in range(MAX_RESULTS + 5):
        make_pupil(school, legal_surname=f"Many{n:02d}")
    login_as(Role.STAFF, school=school)
    results = _lookup(client, "many")
    assert len(results) == MAX_RESULTS == 20
    assert _labels(results)[0].startswith("Forename") and "Many00" in _labels(results)[0]
    assert (
        _lookup(client, "m") == [] and _lookup(client, " m  ") == [] and _lookup(client, "") == []
    )
    assert client.get("/pupils/lookup").get_json() == []


def test_another_schools_pupils_never_appear(client, login_as, make_school, make_pupil, school):
    other = make_school(slug="riverside", name="Riverside")
    theirs = make_pupil(other, legal_surname="Colliding", registration_group="7B")
    ours = make_pupil(school, legal_surname="Colliding", registration_group="7B")
    login_as(Role.LEADER, school=school)
    assert [r["id"] for r in _lookup(client, "colliding", include_left="1")] == [ours.id]
    assert _lookup(client, theirs.upn) == []
    groups = _lookup(client, "7B", groups="1", include_left="1")
    assert groups[0]["ids"] == [ours.id] and theirs.id not in [r.get("id") for r in groups]
    assert client.get(
        "/pupils/lookup", query_string={"q": "colliding", "school_id": other.id}
    ).get_json() == [{"id": ours.id, "label": f"Forename{_serial(ours)} Colliding (7B)"}]


def _serial(pupil) -> str:
    return pupil.legal_forename.removeprefix("Forename")


@pytest.mark.requirement("R35")
@pytest.mark.parametrize(
    "hostile",
    [
        "%%",
        "__",
        "s%",
        "%a%",
        "' OR 1=1 --",
        '"; DROP TABLE pupils; --',
        "\\%",
        "a" * 61,
        "sam " * 200,
        "<script>alert(1)</script>",
        "\x00\x01",
        "sa\x00m",
        "sam\u202e",
        "7B' --",
    ],
)
def test_hostile_queries_find_nothing_and_never_fail(client, login_as, school, roll, hostile):
    """R35: LIKE wildcards are literal, quotes are data, long text finds nothing."""
    login_as(Role.STAFF, school=school)
    assert _lookup(client, hostile) == []
    assert _lookup(client, hostile, groups="1", include_left="1") == []


def test_bad_flags_and_repeated_arguments_are_refused(client, login_as, school, roll):
    login_as(Role.STAFF, school=school)
    assert client.get("/pupils/lookup?q=sam&include_left=yes").status_code == 400
    assert client.get("/pupils/lookup?q=sam&groups=2").status_code == 400
    assert client.get("/pupils/lookup?q=sam&q=jones").status_code == 400


@pytest.mark.parametrize("role", [Role.STAFF, Role.LEADER, Role.ADMIN])
def test_staff_leaders_and_admins_may_look_up(client, login_as, school, roll, role):
    login_as(role, school=school)
    assert len(_lookup(client, "sam")) == 3


@pytest.mark.requirement("R24")
def test_governors_are_refused(client, login_as, school, roll):
    login_as(Role.GOVERNOR, school=school)
    response = client.get("/pupils/lookup?q=sam")
    assert response.status_code == 403
    assert "Jones" not in response.get_data(as_text=True)


def test_signed_out_goes_to_sign_in(client, roll):
    response = client.get("/pupils/lookup?q=sam")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


class TestLookupLimit:
    @pytest.fixture
    def app_config_overrides(self):
        return {"LOOKUP_LIMIT": "3 per minute"}

    @pytest.mark.requirement("R77")
    def test_the_fourth_lookup_in_a_minute_is_throttled(self, client, login_as, school, roll):
        login_as(Role.STAFF, school=school)
        statuses = [client.get(f"/pupils/lookup?q=sam{n}").status_code for n in range(4)]
        assert statuses == [200, 200, 200, 429]


def test_one_statement_for_pupils_and_two_more_for_groups_however_many_match(
    app, school, make_pupil
):
    """No per-row work: the statements sent do not grow with the pupils found."""
    for n in range(30):
        make_pupil(school, legal_surname=f"Many{n:02d}", registration_group="9C")
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert len(picker_matches(school.id, "many")) == MAX_RESULTS
            assert len(statements) == 1
            statements.clear()
            matches = picker_matches(school.id, "9c", with_groups=True)
            assert len(matches) == MAX_RESULTS and len(matches[0].pupils) == 30
            assert len(statements) == 3  # the group names, their pupils, the pupils matching
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
            db.session.remove()
