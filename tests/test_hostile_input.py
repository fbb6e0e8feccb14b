"""Every hostile input gets a clean answer (issue 11, items 2-5).

Numbers: every numeric field of every form is found from the form classes (as the R28 walk
finds text fields) and sent each hostile value, on its own and then through every page that
uses the form: a form error each time, never a 500, and nothing saved. Uploads: link and folder
entries in a workbook are refused; a long file name keeps its extension. Bodies: every form
body, URL-encoded or multipart, has a size limit with a clear 413 page.
"""

import html
import io
import stat
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart
from wtforms import DecimalField, FloatField, IntegerField
from wtforms.fields.core import UnboundField
from wtforms.form import BaseForm
from wtforms.validators import Length

from school_tracker import create_app
from school_tracker.calendar.terms import school_today
from school_tracker.exclusions import services as exclusion_services
from school_tracker.extensions import db
from school_tracker.forms import BoundedDecimalField, BoundedFloatField, BoundedIntegerField
from school_tracker.imports.apply import MAX_FILE_NAME, clean_file_name
from school_tracker.imports.filecheck import ImportFileError, check_xlsx_zip, detect_kind
from school_tracker.learning import services as learning_services
from school_tracker.models import (
    ExclusionKind,
    Intervention,
    LearningRecord,
    Pupil,
    Role,
    RollImport,
    User,
)
from tests.conftest import PASSWORD, make_config
from tests.factories.interventions import make_intervention
from tests.factories.mentoring import make_pairing
from tests.factories.risk import reason_id, seed_reference
from tests.support.form_walk import all_forms, field_validators, form_fields

TODAY = school_today()

# --- item 2: numbers out of range are form errors everywhere ---------------------------------

HOSTILE_NUMBERS = [
    "1e27",
    "1e309",
    "-1e309",
    "1E+400",
    "NaN",
    "Infinity",
    "-inf",
    str(2**63),
    "9" * 40,
    "-" + "9" * 40,
    "1,5",
    "1_000",
    "\u0661\u0662",  # Arabic-Indic digits: int() reads them as 12
    "0x10",
    "1.5.2",
    "9" * 5000,  # beyond int()'s 4,300-digit limit
]
WTFORMS_NUMBERS = (IntegerField, DecimalField, FloatField)
BOUNDED = (BoundedIntegerField, BoundedDecimalField, BoundedFloatField)


def _numeric_fields() -> list:
    return [
        pytest.param(cls, name, unbound, id=f"{cls.__qualname__}.{name}")
        for cls in all_forms()
        for name, unbound in form_fields(cls)
        if issubclass(unbound.field_class, WTFORMS_NUMBERS)
    ]


NUMERIC_FIELDS = _numeric_fields()


def _bind(app, name: str, unbound: UnboundField, value: str):
    """Bind one field on its own, submit `value` and validate; return the field."""
    with app.test_request_context(method="POST"):
        form = BaseForm([(name, unbound)])
        form.process(MultiDict([(name, value)]))
        form.validate()
        return form[name]


@pytest.fixture(scope="module")
def form_app(database_url):
    """One app for binding fields on their own: validating a field touches no table."""
    return create_app(make_config(database_url))


def test_the_walk_finds_every_numeric_field():
    found = {f"{p.values[0].__qualname__}.{p.values[1]}" for p in NUMERIC_FIELDS}
    assert {"LearningForm.hours", "InterventionForm.cost", "SessionForm.minutes"} <= found
    assert {"OutcomeForm.exit_score", "ExclusionForm.sessions"} <= found
    assert len(found) >= 10


@pytest.mark.parametrize(("cls", "name", "unbound"), NUMERIC_FIELDS)
def test_every_numeric_field_holds_its_own_range(cls, name, unbound):
    """A plain IntegerField, DecimalField or FloatField reads 1e309 as infinity or NaN."""
    assert issubclass(unbound.field_class, BOUNDED), f"{cls.__qualname__}.{name}"
    assert {"minimum", "maximum"} <= set(unbound.kwargs)


@pytest.mark.parametrize(("cls", "name", "unbound"), NUMERIC_FIELDS)
def test_every_numeric_field_refuses_every_hostile_number(form_app, cls, name, unbound):
    for value in HOSTILE_NUMBERS:
        field = _bind(form_app, name, unbound, value)
        assert field.errors, f"{cls.__qualname__}.{name} accepted {value[:50]!r}"
        assert field.data is None, value[:50]


