"""SECURITY.md input validation, output encoding, CSRF, headers and hosts (R28-R42), errors and
failing closed (R65-R66), and the Flask configuration for deployment (R74-R79).

The form walks below build every field of every form the app defines on its own, so a field
added later without a length limit or control-character check fails here without a new test.
"""

import importlib
import logging
import os
import re
import subprocess
import sys
import tomllib
import unicodedata
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask import abort
from freezegun import freeze_time
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    DateField,
    FileField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.fields.core import UnboundField
from wtforms.form import BaseForm
from wtforms.validators import AnyOf, Email, EqualTo, Length

import school_tracker
from config import Config, ProductionConfig
from school_tracker import ROOT, create_app
from school_tracker.calendar.terms import school_today
from school_tracker.extensions import db
from school_tracker.forms import NameText
from school_tracker.models import (
    Intervention,
    InterventionType,
    KindnessMoment,
    LearningRecord,
    ParentConversation,
    Pupil,
    Role,
    RollImport,
    RollImportStatus,
    TransferRecord,
    User,
)
from tests.conftest import PASSWORD, make_config, production_config
from tests.support.form_walk import all_forms, field_validators, form_fields

TODAY = school_today()


# --- R28: every field of every form refuses NUL, other control characters and max+1 ---------


def _is_repeat(unbound: UnboundField) -> bool:
    """A "repeat the password" field: it must equal its twin, which has the real checks."""
    return any(isinstance(v, EqualTo) for v in field_validators(unbound))


# Buttons, ticks and uploads carry no free input; the optimistic-locking `version` is parsed as
# an integer and anything else is refused as a stale edit (VersionedForm.expected_version).
NO_INPUT = (SubmitField, FileField, BooleanField)
# What NoControlCharacters and NameText say, so a test knows which check refused a value.
HIDDEN_CHARACTERS = re.compile("control characters|direction-changing characters")


def _cases(keep) -> list:
    return [
        pytest.param(cls, name, unbound, id=f"{cls.__qualname__}.{name}")
        for cls in all_forms()
        for name, unbound in form_fields(cls)
        if not issubclass(unbound.field_class, NO_INPUT) and name != "version" and keep(unbound)
    ]


INPUT_FIELDS = _cases(lambda unbound: not _is_repeat(unbound))
TEXT_FIELDS = _cases(
    lambda u: (
        issubclass(u.field_class, StringField)
        and not issubclass(u.field_class, HiddenField)
        and not _is_repeat(u)
    )
)
CHOICE_FIELDS = _cases(lambda u: issubclass(u.field_class, SelectField | SelectMultipleField))
DATE_FIELDS = [  # term dates are held to their own term by the service: see the R30 test
    case
    for case in _cases(lambda u: issubclass(u.field_class, DateField))
    if case.values[0].__name__ != "TermDatesForm"
]
NAME_FIELDS = _cases(lambda u: any(isinstance(v, NameText) for v in field_validators(u)))
EMAIL_FIELDS = _cases(lambda u: any(isinstance(v, Email) for v in field_validators(u)))


@pytest.fixture(scope="module")
def form_app(database_url):
    """One app for the form walks: validating a field touches no table."""
    return create_app(make_config(database_url))


def _errors(form_app, name: str, unbound: UnboundField, *values: str) -> list[str]:
    """Bind one field on its own, submit `values` to it and return its errors."""
    with form_app.test_request_context(method="POST"):
        form = BaseForm([(name, unbound)])
        form.process(MultiDict([(name, value) for value in values]))
        field = form[name]
        if getattr(field, "choices", ()) is None:  # loaded per request: any real list will do
            field.choices = [("1", "One")]
        form.validate()
        return [str(error) for error in field.errors]


def test_the_walk_finds_every_kind_of_field():
    names = {f"{cls.__module__}.{cls.__qualname__}" for cls in all_forms()}
    assert "school_tracker.interventions.forms.InterventionForm" in names
    assert "school_tracker.reports.subject_access.transfer.TransferForm" in names
    assert "school_tracker.auth.forms.LoginForm" in names
    assert (len(INPUT_FIELDS), len(TEXT_FIELDS), len(DATE_FIELDS)) > (100, 40, 20)
    assert len(CHOICE_FIELDS) > 20 and len(NAME_FIELDS) >= 6


@pytest.mark.requirement("R28")
@pytest.mark.parametrize(("cls", "name", "unbound"), INPUT_FIELDS)
@pytest.mark.parametrize("bad", ["be\x00fore", "be\x01fore"])
def test_r28_every_input_refuses_nul_and_control_characters(form_app, cls, name, unbound, bad):
    """R28: NUL and \\x01 are a form error in every field of every form, passwords included."""
    errors = _errors(form_app, name, unbound, bad)
    assert errors, f"{cls.__qualname__}.{name} accepted {bad!r}"


