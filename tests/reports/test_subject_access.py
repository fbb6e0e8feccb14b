"""A pupil's subject-access export: everything about them, nothing about another child (R70)."""

import io
import json
import re
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from school_tracker.extensions import db
from school_tracker.models import AuditEntry, Role
from school_tracker.reports.subject_access.sheets import ANOTHER, GROUP_WITHHELD, WITHHELD
from school_tracker.reports.xlsx import TRUNCATION_MARKER
from tests.conftest import PASSWORD
from tests.factories.exports import (
    HOSTILE,
    NOTE,
    assert_hostile_cells_are_text,
    assert_no_formulas,
    workbook_rows,
)

SHEETS = {
    "Cover": 7,
    "Pupil": 19,
    "Chronology": 21,
    "Mentoring": 3,  # as mentee of staff and of a peer, and as a peer mentor
    "Mentoring sessions": 5,
    "Interventions": 2,
    "Intervention sessions": 1,  # absent from the group's one session
    "Risk flags": 1,
    "Risk level changes": 2,
    "Risk status changes": 1,
    "Risk actions": 1,
    "Suspensions and exclusions": 1,
    "Returns after suspensions": 0,  # the world records no return meeting
    "Reinstatement reviews": 0,  # nor a governors' review
    "Parent conversations": 1,
    "Agency involvement": 1,
    "Kindness moments": 2,
    "Transfers": 0,
    "Record access log": 1,  # the leader's visit to the pupil page
    "Record versions": 0,  # the world is written without edits
}


def _url(pupil) -> str:
    return f"/reports/pupils/{pupil.id}/subject-access.xlsx"


@pytest.fixture
def download(export_world, client, auth):
    auth.login(export_world.leader.email)
    client.get(f"/pupils/{export_world.mentee.id}")  # one access to show in the log
    response = client.get(_url(export_world.mentee))
    assert response.status_code == 200
    return response


def _all_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "".join(archive.read(name).decode() for name in archive.namelist())


@pytest.mark.requirement("R70")
def test_every_sheet_with_every_record_about_the_pupil(download):
    rows = workbook_rows(download.data)
    assert {title: len(sheet) - 1 for title, sheet in rows.items()} == SHEETS
    pupil = dict((row[0], row[1]) for row in rows["Pupil"][1:])
    assert pupil["Legal surname"] == "Menteeson" and pupil["Legal forename"] == "Mia"
    everything = json.dumps(rows, default=str)
    for own_text in (HOSTILE[0], f"Worried {NOTE}", f"Loves football {NOTE}", "#REF!"):
        assert json.dumps(own_text)[1:-1] in everything
    log = rows["Record access log"][1]
    assert log[1] == "Lena Leader" and log[2] == "view"


@pytest.mark.requirement("R70")
def test_nothing_about_any_other_pupil(export_world, download):
    xml = _all_xml(download.data)
    for other in (
        export_world.peer,
        export_world.quiet,
        export_world.other_pupil,
        export_world.left,
    ):
        assert other.upn not in xml and other.legal_forename not in xml
        assert f">{other.legal_surname}<" not in xml  # quiet's "=1+1" is also inside a note
    for their_words in (
        "Peer&apos;s own goal",
        "Peer's own goal",
        "Peer reflection",
        "The other child",
        "Other child&apos;s voice",
        "Other child's voice",
        "Group voice",
        "Group session note",
    ):
        assert their_words not in xml
    rows = workbook_rows(download.data)
    assert ANOTHER in rows["Mentoring"][2] or ANOTHER in rows["Mentoring"][3]
    everything = json.dumps(rows, default=str)
    assert WITHHELD in everything and GROUP_WITHHELD in everything


def test_a_kindness_moments_other_party_is_another_pupil(download):
    rows = workbook_rows(download.data)["Kindness moments"]
    header = rows[0]
    giver, receiver = header.index("Who was kind"), header.index("To whom")
    pairs = {(row[giver], row[receiver]) for row in rows[1:]}
    assert pairs == {(ANOTHER, "this pupil"), ("this pupil", "+the office team")}


