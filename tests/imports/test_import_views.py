"""The admin's Import roll pages: upload → preview → confirm → summary (R49-R58)."""

import logging
from datetime import timedelta

import pytest
import sqlalchemy as sa

from school_tracker.extensions import db
from school_tracker.imports.parser import MAX_DATA_ROWS
from school_tracker.models import AuditEntry, Pupil, Role, RollImport
from school_tracker.orm import utcnow
from tests.conftest import PASSWORD
from tests.factories.imports import (
    SAMPLE_PUPILS,
    csv_bytes,
    preview_id,
    roll_csv,
    row,
    sample_bytes,
    upload,
    upn,
)
from tests.factories.spreadsheets import BILLION_LAUGHS, replace_part, xlsx_bytes, zip_of


@pytest.fixture
def admin(login_as, school):
    return login_as(Role.ADMIN, school=school)


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


@pytest.mark.parametrize("role", [Role.STAFF, Role.LEADER, Role.GOVERNOR, Role.TRUST_LEADER])
def test_only_admins_may_import(client, login_as, school, role):
    login_as(role, school=school)
    assert client.get("/imports/").status_code == 403
    assert upload(client, roll_csv(1)).status_code == 403
    assert client.post("/imports/abc/confirm").status_code == 403
    assert "Import roll" not in client.get("/").get_data(as_text=True)


def test_admin_sees_the_page_and_the_navigation_entry(client, admin):
    page = client.get("/imports/")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert 'href="/imports/"' in body and "Import roll" in body
    assert 'enctype="multipart/form-data"' in body


@pytest.mark.requirement("R58")
def test_sample_upload_preview_confirm_summary(app, client, admin, school):
    import_id = preview_id(upload(client, sample_bytes(), "sample_mis_export.csv"))
    assert count(app, Pupil) == 0  # a preview writes no pupil
    page = client.get(f"/imports/{import_id}")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "Nothing has been written yet" in body
    assert f'To add to the roll</th><td class="text-end">{SAMPLE_PUPILS}<' in body
    assert "Dąbrowska, Maja" in body
    done = client.post(f"/imports/{import_id}/confirm", data={})
    assert done.status_code == 302 and done.headers["Location"].endswith(import_id)
    summary = client.get(f"/imports/{import_id}").get_data(as_text=True)
    assert "Import complete" in summary
    assert f'Added to the roll</th><td class="text-end">{SAMPLE_PUPILS}<' in summary
    assert count(app, Pupil, Pupil.school_id == school.id) == SAMPLE_PUPILS
    with app.app_context():
        (entry,) = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "import"))
        assert entry.actor_id == admin.id and entry.changes["created"] == SAMPLE_PUPILS
        assert entry.changes["import_id"] == import_id
        assert "Dąbrowska" not in str(entry.changes)
    again = preview_id(upload(client, sample_bytes(), "sample_mis_export.csv"))
    body = client.get(f"/imports/{again}").get_data(as_text=True)
    assert "No changes: every pupil in the file already matches the roll" in body
    assert "Confirm import" not in body


@pytest.mark.requirement("R84")
def test_row_errors_are_listed_all_and_nothing_is_written(app, client, admin):
    data = csv_bytes(
        [row(1), row(2, UPN="A801200005001"), row(3, **{"Legal Surname": "=1+2"}), row(4)]
        + [row(n, Year="Year 99") for n in range(5, 10)]
    )
    response = upload(client, data)
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "Nothing was imported" in body
    assert "7 problems" in body
    assert "<td>3</td><td>UPN</td><td>The check letter does not match" in body
    assert "<td>4</td><td>Legal Surname</td><td>begins with" in body
    assert body.count("is not a year group") == 5
    assert count(app, Pupil) == 0 and count(app, RollImport) == 0


def test_long_error_lists_are_capped_on_screen_with_a_count(client, admin):
    data = roll_csv(400, Year="Year 99")
    body = upload(client, data).get_data(as_text=True)
    assert "Showing the first 300 of 400 problems" in body


def zip_bomb() -> bytes:
    return zip_of(
        {
            "[Content_Types].xml": b"<Types/>",
            "xl/workbook.xml": b"<workbook/>",
            "xl/worksheets/sheet1.xml": b"<worksheet>" + b" " * 30_000_000 + b"</worksheet>",
        }
    )


