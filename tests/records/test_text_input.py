"""Text through the real pages: control characters reach no database (R28), implausible
dates write nothing (R30), and Unicode is compared on NFC (R31)."""

import re
import unicodedata

import pytest
import sqlalchemy as sa

import school_tracker
from school_tracker.calendar.terms import school_today
from school_tracker.extensions import db
from school_tracker.models import (
    KindnessMoment,
    LearningRecord,
    ParentConversation,
    TransferRecord,
    User,
)
from tests.conftest import PASSWORD
from tests.factories.rows import count_rows

TODAY = school_today()

# What NoControlCharacters and NameText say, so a test knows which check refused a value.
HIDDEN_CHARACTERS = re.compile("control characters|direction-changing characters")


def _kindness(p):
    return {
        "giver_kind": "staff",
        "giver_pupils": "",
        "giver_name": "Ms Adams",
        "receiver_pupil": str(p["pupil"].id),
        "description": "Helped at lunch.",
        "values": ["friendship"],
        "occurred_on": TODAY.isoformat(),
        "priorities": ["P1"],
    }


def _learning(p):
    return {
        "staff_id": p["staff"].id,
        "held_on": TODAY.isoformat(),
        "activity": "Phonics",
        "hours": "1.5",
        "focus_id": "",
        "reflection": "Useful.",
    }


def _family(p):
    return {
        "pupil_id": p["pupil"].id,
        "carer_name": "Ade Okafor",
        "carer_relationship": "father",
        "led_by_id": p["staff"].id,
        "held_on": TODAY.isoformat(),
        "family_said": "Happy.",
    }


def _new_user(p):
    return {"full_name": "New Person", "email": "new@example.org", "role": "staff"}


def _transfer(p):
    return {"sent_to": "Riverside Academy"}


# (who, url, valid data, field, table that must not grow): the database sees the request.
RECORD_POSTS = [
    ("staff", "/kindness/new", _kindness, "giver_name", KindnessMoment),
    ("staff", "/kindness/new", _kindness, "description", KindnessMoment),
    ("staff", "/learning/new", _learning, "activity", LearningRecord),
    ("staff", "/learning/new", _learning, "reflection", LearningRecord),
    ("staff", "/families/new", _family, "carer_name", ParentConversation),
    ("staff", "/families/new", _family, "family_said", ParentConversation),
    ("admin", "/admin/users/new", _new_user, "full_name", User),
    ("admin", "/admin/users/new", _new_user, "email", User),
    ("leader", "/reports/pupils/{pupil}/transfer", _transfer, "sent_to", TransferRecord),
]


@pytest.mark.requirement("R28")
@pytest.mark.parametrize(("who", "url", "data", "field", "model"), RECORD_POSTS)
@pytest.mark.parametrize("bad", ["\x00", "\x01"], ids=["nul", "soh"])
def test_r28_control_characters_reach_no_database(
    app, client, auth, people, who, url, data, field, model, bad
):
    """R28: on SQLite and on PostgreSQL (which rejects NUL) the answer is a form error."""
    auth.login(people[who].email)
    before = count_rows(app, model)
    values = data(people)
    values[field] = "a" + bad + values[field]
    response = client.post(url.format(pupil=people["pupil"].id), data=values)
    assert response.status_code == 200
    assert HIDDEN_CHARACTERS.search(response.get_data(as_text=True))
    assert count_rows(app, model) == before
    client.post(url.format(pupil=people["pupil"].id), data=data(people))
    assert count_rows(app, model) == before + 1  # the same form without the character saves


@pytest.mark.requirement("R28")
@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/login", {"email": "a\x00b@example.org", "password": PASSWORD}),
        ("/login", {"email": "{email}", "password": PASSWORD + "\x00"}),
        ("/pupils/", {"query": "Ok\x00", "submit": "Search"}),
        (
            "/activate",
            {"email": "{email}", "code": "AB\x00CD", "password": "x\x01" * 8, "confirm": "x"},
        ),
    ],
)
def test_r28_sign_in_search_and_passwords_refuse_nul_without_a_500(app, client, people, url, data):
    """R28: the e-mail is looked up in the database, so NUL must stop at the form."""
    if url == "/pupils/":
        client.post("/login", data={"email": people["staff"].email, "password": PASSWORD})
    data = {k: v.format(email=people["staff"].email) for k, v in data.items()}
    response = client.post(url, data=data)
    assert response.status_code == 200
    assert "control characters" in response.get_data(as_text=True)


@pytest.mark.requirement("R30")
def test_r30_implausible_date_through_a_page_writes_nothing(app, client, auth, people):
    auth.login(people["staff"].email)
    response = client.post("/kindness/new", data={**_kindness(people), "occurred_on": "0026-11-02"})
    assert response.status_code == 200 and "Give a date between" in response.get_data(as_text=True)
    assert count_rows(app, KindnessMoment) == 0


# --- R31 Unicode: NFC once at input, compared on NFC; disguising characters refused ----------

ZOE_NFC = unicodedata.normalize("NFC", "Zoë")
ZOE_NFD = unicodedata.normalize("NFD", "Zoë")


def test_r31_the_two_spellings_really_differ():
    assert ZOE_NFC != ZOE_NFD and len(ZOE_NFD) == 4


def _preview_counts(app, school, surname: str) -> dict:
    from school_tracker.imports import services
    from school_tracker.imports.parser import parse_roll
    from tests.factories.imports import csv_bytes, row

    header = ["UPN", "Legal Surname", "Legal Forename", "Date of Birth", "Year"]
    data = csv_bytes(
        [row(1, **{"Legal Surname": surname, "Date of Birth": "01/03/2018", "Year": "Year 3"})],
        header=header,
    )
    parsed = parse_roll(data, "roll.csv")
    assert parsed.ok, parsed.errors
    with app.app_context():
        school_row = db.session.get_one(school_tracker.models.School, school.id)
        plan = services.preview_import(school_row, parsed, mark_leavers=False, by=None)
        return plan.counts()


@pytest.mark.requirement("R31")
def test_r31_nfd_name_in_an_import_is_the_same_pupil_as_the_nfc_one(app, school, make_pupil):
    from tests.factories.imports import upn

    make_pupil(school, upn=upn(1), legal_surname=ZOE_NFC, legal_forename="Forename1")
    same = _preview_counts(app, school, ZOE_NFD)
    assert (same["unchanged"], same["updated"], same["created"]) == (1, 0, 0)
    assert _preview_counts(app, school, "Zoe")["updated"] == 1  # a real change is still seen


@pytest.mark.requirement("R31")
def test_r31_search_typed_in_nfd_finds_the_nfc_name(client, auth, school, people, make_pupil):
    make_pupil(school, legal_surname=ZOE_NFC, legal_forename="Ann")
    auth.login(people["staff"].email)
    body = client.post(
        "/pupils/", data={"query": ZOE_NFD, "submit": "Search"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "1 pupil" in body and f"{ZOE_NFC}, Ann" in body


@pytest.mark.requirement("R31")
def test_r31_apostrophes_and_diacritics_save_and_display(app, client, auth, people):
    auth.login(people["staff"].email)
    name = "Siobh\u0061\u0301n O'Brien-N\u00ed"  # typed with a combining accent
    response = client.post("/families/new", data={**_family(people), "carer_name": name})
    assert response.status_code == 302
    with app.app_context():
        stored = db.session.scalar(sa.select(ParentConversation.carer_name))
    assert stored == unicodedata.normalize("NFC", name) == "Siobhán O'Brien-Ní"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Siobhán O&#39;Brien-Ní" in page
