"""The pupil list: search (kept out of URLs), filters, wildcards, pagination, the pupil page."""

import pytest

from school_tracker.extensions import db
from school_tracker.models import AuditEntry, Role, SenStatus, YearGroup


def _search(client, text):
    return client.post("/pupils/", data={"query": text, "submit": "Search"}, follow_redirects=True)


def test_search_by_name_and_upn_keeps_terms_out_of_the_url(client, login_as, school, make_pupil):
    make_pupil(school, legal_surname="O'Brien", legal_forename="Zoë")
    other = make_pupil(school, legal_surname="Okafor")
    login_as(Role.STAFF, school=school)
    response = client.post("/pupils/", data={"query": "o'brien", "submit": "Search"})
    assert response.status_code == 302
    assert "brien" not in response.headers["Location"].lower()
    body = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "O&#39;Brien" in body and "Okafor" not in body
    body = _search(client, other.upn.lower()).get_data(as_text=True)
    assert "Okafor" in body and "Brien" not in body


@pytest.mark.requirement("R35")
def test_like_wildcards_are_literal(client, login_as, school, make_pupil):
    make_pupil(school, legal_surname="Alpha")
    make_pupil(school, legal_surname="Beta")
    login_as(Role.STAFF, school=school)
    for term in ("%", "_", "' OR 1=1 --"):
        body = _search(client, term).get_data(as_text=True)
        assert "0 pupils" in body, term


def test_clear_search(client, login_as, school, make_pupil):
    make_pupil(school, legal_surname="Alpha")
    make_pupil(school, legal_surname="Beta")
    login_as(Role.STAFF, school=school)
    _search(client, "alpha")
    body = client.post(
        "/pupils/", data={"query": "alpha", "clear": "Clear search"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Alpha" in body and "Beta" in body


def test_filters_by_year_and_group(client, login_as, school, make_pupil):
    make_pupil(school, legal_surname="Reception", year_group=YearGroup.R)
    make_pupil(school, legal_surname="Ehcp", year_group=YearGroup.Y3, sen_status=SenStatus.EHC_PLAN)
    make_pupil(school, legal_surname="Carer", year_group=YearGroup.Y3, young_carer=True)
    login_as(Role.STAFF, school=school)
    body = client.get("/pupils/?year=R").get_data(as_text=True)
    assert "Reception," in body and "Ehcp" not in body
    body = client.get("/pupils/?year=3&group=sen_e").get_data(as_text=True)
    assert "Ehcp" in body and "Carer," not in body
    body = client.get("/pupils/?group=young_carer").get_data(as_text=True)
    assert "Carer," in body and "Ehcp" not in body


@pytest.mark.requirement("R35")
@pytest.mark.parametrize(
    "query",
    ["year=14", "group=everyone", "status=deleted", "sort=name;DROP TABLE pupils", "year=3&year=4"],
)
def test_bad_filters_are_a_400_not_a_500(client, login_as, school, query):
    login_as(Role.STAFF, school=school)
    assert client.get(f"/pupils/?{query}").status_code == 400


def test_leavers_are_hidden_unless_asked_for(client, login_as, school, make_pupil):
    from datetime import date

    make_pupil(school, legal_surname="Stayer")
    make_pupil(school, legal_surname="Leaver", leaving_date=date(2026, 7, 21))
    login_as(Role.STAFF, school=school)
    assert "Leaver" not in client.get("/pupils/").get_data(as_text=True)
    assert "Leaver" in client.get("/pupils/?status=left").get_data(as_text=True)


def test_pagination(client, app, login_as, school, make_pupil):
    app.config["PUPILS_PER_PAGE"] = 2
    for n in range(5):
        make_pupil(school, legal_surname=f"Page{n}")
    login_as(Role.STAFF, school=school)
    first = client.get("/pupils/").get_data(as_text=True)
    third = client.get("/pupils/?page=3").get_data(as_text=True)
    assert "Page0" in first and "Page2" not in first
    assert "Page4" in third and "Page0" not in third
    assert "5 pupils" in first


@pytest.mark.requirement("R19")
def test_other_schools_pupils_never_listed(client, login_as, make_school, make_pupil):
    mine, theirs = make_school("mine"), make_school("theirs")
    make_pupil(mine, legal_surname="Smith")
    make_pupil(theirs, legal_surname="Smith", legal_forename="Elsewhere")
    login_as(Role.STAFF, school=mine)
    body = _search(client, "smith").get_data(as_text=True)
    assert "1 pupil" in body and "Elsewhere" not in body


def test_pupil_page_shows_characteristics_and_audits_the_view(
    app, client, login_as, school, make_pupil
):
    pupil = make_pupil(school, legal_surname="Nguyen", sen_status=SenStatus.SUPPORT, eal=True)
    user = login_as(Role.STAFF, school=school)
    body = client.get(f"/pupils/{pupil.id}").get_data(as_text=True)
    assert "Nguyen" in body and "SEN support" in body and pupil.upn in body
    assert "<title>Pupil record" in body  # no name in the title bar or browser history
    with app.app_context():
        entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "view"))
        assert (entry.actor_id, entry.pupil_id, entry.school_id) == (user.id, pupil.id, school.id)
        assert entry.changes is None


def test_control_characters_in_search_get_a_message(client, login_as, school):
    login_as(Role.STAFF, school=school)
    response = client.post("/pupils/", data={"query": "ab\x00c", "submit": "Search"})
    assert response.status_code == 200
    assert "hidden control characters" in response.get_data(as_text=True)