@pytest.mark.parametrize(("cls", "name", "unbound"), NUMERIC_FIELDS)
def test_every_numeric_field_accepts_both_ends_of_its_range(form_app, cls, name, unbound):
    """The refusals above are not a field that refuses everything."""
    for end in (unbound.kwargs["minimum"], unbound.kwargs["maximum"]):
        field = _bind(form_app, name, unbound, str(end))
        assert field.errors == [] and field.data == end, (end, field.errors)
        assert isinstance(field.data, Decimal | int | float)
        beyond = Decimal(end) + (1 if end == unbound.kwargs["maximum"] else -1)
        assert _bind(form_app, name, unbound, str(beyond)).errors, beyond


def test_numbers_are_read_as_people_type_them(form_app):
    """Whole, decimal and comma mistakes each get a message that says what to do."""
    hours = BoundedDecimalField(places=1, minimum=Decimal("0.5"), maximum=100)
    minutes = BoundedIntegerField(minimum=1, maximum=600)
    assert _bind(form_app, "hours", hours, " 1.5 ").data == Decimal("1.5")
    assert _bind(form_app, "hours", hours, "1.50").data == Decimal("1.5")
    assert _bind(form_app, "hours", hours, "1.25").errors == ["Give at most one decimal place."]
    assert _bind(form_app, "hours", hours, "1,5").errors[0].startswith("Use a full stop")
    assert _bind(form_app, "hours", hours, "1e27").errors == ["Enter a number, such as 1.5."]
    assert _bind(form_app, "hours", hours, "9" * 40).errors == [
        "Number must be between 0.5 and 100."
    ]
    assert _bind(form_app, "minutes", minutes, "45.0").data == 45
    assert _bind(form_app, "minutes", minutes, "45.5").errors == [
        "Enter a whole number, such as 12."
    ]
    assert _bind(form_app, "minutes", minutes, "").errors == []  # blank: required decides
    scores = BoundedFloatField(minimum=-10, maximum=10)
    assert _bind(form_app, "score", scores, "-2.5").data == -2.5


# --- item 2 through the pages: every route that uses a numeric form --------------------------


@dataclass(frozen=True)
class NumericPage:
    """A page posting a form with numeric fields: who may post, where, and a valid body."""

    form: str
    name: str
    who: str
    build: Callable[..., tuple[str, dict]]  # (app, world) -> (url, valid data)


def _plan_data(world, **changes) -> dict:
    start = TODAY - timedelta(days=7)
    return {
        "type_id": world["type_id"],
        "mode": "individual",
        "pupil_ids": [world["pupils"][2].id],
        "lead_id": world["staff"].id,
        "measure": "SDQ",
        "score_min": "0",
        "score_max": "40",
        "intended_outcome": "Calmer at lunchtimes.",
        "planned_sessions": "12",
        "frequency": "weekly",
        "cost": "120.50",
        "funding_stream": "pupil_premium",
        "start_date": start.isoformat(),
        "review_date": (start + timedelta(days=42)).isoformat(),
        **changes,
    }


def _version(app, model, ident: int) -> str:
    with app.app_context():
        return str(db.session.get(model, ident).version_id)


def _intervention_new(app, world):
    return "/interventions/new", _plan_data(world)


def _intervention_edit(app, world):
    ident = world["individual"]
    data = _plan_data(world, version=_version(app, Intervention, ident))
    del data["mode"], data["pupil_ids"]
    return f"/interventions/{ident}/edit", data


def _participant_new(app, world):
    return f"/interventions/{world['group']}/pupils/new", {
        "pupil_id": world["pupils"][0].id,
        "start_date": TODAY.isoformat(),
        "baseline_score": "12",
    }


def _participant_part(app, world) -> tuple[int, int, str]:
    ident = world["individual"]
    with app.app_context():
        part = db.session.get(Intervention, ident).participants[0]
        return ident, part.id, str(part.version_id)


def _participant_edit(app, world):
    ident, part, version = _participant_part(app, world)
    data = {"start_date": TODAY.isoformat(), "baseline_score": "14", "version": version}
    return f"/interventions/{ident}/pupils/{part}/edit", data


def _outcome(app, world):
    ident, part, version = _participant_part(app, world)
    data = {
        "end_date": TODAY.isoformat(),
        "exit_score": "30",
        "sessions_attended": "10",
        "impact": "1",
        "version": version,
    }
    return f"/interventions/{ident}/pupils/{part}/outcome", data


def _exclusion_data(app) -> dict:
    with app.app_context():
        reason = reason_id("DB")
    return {
        "kind": "suspension",
        "start_date": TODAY.isoformat(),
        "sessions": "4",
        "reason_1": str(reason),
        "reason_2": "",
        "reason_3": "",
    }