@pytest.mark.requirement("R44")
def test_hostile_text_stays_text(download):
    assert_no_formulas(download.data)
    assert assert_hostile_cells_are_text(download.data, HOSTILE) >= len(HOSTILE) - 1
    sessions = json.dumps(workbook_rows(download.data)["Mentoring sessions"], default=str)
    assert TRUNCATION_MARKER in sessions and "\\u0001" not in sessions


@pytest.mark.requirement("R62")
def test_headers_and_one_audit_row_without_content(app, export_world, download):
    disposition = download.headers["Content-Disposition"]
    assert re.fullmatch(
        rf"attachment; filename=oakfield_subject-access_pupil-{export_world.mentee.id}_"
        r"\d{4}-\d{2}-\d{2}\.xlsx",
        disposition,
    )
    assert download.headers["Cache-Control"] == "no-store"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    with app.app_context():
        entries = list(
            db.session.scalars(
                sa.select(AuditEntry).where(AuditEntry.entity_type == "subject_access")
            )
        )
        assert len(entries) == 1
        entry = entries[0]
        assert entry.pupil_id == export_world.mentee.id and entry.actor_id == export_world.leader.id
        assert NOTE not in json.dumps(entry.changes) and "Menteeson" not in json.dumps(
            entry.changes
        )


def test_another_schools_pupil_is_not_found(export_world, client, auth):
    auth.login(export_world.leader.email)
    assert client.get(_url(export_world.other_pupil)).status_code == 404
    assert client.get("/reports/pupils/999999/subject-access.xlsx").status_code == 404


@pytest.mark.parametrize("role", [Role.STAFF, Role.ADMIN, Role.GOVERNOR, Role.TRUST_LEADER])
def test_only_leaders_may_export_a_pupil(export_world, login_as, client, role):
    login_as(role, school=export_world.school)
    assert client.get(_url(export_world.mentee)).status_code == 403


def test_a_stale_session_must_sign_in_again_first(export_world, client, auth):
    with freeze_time(datetime.now(UTC)) as frozen:
        auth.login(export_world.leader.email)
        frozen.tick(timedelta(minutes=16))
        client.get("/reports/")
        frozen.tick(timedelta(minutes=1))
        response = client.get(_url(export_world.mentee))
        assert response.status_code == 302 and "/account/confirm" in response.headers["Location"]
        client.post("/account/confirm?next=/reports/", data={"current": PASSWORD})
        assert client.get(_url(export_world.mentee)).status_code == 200


class TestRateLimit:
    @pytest.fixture
    def app_config_overrides(self):
        return {"EXPORT_LIMIT": "1 per hour"}

    def test_second_export_within_the_hour_gets_429(self, export_world, client, auth):
        auth.login(export_world.leader.email)
        assert client.get(_url(export_world.mentee)).status_code == 200
        assert client.get(_url(export_world.peer)).status_code == 429


def test_a_pupil_with_no_records_gets_an_empty_file(export_world, client, auth):
    auth.login(export_world.leader.email)
    response = client.get(_url(export_world.left))  # a leaver with nothing recorded
    assert response.status_code == 200
    rows = workbook_rows(response.data)
    assert len(rows["Pupil"]) == 20 and len(rows["Chronology"]) == 1
    assert all(len(rows[title]) == 1 for title in SHEETS if title not in ("Cover", "Pupil"))


@pytest.mark.requirement("R70")
def test_the_intervention_register_lines_about_the_pupil(download):
    rows = workbook_rows(download.data)
    header, *lines = rows["Intervention sessions"]
    (line,) = [dict(zip(header, row, strict=True)) for row in lines]
    assert (line["Attendance"], line["Why absent"]) == ("Absent", f"Dentist {NOTE}")
    assert line["Minutes"] == 40 and line["Recorded by"] == "Sam Staff"
    assert line["Note on the session"] == GROUP_WITHHELD  # written about the whole group
    header, *places = rows["Interventions"]
    counted = [dict(zip(header, row, strict=True)) for row in places]
    in_group = [c for c in counted if c["Individual or group"] == "Group"]
    assert [(c["Sessions attended"], c["Present on the register"]) for c in in_group] == [(0, 0)]
    kinds = [row[1] for row in rows["Chronology"][1:]]
    assert "Intervention session" in kinds