@pytest.mark.requirement("R28")
@pytest.mark.parametrize(("cls", "name", "unbound"), TEXT_FIELDS)
def test_r28_text_fields_name_the_control_character_problem(form_app, cls, name, unbound):
    """R28: free text is refused for its hidden character, not by luck of another check."""
    errors = _errors(form_app, name, unbound, "Ann\x00")
    assert any(HIDDEN_CHARACTERS.search(e) for e in errors), errors


@pytest.mark.requirement("R28")
@pytest.mark.parametrize(
    ("cls", "name", "unbound"),
    _cases(lambda u: issubclass(u.field_class, StringField) and not _is_repeat(u)),
)
def test_r28_every_text_field_has_a_maximum_length(form_app, cls, name, unbound):
    """R28: max+1 characters is a form error (a hidden field takes only allowlisted values)."""
    validators = field_validators(unbound)
    if any(isinstance(v, AnyOf) for v in validators):
        assert _errors(form_app, name, unbound, "x" * 1000)
        return
    limits = [v.max for v in validators if isinstance(v, Length) and v.max != -1]
    assert limits, f"{cls.__qualname__}.{name} has no maximum length"
    errors = _errors(form_app, name, unbound, "x" * (min(limits) + 1))
    assert any("longer than" in e or "between" in e for e in errors), errors


# Form limits against the columns they fill: a longer limit would be a database error (a 500
# on PostgreSQL; SQLite does not enforce VARCHAR lengths).
COLUMN_LIMITS = [
    ("admin.forms.UserForm.full_name", User.full_name),
    ("admin.forms.UserForm.email", User.email),
    ("kindness.forms.MomentForm.giver_name", KindnessMoment.giver_name),
    ("kindness.forms.MomentForm.receiver_name", KindnessMoment.receiver_name),
    ("mentoring.forms.PairingForm.mentor_name", school_tracker.models.MentoringPairing.mentor_name),
    ("families.forms.ConversationForm.carer_name", ParentConversation.carer_name),
    ("learning.forms.LearningForm.activity", LearningRecord.activity),
    ("learning.forms.LearningForm.focus", LearningRecord.focus),
    ("reports.subject_access.transfer.TransferForm.sent_to", TransferRecord.sent_to),
    ("risk.forms.ActionForm.description", school_tracker.models.RiskAction.description),
    ("interventions.forms.InterventionForm.measure", Intervention.measure),
    ("interventions.forms.InterventionTypeForm.name", InterventionType.name),
]