HOSTILE = {
    "zip-bomb": (zip_bomb, "roll.xlsx", "zip bomb"),
    "png-renamed": (lambda: b"\x89PNG\r\n\x1a\n" + bytes(200), "roll.csv", "PNG image"),
    "xls": (lambda: b"\xd0\xcf\x11\xe0" + bytes(200), "roll.xls", ".xls are not accepted"),
    "ole2-as-xlsx": (lambda: b"\xd0\xcf\x11\xe0" + bytes(200), "roll.xlsx", "password"),
    "zip-as-csv": (lambda: zip_of({"a.txt": b"x"}), "roll.csv", "ZIP archive"),
    "billion-laughs": (
        lambda: replace_part(
            xlsx_bytes([["UPN", "Surname", "Forename", "DOB", "Year"]]),
            "xl/worksheets/sheet1.xml",
            BILLION_LAUGHS,
        ),
        "roll.xlsx",
        "XML entity declarations",
    ),
    "empty": (lambda: b"", "roll.csv", "empty"),
    "header-only": (lambda: b"UPN,Surname,Forename,DOB,Year\r\n", "roll.csv", "no pupils"),
    "unclosed-quote": (
        lambda: roll_csv(2) + b'"' + roll_csv(2).split(b"\r\n", 1)[1],
        "roll.csv",
        "quote",
    ),
    "nul-bytes": (lambda: roll_csv(1).replace(b"Surname1", b"Sur\x00name"), "roll.csv", "NUL"),
    "pdf": (lambda: b"%PDF-1.7\n" + bytes(100), "roll.pdf", "Only .csv and .xlsx"),
}


@pytest.mark.requirement("R57")
@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_files_get_400_with_a_clear_message(app, client, admin, name):
    make, filename, message = HOSTILE[name]
    response = upload(client, make(), filename)
    body = response.get_data(as_text=True)
    assert response.status_code == 400, body[:1000]
    assert message in body and "This file can't be imported" in body
    assert "Traceback" not in body and 'File "' not in body
    assert count(app, Pupil) == 0 and count(app, RollImport) == 0


def test_more_than_the_row_cap_is_refused(app, client, admin):
    response = upload(client, roll_csv(MAX_DATA_ROWS + 1))
    assert response.status_code == 400
    assert f"more than {MAX_DATA_ROWS:,} pupils" in response.get_data(as_text=True)


@pytest.mark.requirement("R49")
def test_over_5mb_gets_the_friendly_413(client, admin):
    response = upload(client, b"a" * (5 * 1024 * 1024 + 1))
    assert response.status_code == 413
    assert "That file is too large" in response.get_data(as_text=True)