def _exclusion_new(app, world):
    return f"/exclusions/pupils/{world['pupils'][0].id}/new", _exclusion_data(app)


def _exclusion_edit(app, world):
    with app.app_context():
        exclusion = exclusion_services.record_exclusion(
            db.session.get(Pupil, world["pupils"][1].id),
            exclusion_services.ExclusionData(
                kind=ExclusionKind.SUSPENSION,
                start_date=TODAY - timedelta(days=3),
                sessions=2,
                reason_ids=[reason_id("VA")],
            ),
            by=db.session.get(User, world["leader"].id),
        )
        db.session.commit()
        ident = exclusion.id
    return f"/exclusions/{ident}/edit", {**_exclusion_data(app), "version": "1"}


def _session_new(app, world):
    pairing = make_pairing(
        app, world["pupils"][0], world["staff"], starts_on=TODAY - timedelta(days=30)
    )
    data = {
        "held_on": TODAY.isoformat(),
        "minutes": "40",
        "activities": "Built a den.",
        "wellbeing_start": "2",
        "wellbeing_end": "4",
    }
    return f"/mentoring/{pairing}/sessions/new", data


def _learning_data(world) -> dict:
    return {
        "staff_id": world["staff"].id,
        "held_on": TODAY.isoformat(),
        "activity": "Phonics",
        "hours": "1.5",
        "priorities": ["P3"],
    }


def _learning_new(app, world):
    return "/learning/new", _learning_data(world)


def _learning_edit(app, world):
    with app.app_context():
        record = learning_services.create_learning(
            world["school"].id,
            learning_services.LearningData(
                staff_id=world["staff"].id,
                held_on=TODAY - timedelta(days=2),
                activity="INSET",
                hours_tenths=35,
                focus="",
                reflection="",
            ),
            [],
            by=db.session.get(User, world["staff"].id),
            today=TODAY,
        )
        db.session.commit()
        ident = record.id
    return f"/learning/{ident}/edit", {
        **_learning_data(world),
        "version": _version(app, LearningRecord, ident),
    }


NUMERIC_PAGES = [
    NumericPage("InterventionForm", "new intervention", "staff", _intervention_new),
    NumericPage("InterventionForm", "edit intervention", "staff", _intervention_edit),
    NumericPage("ParticipantForm", "add to a group", "staff", _participant_new),
    NumericPage("ParticipantForm", "edit a participant", "staff", _participant_edit),
    NumericPage("OutcomeForm", "record an outcome", "staff", _outcome),
    NumericPage("ExclusionForm", "record a suspension", "leader", _exclusion_new),
    NumericPage("ExclusionForm", "edit a suspension", "leader", _exclusion_edit),
    NumericPage("SessionForm", "log a mentoring session", "staff", _session_new),
    NumericPage("LearningForm", "new CPD", "staff", _learning_new),
    NumericPage("LearningForm", "edit CPD", "staff", _learning_edit),
]


def _page_cases() -> list:
    by_form: dict[str, list] = {}
    for param in NUMERIC_FIELDS:
        by_form.setdefault(param.values[0].__qualname__, []).append(param.values[1:])
    return [
        pytest.param(page, name, unbound, id=f"{page.name}.{name}")
        for page in NUMERIC_PAGES
        for name, unbound in by_form.get(page.form, [])
    ]


def test_every_form_with_a_number_has_its_pages_walked():
    """A new form with a numeric field fails here until its pages join NUMERIC_PAGES."""
    forms_with_numbers = {p.values[0].__qualname__ for p in NUMERIC_FIELDS}
    assert forms_with_numbers == {page.form for page in NUMERIC_PAGES}


@pytest.fixture
def world(app, make_school, make_user, make_pupil):
    """A school with staff, a leader, pupils, an individual and a group intervention."""
    seed_reference(app)
    school = make_school()
    staff = make_user(Role.STAFF, school=school, full_name="Sam Staff")
    pupils = [make_pupil(school, legal_surname=f"Pupil{n}") for n in range(4)]
    individual = make_intervention(app, school, staff, pupils[:1])
    group = make_intervention(app, school, staff, pupils[1:3])
    with app.app_context():
        kind = db.session.get(Intervention, individual).type_id
    return {
        "school": school,
        "staff": staff,
        "leader": make_user(Role.LEADER, school=school, full_name="Lee Leader"),
        "pupils": pupils,
        "individual": individual,
        "group": group,
        "type_id": kind,
    }


