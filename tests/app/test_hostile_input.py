"""Every hostile upload and body gets a clean answer (issue 11, items 3-5).

Link and folder entries in a workbook are refused; a long file name keeps its extension; every
form body, URL-encoded or multipart, has a size limit with a clear 413 page. The numbers
(item 2) are walked in test_hostile_numbers.py.
"""

import html
import io
import stat
import zipfile

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart
from wtforms.validators import Length

from school_tracker.extensions import db
from school_tracker.imports.apply import MAX_FILE_NAME, clean_file_name
from school_tracker.imports.filecheck import ImportFileError, check_xlsx_zip, detect_kind
from school_tracker.models import Role, RollImport
from tests.conftest import PASSWORD
from tests.factories.numeric_pages import learning_data
from tests.support.form_walk import all_forms, field_validators, form_fields
from tests.support.snapshots import database_rows

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


@pytest.fixture
def world(make_school, make_user) -> dict:
    """A member of staff who may record their own CPD (the form the body tests post)."""
    return {"staff": make_user(Role.STAFF, school=make_school(), full_name="Sam Staff")}


def test_a_2_mb_url_encoded_field_is_a_413_and_saves_nothing(app, client, auth, world):
    """Issue 11 item 5: this was accepted and saved."""
    auth.login(world["staff"].email, PASSWORD)
    data = {**learning_data(world), "reflection": "x" * (2 * 1024 * 1024)}
    before = database_rows(app)
    response = client.post("/learning/new", data=data)
    assert response.status_code == 413
    text = response.get_data(as_text=True)
    assert "That was too large to send" in text and "That form is too large to save" in text
    assert database_rows(app) == before
    assert client.post("/learning/new", data=learning_data(world)).status_code == 302


def test_a_body_just_over_the_limit_is_refused_and_one_under_is_read(app, client, auth, world):
    auth.login(world["staff"].email, PASSWORD)
    limit = app.config["MAX_FORM_MEMORY_SIZE"]
    base = learning_data(world)
    encoded = len("&".join(f"{k}={v}" for k, v in base.items())) + len("&reflection=")
    over = client.post("/learning/new", data={**base, "reflection": "x" * (limit + 1)})
    assert over.status_code == 413
    # Just under the limit the body is read and the field's own length rule answers.
    under = client.post("/learning/new", data={**base, "reflection": "x" * (limit - encoded - 50)})
    assert under.status_code == 200 and "10000" in under.get_data(as_text=True)


def test_a_2_mb_text_part_in_a_multipart_form_is_a_413(app, client, auth, world):
    auth.login(world["staff"].email, PASSWORD)
    data = {**learning_data(world), "reflection": "x" * (2 * 1024 * 1024)}
    before = database_rows(app)
    response = _multipart(client, "/learning/new", data)
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)
    assert database_rows(app) == before


def test_a_roll_file_bigger_than_the_form_limit_still_uploads(app, client, admin):
    """The roll import is multipart, so the 5 MB upload limit, not the form limit, holds it."""
    rows = "".join(f"A{n:012d},Surname{n}\n" for n in range(20_000))
    body = ("UPN,Legal surname\n" + rows).encode()
    assert len(body) > app.config["MAX_FORM_MEMORY_SIZE"]
    file = FileStorage(io.BytesIO(body), filename="roll.csv")
    response = _multipart(client, "/imports/", {"file": file})
    assert response.status_code == 400  # read, and its rows refused: not a 413
    assert "Only .csv and .xlsx" not in response.get_data(as_text=True)