@pytest.mark.requirement("R28")
@pytest.mark.parametrize(("path", "column"), COLUMN_LIMITS, ids=[p for p, _ in COLUMN_LIMITS])
def test_r28_form_limits_fit_their_columns(path, column):
    module, cls_name, field_name = path.rsplit(".", 2)
    cls = getattr(importlib.import_module(f"school_tracker.{module}"), cls_name)
    limits = [v.max for v in field_validators(getattr(cls, field_name)) if isinstance(v, Length)]
    assert limits and max(limits) <= column.type.length


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _kindness(p):
    return {
        "giver_kind": "staff",
        "giver_pupil": "",
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
        "focus": "Reading",
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
    before = _count(app, model)
    values = data(people)
    values[field] = "a" + bad + values[field]
    response = client.post(url.format(pupil=people["pupil"].id), data=values)
    assert response.status_code == 200
    assert HIDDEN_CHARACTERS.search(response.get_data(as_text=True))
    assert _count(app, model) == before
    client.post(url.format(pupil=people["pupil"].id), data=data(people))
    assert _count(app, model) == before + 1  # the same form without the character saves


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


# --- R30 dates: impossible, ambiguous and implausible dates are form errors ------------------


def _last_leap_day() -> date:
    year = TODAY.year - (TODAY.year % 4)
    leap = date(year, 2, 29)
    return leap if leap <= TODAY else date(year - 4, 2, 29)


@pytest.mark.requirement("R30")
@pytest.mark.parametrize(("cls", "name", "unbound"), DATE_FIELDS)
@pytest.mark.parametrize(
    "bad",
    [
        "2026-02-31",  # impossible
        "2025-02-29",  # impossible: not a leap year
        "03/04/2026",  # ambiguous: March or April is never guessed
        "4/3/2026",
        "0026-09-01",  # a slipped digit: a real date, but no school's
        "9999-12-31",
        (TODAY - timedelta(days=11 * 366)).isoformat(),
        (TODAY + timedelta(days=3 * 366)).isoformat(),
    ],
)
def test_r30_every_date_field_refuses_bad_dates(form_app, cls, name, unbound, bad):
    assert _errors(form_app, name, unbound, bad), f"{cls.__qualname__}.{name} took {bad}"


@pytest.mark.requirement("R30")
@pytest.mark.parametrize(("cls", "name", "unbound"), DATE_FIELDS)
def test_r30_every_date_field_takes_real_recent_dates(form_app, cls, name, unbound):
    for good in (TODAY, _last_leap_day()):
        assert _errors(form_app, name, unbound, good.isoformat()) == []


@pytest.mark.requirement("R30")
def test_r30_implausible_date_through_a_page_writes_nothing(app, client, auth, people):
    auth.login(people["staff"].email)
    response = client.post("/kindness/new", data={**_kindness(people), "occurred_on": "0026-11-02"})
    assert response.status_code == 200 and "Give a date between" in response.get_data(as_text=True)
    assert _count(app, KindnessMoment) == 0


@pytest.mark.requirement("R30")
def test_r30_term_dates_are_held_to_their_own_term(app, client, login_as, school):
    login_as(Role.ADMIN, school=school)
    for starts_on, message in (
        ("0026-09-01", "too far from the Autumn 2026 term"),
        ("2026-12-19", "can&#39;t end before it starts"),
        ("2026-02-31", "Not a valid date"),
        ("01/09/2026", "Not a valid date"),
    ):
        data = {"starts_on": starts_on, "ends_on": "2026-12-18"}
        body = client.post("/admin/terms/autumn-2026", data=data).get_data(as_text=True)
        assert message in body, starts_on
    assert _count(app, school_tracker.models.TermDate) == 0


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


@pytest.mark.requirement("R31")
@pytest.mark.parametrize(("cls", "name", "unbound"), NAME_FIELDS)
@pytest.mark.parametrize("hidden", ["\u202e", "\u2067", "\u200b", "\ufeff"])
def test_r31_names_refuse_direction_and_zero_width_characters(form_app, cls, name, unbound, hidden):
    assert _errors(form_app, name, unbound, f"Ann{hidden}Lee")
    assert _errors(form_app, name, unbound, f"O'Brien-{ZOE_NFD}") == []


@pytest.mark.requirement("R31")
@pytest.mark.parametrize(("cls", "name", "unbound"), EMAIL_FIELDS)
def test_r31_stored_email_identifiers_refuse_hidden_characters(form_app, cls, name, unbound):
    for hidden in ("\u202e", "\u200b"):
        assert _errors(form_app, name, unbound, f"ann{hidden}lee@example.org")
    assert _errors(form_app, name, unbound, "zoë.obrien@example.org") == []


# --- R32 enumerations: every choice is checked against its list ------------------------------


@pytest.mark.requirement("R32")
@pytest.mark.parametrize(("cls", "name", "unbound"), CHOICE_FIELDS)
@pytest.mark.parametrize("bad", ["X", "maybe", "99999"])
def test_r32_every_choice_field_refuses_values_off_its_list(form_app, cls, name, unbound, bad):
    assert _errors(form_app, name, unbound, bad), f"{cls.__qualname__}.{name} took {bad!r}"


# --- R34 URL fields: none exist; this fails when one is added without its own check ---------


@pytest.mark.requirement("R34")
def test_r34_no_form_or_column_takes_a_link():
    from wtforms import URLField

    url_fields = [
        f"{cls.__qualname__}.{name}"
        for cls in all_forms()
        for name, unbound in form_fields(cls)
        if issubclass(unbound.field_class, URLField) or re.search("url|link|website", name)
    ]
    columns = [
        f"{table.name}.{column.name}"
        for table in db.metadata.sorted_tables
        for column in table.columns
        if re.search("url|link|website|href", column.name)
    ]
    assert url_fields == [] and columns == []


# --- R35 SQL: no string formatting into SQL text ----------------------------------------------

SQL_FORMATTING = re.compile(
    r"""text\(\s*f["']|text\([^)]*(%|\.format\()|exec_driver_sql\(\s*f["']|execute\(\s*f["']"""
)


@pytest.mark.requirement("R35")
def test_r35_no_sql_is_built_by_string_formatting():
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in (ROOT / "school_tracker").rglob("*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if SQL_FORMATTING.search(line)
    ]
    assert offenders == []


@pytest.mark.requirement("R35")
def test_r35_sort_is_allowlisted_and_injection_text_finds_nobody(client, auth, people):
    auth.login(people["staff"].email)
    assert client.get("/pupils/?sort=year").status_code == 200
    assert client.get("/pupils/?sort=legal_surname").status_code == 400
    assert client.get("/pupils/?sort=name;DROP TABLE pupils").status_code == 400
    for term in ("%", "_", "' OR 1=1 --", "Okafor' --"):
        body = client.post(
            "/pupils/", data={"query": term, "submit": "Search"}, follow_redirects=True
        ).get_data(as_text=True)
        assert "0 pupils" in body, term


# --- R33 output encoding: hostile text in every stored text column, every page rendered -----

XSS = "<script>alert(1)</script><img src=x onerror=alert(2)>{{'zq'*3}}javascript:alert(3)"
XSS_SHORT = "<b id=x>{{'zq'*3}}"  # registration groups are 20 characters
RAW = ("<script>alert(1)", "<img src=x", "<b id=x>", "zqzqzq", '="javascript:')


def _text_columns():
    """Every column a person types into, by model: `?` only where set, `!` made unique."""
    m = school_tracker.models
    return {
        m.Trust: ["name"],
        m.School: ["name"],
        m.User: ["full_name"],
        m.Pupil: ["legal_surname", "legal_forename", "preferred_forename", "registration_group"],
        m.ParentConversation: ["carer_name", "family_said", "school_said", "agreed_actions"],
        m.KindnessMoment: ["giver_name?", "receiver_name?", "description", "hidden_reason?"],
        m.MentoringPairing: ["mentor_name?", "mentee_goals", "mentor_goals", "outcome_notes"],
        m.MentoringSession: ["activities", "mentee_voice", "mentor_reflection"],
        m.LearningRecord: ["activity", "focus", "reflection"],
        m.Exclusion: ["cancel_reason"],
        m.TransferRecord: ["sent_to"],
        m.InterventionType: ["name!"],  # unique in a school: the id is appended
        m.Intervention: [
            "measure",
            "intended_outcome",
            "stop_reason",
            "pupil_voice",
            "parent_voice",
            "notes",
        ],
        m.InterventionParticipant: ["withdrawn_reason"],
        m.RiskFlag: ["protective_factors", "agency_notes"],
        m.RiskLevelChange: ["reason"],
        m.RiskStatusChange: ["reason"],
        m.RiskAction: ["description"],
    }


@pytest.fixture
def hostile(app, make_school, make_user, make_pupil):
    """The export tests' school (a record of every kind), then XSS in every text column."""
    from tests.factories.exports import build_world

    world = build_world(app, make_school, make_user, make_pupil)
    m = school_tracker.models
    with app.app_context():
        s, staff = world.school.id, world.staff.id
        db.session.add_all(
            [
                m.KindnessMoment(
                    school_id=s,
                    giver_kind=m.KindPersonKind.STAFF,
                    giver_name="x",
                    receiver_pupil_id=world.mentee.id,
                    description="x",
                    occurred_on=TODAY,
                    created_by_id=staff,
                    hidden=True,
                    hidden_reason="x",
                    hidden_at=school_tracker.orm.utcnow(),
                ),
                m.MentoringPairing(
                    school_id=s,
                    mentee_id=world.peer.id,
                    mentor_kind=m.MentorKind.ADULT,
                    mentor_name="x",
                    mentor_relationship=m.AdultRelationship.VOLUNTEER,
                    mentee_goals="x",
                    mentor_goals="x",
                    starts_on=TODAY,
                    frequency=m.MeetingFrequency.WEEKLY,
                    created_by_id=staff,
                ),
                m.TransferRecord(
                    school_id=s, pupil_id=world.left.id, created_by_id=world.leader.id, sent_to="x"
                ),
            ]
        )
        for model, columns in _text_columns().items():
            for column in columns:
                name = column.rstrip("?!")
                size = getattr(model, name).type.length or 10_000
                value = sa.literal(XSS if size >= len(XSS) else XSS_SHORT)
                if column.endswith("!"):
                    value = value + sa.cast(model.id, sa.String)
                update = sa.update(model).values({name: value})
                if column.endswith("?"):
                    update = update.where(getattr(model, name).is_not(None))
                db.session.execute(update)
        db.session.commit()
        ids = {
            "pupil_id": world.mentee.id,
            "pairing_id": world.ids["staff_pairing"],
            "flag_id": world.ids["flag"],
            "intervention_id": world.ids["group"],
            "participant_id": db.session.scalar(
                sa.select(sa.func.min(m.InterventionParticipant.id)).where(
                    m.InterventionParticipant.intervention_id == world.ids["group"]
                )
            ),
        }
        for arg, model in {
            "moment_id": m.KindnessMoment,
            "conversation_id": m.ParentConversation,
            "record_id": m.LearningRecord,
            "exclusion_id": m.Exclusion,
            "type_id": m.InterventionType,
        }.items():
            ids[arg] = db.session.scalar(
                sa.select(sa.func.min(model.id)).where(model.school_id == s)
            )
    from school_tracker.dashboard.figures import TABLE_SOURCES

    ids.update(table_key=next(iter(TABLE_SOURCES)), key="autumn-2026", import_id="none")
    world.ids.update(ids)
    return world


def _get_pages(app, ids: dict, query: str = "") -> list[str]:
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in ("static", "bootstrap.static"):
            continue
        paths.append(rule.build(ids, append_unknown=False)[1] + query)
    return sorted(paths)


@pytest.mark.requirement("R33")
@pytest.mark.parametrize("role", ["leader", "staff", "admin", "governor", "trust_leader"])
def test_r33_hostile_text_is_escaped_on_every_page(app, client, auth, make_user, hostile, role):
    user = {"leader": hostile.leader, "staff": hostile.staff}.get(role) or make_user(
        Role(role), school=hostile.school
    )
    assert auth.login(user.email).status_code == 302
    escaped = 0
    for path in _get_pages(app, hostile.ids):
        response = client.get(path)
        assert response.status_code != 500, path
        kind = response.mimetype
        if kind in ("text/html", "image/svg+xml", "application/json", "text/plain"):
            body = response.get_data(as_text=True)
            assert [raw for raw in RAW if raw in body] == [], path
            escaped += "&lt;script&gt;alert(1)" in body or "&lt;b id=x&gt;" in body
        response.close()
    assert escaped >= {"leader": 15, "staff": 10}.get(role, 1)  # the payload was shown


# --- R36 parameter pollution and type confusion --------------------------------------------

POLLUTED = (
    "?page=abc&page=2&year=abc&year=2026&status=x&status=live&type=abc&term=zz&term=x"
    "&staff=abc&pupil=abc&pupil_id=abc&group=x&group=y&figure=x&level=x&show=x&due=x"
    "&overdue=x&whole_year=x&sort=name;DROP&next=//evil.example"
)
HUGE_NUMBERS = f"?page={10**30}&year={10**30}&type={10**30}&staff={10**30}&pupil={10**30}"


@pytest.mark.requirement("R36")
def test_r36_polluted_queries_and_huge_numbers_are_never_a_500(app, client, auth, hostile):
    assert auth.login(hostile.leader.email).status_code == 302
    for query in (POLLUTED, HUGE_NUMBERS):
        for path in _get_pages(app, hostile.ids, query):
            response = client.get(path)
            assert response.status_code in (200, 302, 400, 403, 404, 429), path
            response.close()
    assert client.get("/audit/" + HUGE_NUMBERS).status_code == 400
    assert client.get(f"/audit/?page=000000000000{10**30}").status_code == 400
    assert client.get("/audit/?page=0000000000002").status_code == 200


@pytest.mark.requirement("R36")
@pytest.mark.parametrize("big", [2**31, 2**63, 10**30])
def test_r36_ids_no_row_can_have_are_404_not_500(app, client, auth, hostile, big):
    assert auth.login(hostile.leader.email).status_code == 302
    huge = {key: big if isinstance(value, int) else value for key, value in hostile.ids.items()}
    paths = [path for path in _get_pages(app, huge) if str(big) in path]
    assert len(paths) > 15
    for path in paths:
        assert client.get(path).status_code == 404, path


# --- R37 CSRF switched on: missing, foreign and expired tokens ------------------------------

TOKEN = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')


def _csrf_app(make_app, database_url, **overrides):
    return make_app(make_config(database_url, WTF_CSRF_ENABLED=True, **overrides))


def _signed_in(app, user):
    client = app.test_client()
    token = TOKEN.search(client.get("/login").get_data(as_text=True))[1]
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    return client


def _page_token(client, path="/admin/users") -> str:
    return TOKEN.search(client.get(path).get_data(as_text=True))[1]


def _active(app, user_id) -> bool:
    with app.app_context():
        return db.session.get(User, user_id).active


@pytest.mark.requirement("R37")
def test_r37_token_lifetime_is_within_the_session_lifetime():
    for config in (Config, ProductionConfig):
        limit = config.WTF_CSRF_TIME_LIMIT
        assert limit and limit <= config.PERMANENT_SESSION_LIFETIME.total_seconds()
        assert limit <= config.SESSION_ABSOLUTE_HOURS * 3600


@pytest.mark.requirement("R37")
def test_r37_missing_token_is_refused_and_changes_nothing(make_app, database_url, school, people):
    app = _csrf_app(make_app, database_url)
    client = _signed_in(app, people["admin"])
    response = client.post(f"/admin/users/{people['staff'].id}/deactivate")
    assert response.status_code == 400 and _active(app, people["staff"].id)


@pytest.mark.requirement("R37")
def test_r37_another_signed_in_users_token_is_refused(make_app, database_url, school, people):
    app = _csrf_app(make_app, database_url)
    admin = _signed_in(app, people["admin"])
    other = _signed_in(app, people["leader"])
    foreign = _page_token(other, "/")
    response = admin.post(
        f"/admin/users/{people['staff'].id}/deactivate", data={"csrf_token": foreign}
    )
    assert response.status_code == 400 and _active(app, people["staff"].id)


@pytest.mark.requirement("R37")
def test_r37_expired_token_gets_a_friendly_400_then_a_fresh_one_works(
    make_app, database_url, school, people
):
    app = _csrf_app(make_app, database_url, WTF_CSRF_TIME_LIMIT=600)
    url = f"/admin/users/{people['staff'].id}/deactivate"
    with freeze_time(TODAY.isoformat() + " 10:00:00") as frozen:
        client = _signed_in(app, people["admin"])
        token = _page_token(client)
        frozen.tick(timedelta(seconds=601))
        response = client.post(url, data={"csrf_token": token})
        body = response.get_data(as_text=True)
        assert response.status_code == 400 and _active(app, people["staff"].id)
        assert "Your form expired" in body and "reference" in body and "CSRF" not in body
        fresh = client.post(url, data={"csrf_token": _page_token(client)})
    assert fresh.status_code == 302 and not _active(app, people["staff"].id)


# --- R40/R41 headers on every kind of response; no CORS --------------------------------------

CSP_DIRECTIVES = (
    "default-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
    "script-src 'self'",
)


def _sample(app, client, auth, people, kind):
    """One response of each kind, over HTTPS as production serves it."""
    get = lambda path: client.get(  # noqa: E731
        path, base_url="https://localhost", headers={"Origin": "https://evil.example"}
    )
    if kind in ("anonymous", "static"):
        return get("/login" if kind == "anonymous" else "/static/css/app.css"), False
    who = people["leader"] if kind == "xlsx" else people["staff"]
    client.post(
        "/login", base_url="https://localhost", data={"email": who.email, "password": PASSWORD}
    )
    if kind == "server_error":
        app.config["PROPAGATE_EXCEPTIONS"] = False
        return get("/explode-for-test"), True
    path = {
        "authenticated": "/",
        "not_found": "/no-such-page",
        "xlsx": f"/reports/pupils/{people['pupil'].id}/subject-access.xlsx",
    }[kind]
    return get(path), True


@pytest.mark.requirement("R38", "R40")
@pytest.mark.parametrize(
    "kind", ["anonymous", "authenticated", "not_found", "server_error", "static", "xlsx"]
)
def test_r40_security_headers_on_every_kind_of_response(app, client, auth, people, kind):
    @app.get("/explode-for-test")
    def explode():
        raise RuntimeError("boom")

    explode.allowed_roles = frozenset(Role)
    response, signed_in = _sample(app, client, auth, people, kind)
    expected = {"not_found": 404, "server_error": 500}.get(kind, 200)
    assert response.status_code == expected, response.get_data(as_text=True)[:300]
    if kind == "xlsx":
        assert "attachment" in response.headers["Content-Disposition"]
    headers = response.headers
    hsts = dict(
        part.strip().partition("=")[::2] for part in headers["Strict-Transport-Security"].split(";")
    )
    assert int(hsts["max-age"]) >= 31536000 and "includeSubDomains" in hsts
    csp = headers["Content-Security-Policy"]
    assert all(directive in csp for directive in CSP_DIRECTIVES), csp
    script_src = re.search(r"script-src([^;]*)", csp)[1]
    assert "unsafe-inline" not in script_src and "unsafe-eval" not in script_src
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] in ("same-origin", "strict-origin-when-cross-origin")
    assert headers["X-Frame-Options"] == "DENY"
    if signed_in:
        assert headers["Cache-Control"] == "no-store"
    for banner in ("Server", "X-Powered-By", "Access-Control-Allow-Origin"):
        assert banner not in headers
    response.close()