def _database(app) -> dict[str, list[str]]:
    """Every row of every table, so "nothing saved" covers audit entries and versions too."""
    with app.app_context():
        return {
            table.name: sorted(repr(tuple(row)) for row in db.session.execute(sa.select(table)))
            for table in db.metadata.sorted_tables
        }


@pytest.mark.parametrize(("page", "name", "unbound"), _page_cases())
def test_every_page_answers_hostile_numbers_with_a_form_error(
    app, client, auth, world, form_app, page, name, unbound
):
    """Issue 11 item 2: no 500, the field's own error on the page, nothing saved anywhere."""
    url, valid = page.build(app, world)
    auth.login(world[page.who].email, PASSWORD)
    before = _database(app)
    for value in HOSTILE_NUMBERS:
        response = client.post(url, data={**valid, name: value})
        assert response.status_code == 200, (value[:50], response.status_code)
        text = response.get_data(as_text=True)
        for error in _bind(form_app, name, unbound, value).errors:
            assert html.escape(error) in text, (value[:50], error)
    assert _database(app) == before
    # The same form with a good number saves, so the refusals above were the number's.
    assert client.post(url, data=valid).status_code == 302
    assert _database(app) != before


@pytest.mark.parametrize("version", ["1e27", str(2**63), "9" * 40, "NaN"])
def test_a_hostile_version_is_a_stale_edit_not_a_500(app, client, auth, world, version):
    url, valid = _learning_edit(app, world)
    auth.login(world["staff"].email, PASSWORD)
    assert client.post(url, data={**valid, "version": version}).status_code == 409


# --- item 3: link, folder and device entries in a workbook are refused -----------------------


def _workbook(extra: zipfile.ZipInfo | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        if extra is not None:
            archive.writestr(extra, "" if extra.filename.endswith("/") else "target.xml")
    return buffer.getvalue()


def _entry(name: str, mode: int = 0, dos: int = 0) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system = 3 if mode else 0
    info.external_attr = (mode << 16) | dos
    return info


NON_FILE_ENTRIES = [
    pytest.param(_entry("xl/link.xml", stat.S_IFLNK | 0o777), id="symlink"),
    pytest.param(_entry("xl/media/", stat.S_IFDIR | 0o755), id="unix-folder"),
    pytest.param(_entry("xl/media/"), id="folder-by-name"),
    pytest.param(_entry("xl/media", dos=0x10), id="dos-folder"),
    pytest.param(_entry("xl/fifo", stat.S_IFIFO | 0o644), id="fifo"),
    pytest.param(_entry("xl/device", stat.S_IFCHR | 0o644), id="character-device"),
]


@pytest.mark.parametrize("entry", NON_FILE_ENTRIES)
def test_a_workbook_with_a_link_or_folder_entry_is_refused(entry):
    data = _workbook(entry)
    with pytest.raises(ImportFileError, match="link or folder entry"):
        check_xlsx_zip(data)
    with pytest.raises(ImportFileError, match="link or folder entry"):
        detect_kind(data, "roll.xlsx")


@pytest.mark.parametrize(
    "entry",
    [
        pytest.param(None, id="python-zipfile-0o600"),
        pytest.param(_entry("xl/styles.xml", stat.S_IFREG | 0o644), id="unix-regular-file"),
        pytest.param(_entry("xl/styles.xml", dos=0x20), id="dos-archive-bit"),
    ],
)
def test_plain_file_entries_are_still_accepted(entry):
    assert detect_kind(_workbook(entry), "roll.xlsx") == "xlsx"


def test_a_real_openpyxl_workbook_is_still_accepted():
    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)
    assert detect_kind(buffer.getvalue(), "roll.xlsx") == "xlsx"


# --- item 4: a long upload name keeps its extension ------------------------------------------


@pytest.mark.parametrize(
    ("extension", "kind", "data"),
    [("csv", "csv", b"UPN,Surname\n"), ("CSV", "csv", b"UPN\n"), ("xlsx", "xlsx", _workbook())],
)
def test_a_300_character_name_keeps_its_extension(extension, kind, data):
    cleaned = clean_file_name("r" * (300 - len(extension) - 1) + "." + extension)
    assert len(cleaned) == MAX_FILE_NAME and cleaned.endswith("." + extension)
    assert detect_kind(data, cleaned) == kind


def test_names_without_a_short_extension_are_cut_as_before():
    assert clean_file_name("x" * 999) == "x" * MAX_FILE_NAME
    assert clean_file_name("roll." + "y" * 400) == ("roll." + "y" * 400)[:MAX_FILE_NAME]
    assert clean_file_name("C:\\fakepath\\" + "z" * 300 + ".csv").endswith("z.csv")


