"""The leaders' named export (docs/design.md section 9): contents, injection safety, headers,
audit and limits."""

import io
import json
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from freezegun import freeze_time
from sqlalchemy import event

from school_tracker.extensions import db
from school_tracker.models import (
    AuditEntry,
    KindnessMoment,
    KindPersonKind,
    MentoringSession,
    Role,
    School,
)
from school_tracker.reports.named.export import SHEETS, export_named_records
from school_tracker.reports.xlsx import MAX_CELL_TEXT, TRUNCATION_MARKER, XLSX_MIMETYPE
from tests.conftest import PASSWORD
from tests.factories.exports import (
    AUTUMN_COUNTS,
    CONTROL_TEXT,
    HOSTILE,
    HOSTILE_NAMES,
    NOTE,
    TERM,
    assert_hostile_cells_are_text,
    assert_no_formulas,
    workbook_rows,
)

URL = f"/reports/named.xlsx?term={TERM}"


def _export(app, export_world, whole_year=False) -> tuple[bytes, object]:
    with app.app_context():
        school = db.session.get(School, export_world.school.id)
        out = io.BytesIO()
        result = export_named_records([school], TERM, whole_year, by=None, out=out)
        db.session.commit()
        return out.getvalue(), result


def test_sheets_headers_and_row_counts_match_the_hand_count(app, export_world):
    data, result = _export(app, export_world)
    rows = workbook_rows(data)
    assert list(rows) == ["Cover", *AUTUMN_COUNTS]
    assert result.counts == AUTUMN_COUNTS
    for title, expected in AUTUMN_COUNTS.items():
        assert len(rows[title]) == expected + 1, title  # plus the header
    assert rows["Pupils"][0][:5] == [
        "School",
        "UPN",
        "Legal surname",
        "Legal forename",
        "Preferred forename",
    ]
    assert rows["Mentoring sessions"][0][8:11] == [
        "What we did",
        "Mentee's voice",
        "Mentor's reflection",
    ]
    assert result.filename == "oakfield_records_autumn-2026.xlsx"


def test_pupils_sheet_names_every_pupil_on_roll_with_their_support(app, export_world):
    rows = workbook_rows(_export(app, export_world)[0])
    pupils = {row[1]: row for row in rows["Pupils"][1:]}
    assert set(pupils) == {export_world.mentee.upn, export_world.peer.upn, export_world.quiet.upn}
    mentee = pupils[export_world.mentee.upn]
    assert mentee[2:4] == ["Menteeson", "Mia"]
    assert mentee[-3:] == [2, 2, 1]  # pairings as mentee, interventions, flags
    assert pupils[export_world.peer.upn][-3:] == [1, 1, 0]
    everything = json.dumps(rows, default=str)
    assert export_world.other_pupil.upn not in everything and "Elsewhere" not in everything
    assert export_world.left.upn not in everything


def test_whole_year_adds_the_rest_of_the_academic_year(app, export_world):
    data, result = _export(app, export_world, whole_year=True)
    assert result.counts["Mentoring sessions"] == 5  # the January session too
    assert result.counts["Professional learning"] == 1  # spring 2026 is last year
    assert result.filename == "oakfield_records_year-2026-27.xlsx"
    cover = dict((row[0], row[1]) for row in workbook_rows(data)["Cover"][1:])
    assert cover["Period"] == "Academic year 2026/27"
    assert cover["Dates used: Oakfield Primary"].startswith("01/08/2026 to 31/07/2027")


@pytest.mark.requirement("R44")
def test_hostile_text_never_becomes_a_formula(app, export_world, client, auth):
    auth.login(export_world.leader.email)
    response = client.get(URL)
    assert response.status_code == 200
    assert_no_formulas(response.data)
    hostile = HOSTILE + HOSTILE_NAMES
    assert assert_hostile_cells_are_text(response.data, hostile) >= len(hostile)