@pytest.mark.requirement("R41")
def test_r41_cors_preflight_gets_no_allow_origin(client):
    response = client.options(
        "/pupils/",
        headers={
            "Origin": "https://evil.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "X-CSRFToken",
        },
    )
    names = [name.lower() for name, _value in response.headers.items()]
    assert [name for name in names if name.startswith("access-control-")] == []


# --- R42 hosts ---------------------------------------------------------------------------------


@pytest.mark.requirement("R42")
def test_r42_trusted_hosts_from_the_environment_refuse_other_hosts(
    make_app, database_url, monkeypatch
):
    """R42: as the README deploys it (SCHOOL_TRACKER_TRUSTED_HOSTS as JSON)."""
    monkeypatch.setenv("SCHOOL_TRACKER_TRUSTED_HOSTS", '["tracker.example.org"]')
    client = make_app(production_config(database_url)).test_client()
    evil = client.get("/healthz", headers={"Host": "evil.example"})
    body = evil.get_data(as_text=True)
    assert evil.status_code == 400 and "Traceback" not in body and "evil.example" not in body
    assert client.get("/healthz", headers={"Host": "tracker.example.org"}).status_code == 200


# --- R65 errors: a friendly page with a reference for every code; nothing internal ------------

ERROR_CODES = [400, 401, 403, 404, 405, 413, 429, 500]
REFERENCE = re.compile(r'reference <span class="font-monospace">([0-9a-f]{6,})</span>')