@pytest.fixture
def admin(app, make_school, make_user, client):
    school = make_school()
    user = make_user(Role.ADMIN, school=school)
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    return user


def _multipart(client, url: str, fields: dict):
    # Encoded in memory: the test client would otherwise spool a large body to a temporary file.
    boundary, body = encode_multipart(MultiDict(fields))
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def test_a_long_named_csv_upload_is_read_as_csv(app, client, admin):
    """Issue 11 item 4: refused as "not .csv or .xlsx" before the fix."""
    name = "Spring term roll export " * 13 + ".csv"  # 316 characters
    assert len(name) > 300
    body = b"UPN,Legal surname\nnot-a-upn,Okafor\n"
    response = _multipart(client, "/imports/", {"file": FileStorage(io.BytesIO(body), name)})
    text = response.get_data(as_text=True)
    assert response.status_code == 400  # the rows are refused, the file type is not
    assert "Only .csv and .xlsx files can be imported" not in text
    assert html.escape(clean_file_name(name)) in text  # the row-errors page, naming the file
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RollImport)) == 0


# --- item 5: every form body has a size limit, with a clear 413 page -------------------------


def test_the_form_limit_is_set_and_far_below_the_upload_limit(app):
    assert app.config["MAX_FORM_MEMORY_SIZE"] is not None
    assert app.config["MAX_FORM_MEMORY_SIZE"] * 4 <= app.config["MAX_CONTENT_LENGTH"]


def test_no_form_filled_within_its_own_limits_reaches_the_form_limit(app):
    """Every text field at its maximum in 4-byte characters (12 bytes percent-encoded)."""
    largest = max(
        sum(
            min(v.max for v in field_validators(unbound) if isinstance(v, Length) and v.max != -1)
            for _, unbound in form_fields(cls)
            if any(isinstance(v, Length) and v.max != -1 for v in field_validators(unbound))
        )
        for cls in all_forms()
    )
    assert largest > 30_000  # the intervention plan, with its three long text fields
    assert largest * 12 + 10_000 < app.config["MAX_FORM_MEMORY_SIZE"]


def test_a_2_mb_url_encoded_field_is_a_413_and_saves_nothing(app, client, auth, world):
    """Issue 11 item 5: this was accepted and saved."""
    auth.login(world["staff"].email, PASSWORD)
    data = {**_learning_data(world), "reflection": "x" * (2 * 1024 * 1024)}
    before = _database(app)
    response = client.post("/learning/new", data=data)
    assert response.status_code == 413
    text = response.get_data(as_text=True)
    assert "That was too large to send" in text and "That form is too large to save" in text
    assert _database(app) == before
    assert client.post("/learning/new", data=_learning_data(world)).status_code == 302


def test_a_body_just_over_the_limit_is_refused_and_one_under_is_read(app, client, auth, world):
    auth.login(world["staff"].email, PASSWORD)
    limit = app.config["MAX_FORM_MEMORY_SIZE"]
    base = _learning_data(world)
    encoded = len("&".join(f"{k}={v}" for k, v in base.items())) + len("&reflection=")
    over = client.post("/learning/new", data={**base, "reflection": "x" * (limit + 1)})
    assert over.status_code == 413
    # Just under the limit the body is read and the field's own length rule answers.
    under = client.post("/learning/new", data={**base, "reflection": "x" * (limit - encoded - 50)})
    assert under.status_code == 200 and "10000" in under.get_data(as_text=True)


def test_a_2_mb_text_part_in_a_multipart_form_is_a_413(app, client, auth, world):
    auth.login(world["staff"].email, PASSWORD)
    data = {**_learning_data(world), "reflection": "x" * (2 * 1024 * 1024)}
    before = _database(app)
    response = _multipart(client, "/learning/new", data)
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)
    assert _database(app) == before


def test_a_roll_file_bigger_than_the_form_limit_still_uploads(app, client, admin):
    """The roll import is multipart, so the 5 MB upload limit, not the form limit, holds it."""
    rows = "".join(f"A{n:012d},Surname{n}\n" for n in range(20_000))
    body = ("UPN,Legal surname\n" + rows).encode()
    assert len(body) > app.config["MAX_FORM_MEMORY_SIZE"]
    file = FileStorage(io.BytesIO(body), filename="roll.csv")
    response = _multipart(client, "/imports/", {"file": file})
    assert response.status_code == 400  # read, and its rows refused: not a 413
    assert "Only .csv and .xlsx" not in response.get_data(as_text=True)