@pytest.mark.requirement("R45")
def test_control_characters_and_overlong_text_are_cleaned_and_marked(app, export_world):
    rows = workbook_rows(_export(app, export_world)[0])
    long_cells = [
        value
        for row in rows["Mentoring sessions"]
        for value in row
        if isinstance(value, str) and value.startswith("bell")
    ]
    assert len(long_cells) == 1
    cell = long_cells[0]
    assert len(cell) == MAX_CELL_TEXT and cell.endswith(TRUNCATION_MARKER)
    assert "\x01" not in cell and "\x0b" not in cell and len(CONTROL_TEXT) > MAX_CELL_TEXT


def test_numbers_stay_numbers(app, export_world):
    rows = workbook_rows(_export(app, export_world)[0])
    cost = rows["Interventions"][0].index("Cost (£)")
    assert sorted(row[cost] for row in rows["Interventions"][1:]) == [0, 123.45]
    baseline = rows["Intervention participants"][0].index("Baseline score")
    assert -5.5 in [row[baseline] for row in rows["Intervention participants"][1:]]


@pytest.mark.requirement("R46")
def test_download_headers(app, export_world, client, auth):
    auth.login(export_world.leader.email)
    response = client.get(URL + "&whole_year=1")
    assert response.status_code == 200
    assert response.mimetype == XLSX_MIMETYPE
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=oakfield_records_year-2026-27.xlsx"
    )
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert int(response.headers["Content-Length"]) == len(response.data)


@pytest.mark.requirement("R48")
def test_each_download_writes_one_audit_row_without_content(app, export_world, client, auth):
    auth.login(export_world.leader.email)
    client.get(URL)
    with app.app_context():
        entries = list(
            db.session.scalars(
                sa.select(AuditEntry).where(AuditEntry.entity_type == "named_export")
            )
        )
        assert len(entries) == 1
        entry = entries[0]
        assert (
            entry.actor_id == export_world.leader.id and entry.school_id == export_world.school.id
        )
        assert entry.changes["term"] == TERM and entry.changes["rows"] == AUTUMN_COUNTS
        text = json.dumps(entry.changes)
        for secret in (NOTE, "Menteeson", export_world.mentee.upn, HOSTILE[0]):
            assert secret not in text


@pytest.mark.parametrize("role", [Role.STAFF, Role.ADMIN, Role.GOVERNOR, Role.TRUST_LEADER])
def test_only_leaders_may_download(export_world, login_as, client, role):
    login_as(role, school=export_world.school)
    assert client.get(URL).status_code == 403


def test_a_bad_term_is_refused(export_world, client, auth):
    auth.login(export_world.leader.email)
    assert client.get("/reports/named.xlsx?term=winter-2026").status_code == 400


def test_reports_page_offers_the_export_to_leaders_only(export_world, client, auth, login_as):
    auth.login(export_world.leader.email)
    page = client.get("/reports/").get_data(as_text=True)
    assert 'action="/reports/named.xlsx"' in page and 'name="whole_year"' in page
    assert 'id="named-term"' in page
    client.post("/logout")
    login_as(Role.GOVERNOR, school=export_world.school)
    page = client.get("/reports/").get_data(as_text=True)
    assert "named.xlsx" not in page and "Transfer packs" not in page


@pytest.mark.requirement("R15", "R48")
def test_a_stale_session_must_sign_in_again_first(app, export_world, client, auth):
    start = datetime.now(UTC)
    with freeze_time(start) as frozen:
        auth.login(export_world.leader.email)
        frozen.tick(timedelta(minutes=16))
        client.get("/reports/")  # activity keeps the session alive, but not fresh
        frozen.tick(timedelta(minutes=1))
        response = client.get(URL)
        assert response.status_code == 302 and "/account/confirm" in response.headers["Location"]
        with app.app_context():
            assert (
                db.session.scalar(
                    sa.select(sa.func.count(AuditEntry.id)).where(
                        AuditEntry.entity_type == "named_export"
                    )
                )
                == 0
            )
        client.post("/account/confirm?next=/reports/", data={"current": PASSWORD})
        assert client.get(URL).status_code == 200