@pytest.mark.requirement("R65")
def test_r65_every_required_code_has_its_own_handler(app):
    handlers = app.error_handler_spec[None]
    assert [code for code in ERROR_CODES if not handlers.get(code)] == []


@pytest.mark.requirement("R65")
@pytest.mark.parametrize("code", ERROR_CODES)
def test_r65_each_error_page_is_friendly_with_a_reference(app, client, login_as, code, caplog):
    from school_tracker.errors import MESSAGES

    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/fail-for-test")
    def fail():
        if code == 500:
            raise sa.exc.IntegrityError(
                "INSERT INTO pupils (upn) VALUES (?)", {}, Exception("UNIQUE constraint failed")
            )
        abort(code)

    fail.allowed_roles = frozenset(Role)
    login_as(Role.STAFF)
    with caplog.at_level(logging.INFO):
        response = client.get("/fail-for-test")
    body = response.get_data(as_text=True)
    assert response.status_code == code
    assert MESSAGES[code][0].replace("'", "&#39;") in body
    reference = REFERENCE.search(body)[1]
    for leak in ("Traceback", "sqlalchemy", "werkzeug", 'File "', "INSERT", "UNIQUE", "/work"):
        assert leak not in body
    if code == 500:  # the same reference is in the server's log, with the detail
        assert any(reference in record.getMessage() for record in caplog.records)
    assert app.debug is False