def test_no_file_chosen_is_a_form_error(client, admin):
    response = client.post("/imports/", data={}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Choose the file exported from your MIS." in response.get_data(as_text=True)


@pytest.mark.requirement("R50")
def test_cp1252_is_detected_and_said(client, admin):
    data = csv_bytes([row(1, **{"Legal Surname": "Müller"})], enc="cp1252")
    import_id = preview_id(upload(client, data))
    body = client.get(f"/imports/{import_id}").get_data(as_text=True)
    assert "Windows-1252 (cp1252)" in body and "Müller, Forename1" in body


@pytest.mark.requirement("R56")
def test_file_name_is_shown_escaped(client, admin):
    import_id = preview_id(upload(client, roll_csv(1), "<img src=x onerror=alert(1)>.csv"))
    body = client.get(f"/imports/{import_id}").get_data(as_text=True)
    assert "<img src=x" not in body and "&lt;img src=x" in body


@pytest.mark.requirement("R58")
def test_another_admins_or_schools_import_is_not_found(
    app, client, admin, school, make_school, make_user, auth
):
    import_id = preview_id(upload(client, roll_csv(2)))
    colleague = make_user(Role.ADMIN, school=school)
    elsewhere = make_user(Role.ADMIN, school=make_school("elm"))
    for other in (colleague, elsewhere):
        auth.logout()
        auth.login(other.email, PASSWORD)
        assert client.get(f"/imports/{import_id}").status_code == 404
        assert client.post(f"/imports/{import_id}/confirm").status_code == 404
        assert client.post(f"/imports/{import_id}/refresh").status_code == 404
    assert client.get("/imports/no-such-import").status_code == 404
    assert count(app, Pupil) == 0


@pytest.mark.requirement("R58")
def test_a_second_confirm_is_409(app, client, admin):
    import_id = preview_id(upload(client, roll_csv(2)))
    assert client.post(f"/imports/{import_id}/confirm").status_code == 302
    again = client.post(f"/imports/{import_id}/confirm")
    assert again.status_code == 409
    assert "already been confirmed" in again.get_data(as_text=True)
    assert count(app, Pupil) == 2 and count(app, AuditEntry, AuditEntry.action == "import") == 1


def test_roll_changed_between_preview_and_confirm(app, client, admin, school, make_pupil):
    pupil = make_pupil(school, legal_surname="Edited")
    import_id = preview_id(upload(client, roll_csv(3)))
    with app.app_context():
        db.session.get(Pupil, pupil.id).registration_group = "9Z"
        db.session.commit()
    page = client.get(f"/imports/{import_id}").get_data(as_text=True)
    assert "The roll changed since this preview" in page and "Confirm import" not in page
    response = client.post(f"/imports/{import_id}/confirm", data={"mark_leavers": "y"})
    body = response.get_data(as_text=True)
    assert response.status_code == 409 and "preview again" in body.lower()
    assert count(app, Pupil) == 1
    with app.app_context():
        assert db.session.get(Pupil, pupil.id).leaving_date is None
    fresh = preview_id(client.post(f"/imports/{import_id}/refresh"))
    assert fresh != import_id
    assert client.post(f"/imports/{fresh}/confirm").status_code == 302
    assert count(app, Pupil) == 4


def test_expired_preview_cannot_be_confirmed(app, client, admin):
    import_id = preview_id(upload(client, roll_csv(1)))
    with app.app_context():
        db.session.get(RollImport, import_id).created_at = utcnow() - timedelta(hours=2)
        db.session.commit()
    assert "more than an hour old" in client.get(f"/imports/{import_id}").get_data(as_text=True)
    assert client.post(f"/imports/{import_id}/confirm").status_code == 409
    assert count(app, Pupil) == 0


def test_leavers_are_marked_only_when_ticked(app, client, admin, school, make_pupil):
    leaver = make_pupil(school)
    first = preview_id(upload(client, roll_csv(1)))
    page = client.get(f"/imports/{first}").get_data(as_text=True)
    assert "Mark these 1 pupils as left" in page and leaver.legal_surname in page
    client.post(f"/imports/{first}/confirm")
    with app.app_context():
        assert db.session.get(Pupil, leaver.id).leaving_date is None
    second = preview_id(upload(client, roll_csv(1)))
    client.post(f"/imports/{second}/confirm", data={"mark_leavers": "y"})
    with app.app_context():
        assert db.session.get(Pupil, leaver.id).leaving_date is not None
    assert count(app, Pupil) == 2


def test_held_pupils_move_only_when_ticked(app, client, admin, school, make_school, make_pupil):
    other = make_school("elm", "Elm Academy")
    moving = make_pupil(other, upn=upn(1))
    staying = make_pupil(other, upn=upn(2))
    import_id = preview_id(upload(client, roll_csv(3)))
    page = client.get(f"/imports/{import_id}").get_data(as_text=True)
    assert "Held: on another school's roll (2)" in page and "Elm Academy" in page
    tampered = client.post(f"/imports/{import_id}/confirm", data={"moves": [upn(7)]})
    assert tampered.status_code == 400 and count(app, Pupil, Pupil.school_id == school.id) == 0
    assert client.post(f"/imports/{import_id}/confirm", data={"moves": [upn(1)]}).status_code == 302
    with app.app_context():
        assert db.session.get(Pupil, moving.id).school_id == school.id
        assert db.session.get(Pupil, staying.id).school_id == other.id
        moves = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "move_out"))
        assert [e.school_id for e in moves] == [other.id]


def _upload_as(app, user):
    c = app.test_client()
    c.post("/login", data={"email": user.email, "password": PASSWORD})
    return upload(c, roll_csv(5))


@pytest.mark.requirement("R57", "R60")
def test_logs_carry_ids_never_names_or_upns(app, client, admin, caplog):
    caplog.set_level(logging.DEBUG)
    data = roll_csv(2, **{"Legal Surname": "Markerova"})
    import_id = preview_id(upload(client, data))
    client.post(f"/imports/{import_id}/confirm")
    upload(client, csv_bytes([row(3, UPN="A801200005001", **{"Legal Surname": "Markerova"})]))
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "roll import" in logged
    assert "Markerova" not in logged and upn(1) not in logged and "A801200005001" not in logged