class TestRateLimit:
    @pytest.fixture
    def app_config_overrides(self):
        return {"EXPORT_LIMIT": "2 per hour"}

    def test_downloads_past_the_limit_get_429(self, export_world, client, auth):
        auth.login(export_world.leader.email)
        assert [client.get(URL).status_code for _ in range(3)] == [200, 200, 429]


def _statements(app, export_world) -> int:
    count = 0

    def counter(*_args):
        nonlocal count
        count += 1

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", counter)
        try:
            school = db.session.get(School, export_world.school.id)
            export_named_records([school], TERM, True, by=None, out=io.BytesIO())
            db.session.rollback()
        finally:
            event.remove(db.engine, "before_cursor_execute", counter)
    return count


def test_statements_do_not_grow_with_the_data(app, export_world, make_pupil):
    small = _statements(app, export_world)
    for _ in range(30):
        make_pupil(export_world.school)
    with app.app_context():
        db.session.add_all(
            MentoringSession(
                pairing_id=export_world.ids["staff_pairing"],
                school_id=export_world.school.id,
                held_on=date(2026, 11, 1),
                minutes=20,
                activities=f"More {n}",
            )
            for n in range(300)
        )
        db.session.add_all(
            KindnessMoment(
                school_id=export_world.school.id,
                giver_kind=KindPersonKind.STAFF,
                giver_name="Mr Kind",
                description="Helped",
                occurred_on=date(2026, 11, 2),
            )
            for _ in range(300)
        )
        db.session.commit()
    assert _statements(app, export_world) == small
    # One statement per sheet, plus the school's term dates and the school itself.
    assert small <= len(SHEETS) + 3


@pytest.mark.requirement("R89")
def test_cli_writes_the_workbook_and_audits_without_an_actor(app, export_world, runner, tmp_path):
    out = tmp_path / "records.xlsx"
    result = runner.invoke(
        args=[
            "export-records",
            "--school",
            "oakfield",
            "--term",
            TERM,
            "--out",
            str(out),
            "--whole-year",
        ]
    )
    assert result.exit_code == 0, result.output
    assert workbook_rows(out.read_bytes())["Mentoring sessions"][5][0] == "Oakfield Primary"
    with app.app_context():
        entry = db.session.scalar(
            sa.select(AuditEntry).where(AuditEntry.entity_type == "named_export")
        )
        assert entry.actor_id is None and entry.changes["whole_year"] is True


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--school", "nowhere", "--term", TERM], "No school with the slug 'nowhere'"),
        (["--school", "oakfield", "--term", "autumn-26"], "is not a term"),
    ],
)
def test_cli_refuses_bad_input(export_world, runner, tmp_path, args, message):
    out = tmp_path / "records.xlsx"
    result = runner.invoke(args=["export-records", *args, "--out", str(out)])
    assert result.exit_code == 1 and message in result.output
    assert not out.exists()


def test_cli_never_overwrites_a_file(export_world, runner, tmp_path):
    out = tmp_path / "records.xlsx"
    out.write_bytes(b"keep me")
    result = runner.invoke(
        args=["export-records", "--school", "oakfield", "--term", TERM, "--out", str(out)]
    )
    assert result.exit_code == 1 and "already exists" in result.output
    assert out.read_bytes() == b"keep me"


def test_cli_exports_several_schools_into_one_file(export_world, runner, tmp_path):
    out = tmp_path / "trust.xlsx"
    result = runner.invoke(
        args=[
            "export-records",
            "--school",
            "oakfield",
            "--school",
            "riverside",
            "--term",
            TERM,
            "--out",
            str(out),
        ]
    )
    assert result.exit_code == 0, result.output
    pairings = workbook_rows(out.read_bytes())["Mentoring pairings"]
    assert {row[0] for row in pairings[1:]} == {"Oakfield Primary", "Riverside Academy"}