# --- R66 fail closed -------------------------------------------------------------------------


class _BrokenRoleLookup:
    """A role table whose look-up fails, as a policy backed by a broken store would."""

    def __contains__(self, role):
        raise RuntimeError("role store unavailable")


@pytest.mark.requirement("R66")
def test_r66_an_exception_in_the_permission_check_denies(app, client, login_as):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/guarded-for-test")
    def guarded():
        return "the protected content"

    guarded.allowed_roles = _BrokenRoleLookup()
    login_as(Role.ADMIN)
    response = client.get("/guarded-for-test")
    assert response.status_code == 403
    assert "the protected content" not in response.get_data(as_text=True)


def _upload(client, data: bytes):
    import io

    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart

    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), filename="r.csv")})
    response = client.post(
        "/imports/", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response.headers["Location"].rsplit("/", 1)[-1]


@pytest.mark.requirement("R66")
def test_r66_an_import_failing_at_row_50_changes_nothing(app, client, school, people):
    from tests.factories.imports import roll_csv

    client.post("/login", data={"email": people["admin"].email, "password": PASSWORD})
    first = _upload(client, roll_csv(100))
    assert client.post(f"/imports/{first}/confirm").status_code == 302
    second = _upload(client, roll_csv(120, **{"Legal Surname": "Changed"}))  # 100 edits, 20 new
    updates = []

    def fail_at_row_50(mapper, connection, target):
        updates.append(target.upn)
        if len(updates) == 50:
            raise RuntimeError("disk full")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    sa.event.listen(Pupil, "before_update", fail_at_row_50)
    try:
        response = client.post(f"/imports/{second}/confirm")
    finally:
        sa.event.remove(Pupil, "before_update", fail_at_row_50)
    assert response.status_code == 500 and len(updates) == 50
    with app.app_context():
        surnames = set(db.session.scalars(sa.select(Pupil.legal_surname)))
        status = db.session.get(RollImport, second).status
    assert "Changed" not in surnames and "Surname50" in surnames  # every row as it was
    assert _count(app, Pupil) == 101 and status is RollImportStatus.PREVIEWED  # no new rows


# --- R74 SECRET_KEY: refused when missing; rotation through SECRET_KEY_FALLBACKS --------------


@pytest.mark.requirement("R74")
def test_r74_production_without_a_secret_key_in_the_environment_will_not_start(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key != "SECRET_KEY" and not key.startswith("SCHOOL_TRACKER_")
    }
    env.update(APP_ENV="production", RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/15")
    result = subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


@pytest.mark.requirement("R74")
def test_r74_a_rotated_key_keeps_sessions_and_seeds_through_fallbacks(
    make_app, database_url, people, monkeypatch
):
    from school_tracker.auth import totp

    old, new = "old-key-" + "o" * 40, "new-key-" + "n" * 40
    before = make_app(make_config(database_url, SECRET_KEY=old))
    client = before.test_client()
    client.post("/login", data={"email": people["staff"].email, "password": PASSWORD})
    cookie = client.get_cookie("session").value
    with before.app_context():
        seed = totp.encrypt_secret("JBSWY3DPEHPK3PXP")

    monkeypatch.setenv("SCHOOL_TRACKER_SECRET_KEY_FALLBACKS", f'["{old}"]')
    rotated = make_app(make_config(database_url, SECRET_KEY=new))
    monkeypatch.delenv("SCHOOL_TRACKER_SECRET_KEY_FALLBACKS")
    without = make_app(make_config(database_url, SECRET_KEY=new))
    for app, signed_in in ((rotated, True), (without, False)):
        browser = app.test_client()
        browser.set_cookie("session", cookie)
        assert (browser.get("/").status_code == 200) is signed_in
    with rotated.app_context():
        assert totp.decrypt_secret(seed) == "JBSWY3DPEHPK3PXP"
    with without.app_context(), pytest.raises(Exception, match="no configured key"):
        totp.decrypt_secret(seed)


# --- R75 no debug in production --------------------------------------------------------------


@pytest.mark.requirement("R75")
def test_r75_production_ignores_every_debug_switch(make_app, database_url, monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    monkeypatch.setenv("SCHOOL_TRACKER_DEBUG", "true")
    app = make_app(production_config(database_url))
    assert app.debug is False and app.config["DEBUG"] is False


@pytest.mark.requirement("R75")
def test_r75_the_code_never_starts_the_development_server():
    sources = [ROOT / "wsgi.py", *(ROOT / "school_tracker").rglob("*.py")]
    offenders = [
        str(path.relative_to(ROOT))
        for path in sources
        if re.search(
            r"\.run\(\s*(debug|host|port|\))|run_simple\(|DebuggedApplication", path.read_text()
        )
    ]
    assert offenders == []


# --- R76 ProxyFix decides the address rate limits and audit see -----------------------------


def _limited_app(make_app, database_url, **overrides):
    return make_app(
        make_config(
            database_url,
            LOGIN_LIMIT_PER_ADDRESS="2 per minute",
            LOGIN_LIMIT_PER_ACCOUNT="100 per minute",
            **overrides,
        )
    )


def _wrong_password(client, forwarded_for: str) -> int:
    return client.post(
        "/login",
        data={"email": "nobody@example.org", "password": "wrong-password-123"},
        headers={"X-Forwarded-For": forwarded_for},
    ).status_code


def _login_address(app, client, user, forwarded_for: str) -> str:
    client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD},
        headers={"X-Forwarded-For": forwarded_for},
    )
    with app.app_context():
        return db.session.scalar(
            sa.select(school_tracker.models.AuditEntry.ip_address)
            .where(school_tracker.models.AuditEntry.action == "login")
            .order_by(school_tracker.models.AuditEntry.id.desc())
        )


@pytest.mark.requirement("R76")
def test_r76_with_one_proxy_the_last_forwarded_address_is_the_client(
    make_app, database_url, people
):
    app = _limited_app(make_app, database_url, PROXY_FIX_X_FOR=1)
    client = app.test_client()
    assert [_wrong_password(client, "1.1.1.1, 2.2.2.2") for _ in range(3)] == [200, 200, 429]
    assert _wrong_password(client, "9.9.9.9, 2.2.2.2") == 429  # the spoofable part is ignored
    assert _wrong_password(client, "1.1.1.1, 3.3.3.3") == 200  # another client behind the proxy
    assert _login_address(app, app.test_client(), people["staff"], "1.1.1.1, 4.4.4.4") == (
        "4.4.4.4"
    )


@pytest.mark.requirement("R76")
def test_r76_without_proxyfix_a_forged_header_changes_nothing(make_app, database_url, people):
    app = _limited_app(make_app, database_url)
    client = app.test_client()
    assert _login_address(app, app.test_client(), people["staff"], "6.6.6.6") == "127.0.0.1"
    statuses = [_wrong_password(client, f"10.0.0.{n}") for n in range(2)]
    assert statuses == [200, 429]  # the sign-in above was the first of the two


# --- R77 rate-limit storage --------------------------------------------------------------------


@pytest.mark.requirement("R77")
def test_r77_production_takes_its_limit_storage_from_the_environment(database_url):
    assert (
        os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
        == ProductionConfig.RATELIMIT_STORAGE_URI
    )
    with pytest.raises(RuntimeError, match="RATELIMIT_STORAGE_URI"):
        create_app(production_config(database_url, RATELIMIT_STORAGE_URI="memory://?x=1"))


# --- R78 supply chain: what can be checked offline ------------------------------------------


@pytest.mark.requirement("R78")
def test_r78_parser_hardening_and_argon2_are_required_dependencies():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    required = {
        re.split(r"[\[<>=~ ]", dep, maxsplit=1)[0].lower() for dep in project["dependencies"]
    }
    assert {"defusedxml", "argon2-cffi"} <= required


# --- R79 hardening probes: nothing but the app is served --------------------------------------


@pytest.mark.requirement("R79")
@pytest.mark.parametrize(
    "path",
    [
        "/.git/HEAD",
        "/.git/config",
        "/static/../config.py",
        "/static/%2e%2e/wsgi.py",
        "/static/..%2fconfig.py",
        "/static/",
        "/static/css/",
        "/static/css/app.css.bak",
        "/config.py",
        "/wsgi.py",
        "/.env",
        "/metrics",
        "/docs",
        "/swagger.json",
        "/console",
        "/server-status",
    ],
)
def test_r79_probes_find_nothing(client, login_as, path):
    for signed_in in (False, True):
        if signed_in:
            login_as(Role.ADMIN)
        response = client.get(path)
        assert response.status_code in (302, 404), (path, response.status_code)
        assert b"SECRET_KEY" not in response.data and b"[core]" not in response.data
        response.close()


@pytest.mark.requirement("R79")
def test_r79_trace_and_other_methods_are_refused(client):
    for method in ("TRACE", "PUT", "DELETE", "PATCH"):
        response = client.open("/", method=method)
        assert response.status_code == 405, method
        assert b"TRACE / HTTP" not in response.data
