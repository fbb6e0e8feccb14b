"""Security logging, the audit trail and data protection (SECURITY R59-R64, R67, R69-R73)."""

import html
import io
import json
import logging
import re
from datetime import UTC, date, datetime, timedelta

import pyotp
import pytest
import requests
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from school_tracker import ROOT
from school_tracker.audit import record_audit
from school_tracker.calendar.terms import school_today
from school_tracker.extensions import db
from school_tracker.families import services as families
from school_tracker.interventions.catalogue import ensure_intervention_types
from school_tracker.logging_setup import log_security_event, make_formatter
from school_tracker.models import (
    AuditEntry,
    AuditImmutableError,
    CarerRelationship,
    Exclusion,
    InterventionType,
    ParentConversation,
    Pupil,
    RiskFlag,
    Role,
    User,
)
from school_tracker.privacy.classification import (
    CLASSIFICATION,
    CONTENT_COLUMN_NAMES,
    SPECIAL_TABLES,
    DataClass,
    columns_of,
)
from school_tracker.records.versions import apply_changes
from tests.conftest import PASSWORD
from tests.factories.accounts import signed_in
from tests.factories.exports import NOTE, classified_values, workbook_rows
from tests.factories.imports import roll_csv
from tests.support.browser import live_server
from tests.support.logs import security_events


def assert_fields(record, *, user, school, outcome: str) -> None:
    """R59's structured fields: UTC time, request id, user, school, source address, outcome."""
    assert re.fullmatch(r"[0-9a-f]{12}", record.request_id)
    assert record.client == "127.0.0.1"
    assert (record.user_id, record.school_id) == (str(user), str(school))
    assert record.outcome == outcome
    line = make_formatter().format(record)
    utc = datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    assert re.match(rf"{utc}\.\d{{3}}Z ", line), line
    assert f"req={record.request_id} user={user} school={school} ip=127.0.0.1" in line
    assert f"outcome={outcome}:" in line


def _enrol_totp(client) -> str:
    page = client.get("/account/two-factor").get_data(as_text=True)
    secret = re.search(r'Key: <span class="font-monospace">([A-Z2-7]+)<', page)[1]
    response = client.post(
        "/account/two-factor", data={"current": PASSWORD, "code": pyotp.TOTP(secret).now()}
    )
    assert response.status_code == 302
    return secret


# R59: one test per security event type -----------------------------------------------------


@pytest.mark.requirement("R59")
def test_r59_login_success_is_logged_with_every_structured_field(make_user, auth, logs):
    user = make_user(Role.STAFF)
    assert auth.login(user.email).status_code == 302
    [record] = security_events(logs, "login")
    assert_fields(record, user=user.id, school=user.school_id, outcome="success")


@pytest.mark.requirement("R59")
def test_r59_login_failure_is_logged_against_the_account(make_user, auth, logs):
    user = make_user(Role.STAFF)
    auth.login(user.email, "wrong-password-here")
    [record] = security_events(logs, "login_failed")
    assert_fields(record, user="-", school=user.school_id, outcome="failure")
    assert f"user {user.id} " in record.getMessage()


@pytest.mark.requirement("R59")
def test_r59_wrong_second_factor_is_logged(make_user, client, auth, logs):
    user = make_user(Role.STAFF)
    auth.login(user.email)
    _enrol_totp(client)
    client.post("/logout")
    auth.login(user.email)
    assert client.post("/login/two-factor", data={"code": "000000"}).status_code == 200
    [record] = security_events(logs, "mfa_failed")
    assert_fields(record, user="-", school=user.school_id, outcome="failure")


@pytest.mark.requirement("R59")
def test_r59_throttled_sign_in_is_logged(make_user, auth, logs):
    user = make_user(Role.STAFF)
    for _ in range(5):
        auth.login(user.email, "wrong-password-here")
    assert auth.login(user.email).status_code == 429
    [record] = security_events(logs, "throttled")
    assert_fields(record, user="-", school="-", outcome="denied")
    assert "POST auth.login" in record.getMessage() and "status=429" in record.getMessage()


@pytest.mark.requirement("R59")
def test_r59_forbidden_page_is_logged(client, login_as, logs):
    staff = login_as(Role.STAFF)
    assert client.get("/audit/").status_code == 403
    [record] = security_events(logs, "access_denied")
    assert_fields(record, user=staff.id, school=staff.school_id, outcome="denied")
    assert "GET audit_log.index" in record.getMessage()


@pytest.mark.requirement("R59")
def test_r59_another_schools_pupil_404_is_logged_but_a_typo_is_not(
    client, login_as, make_school, make_pupil, logs
):
    staff = login_as(Role.STAFF)
    elsewhere = make_pupil(make_school("elsewhere", "Elsewhere School"))
    assert client.get(f"/pupils/{elsewhere.id}").status_code == 404
    assert client.get("/no-such-page").status_code == 404
    [record] = security_events(logs, "not_found")
    assert_fields(record, user=staff.id, school=staff.school_id, outcome="denied")
    assert f"pupils.detail pupil_id={elsewhere.id} status=404" in record.getMessage()


CSRF_ON = pytest.mark.parametrize("app_config_overrides", [{"WTF_CSRF_ENABLED": True}])


@pytest.mark.requirement("R59")
@CSRF_ON
def test_r59_csrf_failure_is_logged_once(client, make_user, logs):
    user = make_user(Role.STAFF)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    [record] = security_events(logs, "csrf_failed")
    assert_fields(record, user="-", school="-", outcome="denied")
    assert security_events(logs, "bad_request") == []  # the handler's line is the only one


@pytest.mark.requirement("R59")
def test_r59_wrong_current_password_is_logged(client, login_as, logs):
    staff = login_as(Role.STAFF)
    refused = client.post(
        "/account/",
        data={"current": "not-my-password", "password": "x" * 14, "confirm": "x" * 14},
    )
    assert "not your current password" in refused.get_data(as_text=True)
    [record] = security_events(logs, "credential_refused")
    assert_fields(record, user=staff.id, school=staff.school_id, outcome="failure")
    assert "field=current" in record.getMessage()


@pytest.mark.requirement("R59")
def test_r59_user_and_role_changes_are_logged(app, client, login_as, make_school, logs):
    school = make_school()
    admin = login_as(Role.ADMIN, school=school)
    client.post(
        "/admin/users/new",
        data={"full_name": "Gardener Greg", "email": "greg@example.org", "role": "staff"},
    )
    with app.app_context():
        greg = db.session.scalar(sa.select(User).where(User.email == "greg@example.org"))
    assert client.post(f"/admin/users/{greg.id}/role", data={"role": "leader"}).status_code == 302
    assert client.post(f"/admin/users/{greg.id}/deactivate").status_code == 302
    for action in ("create", "change_role", "deactivate"):
        [record] = [
            r for r in security_events(logs, action) if f"user {greg.id} " in r.getMessage()
        ]
        assert_fields(record, user=admin.id, school=school.id, outcome="success")


def _upload(client, data: bytes):
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), filename="roll.csv")})
    return client.post(
        "/imports/", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


@pytest.mark.requirement("R59")
def test_r59_roll_import_is_logged(client, login_as, make_school, logs):
    school = make_school()
    admin = login_as(Role.ADMIN, school=school)
    preview = _upload(client, roll_csv(2))
    assert preview.status_code == 302
    assert client.post(preview.headers["Location"] + "/confirm").status_code == 302
    [record] = security_events(logs, "import")
    assert_fields(record, user=admin.id, school=school.id, outcome="success")


@pytest.mark.requirement("R59")
def test_r59_export_is_logged(client, login_as, make_school, logs):
    school = make_school()
    leader = login_as(Role.LEADER, school=school)
    assert client.get("/reports/governors.xlsx?term=autumn-2026").status_code == 200
    [record] = security_events(logs, "export")
    assert_fields(record, user=leader.id, school=school.id, outcome="success")
    assert "governors_workbook" in record.getMessage()


@pytest.mark.requirement("R59")
def test_r59_cancelling_an_exclusion_is_logged(app, export_world, logs):
    with app.app_context():
        exclusion = db.session.scalar(sa.select(Exclusion))
    leader = signed_in(app, export_world.leader)
    response = leader.post(
        f"/exclusions/{exclusion.id}/cancel", data={"reason": "Entered in error", "version": "1"}
    )
    assert response.status_code == 302
    [record] = security_events(logs, "cancel")
    assert_fields(
        record, user=export_world.leader.id, school=export_world.school.id, outcome="success"
    )
    assert f"exclusion {exclusion.id} " in record.getMessage()


@pytest.mark.requirement("R59")
def test_r59_term_dates_and_catalogue_changes_are_logged(app, client, login_as, make_school, logs):
    school = make_school()
    admin = login_as(Role.ADMIN, school=school)
    with app.app_context():
        ensure_intervention_types(school.id)
        db.session.commit()
        kind = db.session.scalar(
            sa.select(InterventionType.id).where(InterventionType.school_id == school.id)
        )
    saved = client.post(
        "/admin/terms/autumn-2026", data={"starts_on": "2026-09-02", "ends_on": "2026-12-18"}
    )
    assert saved.status_code == 302
    assert client.post(f"/interventions/catalogue/{kind}/deactivate").status_code == 302
    [terms] = security_events(logs, "set_term_dates")
    [catalogue] = security_events(logs, "deactivate")
    for record in (terms, catalogue):
        assert_fields(record, user=admin.id, school=school.id, outcome="success")
    assert f"intervention_type {kind} " in catalogue.getMessage()


@pytest.mark.requirement("R59")
def test_r59_retention_run_is_logged_without_a_request(runner, logs):
    result = runner.invoke(args=["apply-retention"])
    assert result.exit_code == 0, result.output
    [record] = security_events(logs, "apply_retention")
    assert record.outcome == "success" and record.request_id == "-"  # a CLI job, not a request


# R60: no secrets or pupil data in app logs or the access log --------------------------------

HIDDEN = re.compile(r"<input[^>]*>")


def _hidden(page: str) -> dict[str, str]:
    fields = {}
    for tag in HIDDEN.findall(page):
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        if 'type="hidden"' in tag and name:
            fields[name[1]] = html.unescape(value[1]) if value else ""
    return fields


@pytest.mark.requirement("R60")
@CSRF_ON  # so CSRF tokens travel, and must not be logged
def test_r60_markers_never_reach_app_or_access_logs(app, export_world, make_user, logs):
    admin = make_user(Role.ADMIN, school=export_world.school)
    seen: set[str] = set()  # every cookie, token, code and seed the browser handled

    with live_server(app) as base:

        def send(s, url, data, form_page=None):
            """GET the form (its tokens), then POST; `data` may be built from the page."""
            page = s.get(base + (form_page or url)).text
            hidden = _hidden(page)
            seen.update(v for v in hidden.values() if len(v) > 8)
            values = data(page) if callable(data) else data
            response = s.post(base + url, data={**hidden, **values})
            seen.update(c.value for c in s.cookies)
            return response

        staff = requests.Session()
        send(staff, "/login", {"email": export_world.staff.email, "password": "Wrong-Marker-77"})
        send(staff, "/login", {"email": export_world.staff.email, "password": PASSWORD})
        send(staff, "/pupils/", {"query": "Menteeson", "submit": "Search"})
        staff.get(f"{base}/pupils/{export_world.mentee.id}")
        staff.get(f"{base}/risk/{export_world.ids['flag']}")
        totp_seen: list[str] = []

        def enrol(page: str) -> dict:
            secret = re.search(r"Key: <span[^>]*>([A-Z2-7]+)<", page)[1]
            totp_seen.extend([secret, pyotp.TOTP(secret).now()])
            return {"current": PASSWORD, "code": totp_seen[-1]}

        enrolled = send(staff, "/account/two-factor", enrol)
        assert "Two-factor sign-in is on" in enrolled.text
        secret, code = totp_seen
        send(staff, "/logout", {}, form_page="/")

        leader = requests.Session()
        send(leader, "/login", {"email": export_world.leader.email, "password": PASSWORD})
        for path in (
            f"/pupils/{export_world.mentee.id}",
            f"/pupils/{export_world.mentee.id}/access",
            f"/risk/{export_world.ids['flag']}",
            f"/reports/pupils/{export_world.mentee.id}/subject-access.xlsx",
        ):
            assert leader.get(base + path).status_code == 200, path

        office = requests.Session()
        send(office, "/login", {"email": admin.email, "password": PASSWORD})
        made = send(
            office,
            "/admin/users/new",
            {"full_name": "Newt Newcomer", "email": "newt@example.org", "role": "staff"},
        )
        activation = re.search(r"font-monospace border[^>]*>([^<]+)<", made.text)[1]
        send(office, "/logout", {}, form_page="/")
        new_password = "Fresh-Marker-Pass-5521"
        activated = send(
            requests.Session(),
            "/activate",
            {
                "email": "newt@example.org",
                "code": activation,
                "password": new_password,
                "confirm": new_password,
            },
        )
        assert "Newt Newcomer" in activated.text

    mentee = export_world.mentee
    markers = {
        PASSWORD,
        "Wrong-Marker-77",
        new_password,
        secret,
        code,
        activation,
        NOTE,
        mentee.legal_surname,
        mentee.legal_forename,
        mentee.upn,
        mentee.date_of_birth.isoformat(),
        mentee.date_of_birth.strftime("%d/%m/%Y"),
        *seen,
        # R67: every name and free-text value held, of any record or person
        *(text for text in classified_values(app)[0] if len(text) >= 6),
    }
    access_log = [r.getMessage() for r in logs.records if r.name == "werkzeug"]
    app_log = [r.getMessage() for r in logs.records if r.name != "werkzeug"]
    assert len(access_log) >= 20 and any("GET /pupils/" in line for line in access_log)
    assert security_events(logs, "login") and security_events(
        logs, "login_failed"
    )  # the app did log
    everything = "\n".join(access_log + app_log)
    for marker in markers:
        assert marker not in everything, marker


# R61: log injection ---------------------------------------------------------------------------

FORGED = "2026-01-01T00:00:00.000Z INFO school_tracker.security forged login"


@pytest.mark.requirement("R61")
def test_r61_crlf_username_yields_one_escaped_log_record(app, client, logs):
    email = f"mallory@example.org\r\n{FORGED}"
    statuses = [
        client.post("/login", data={"email": email, "password": "x" * 12}).status_code
        for _ in range(6)
    ]
    assert statuses[-1] == 429  # the limiter logs its key: a hash, never the typed e-mail
    assert not [r for r in logs.records if "forged login" in r.getMessage()]
    # Any typed value that does reach a log line is escaped into that one record.
    with app.test_request_context("/login", method="POST"):
        logging.getLogger("school_tracker.auth").info("sign-in for %s", email)
    carrying = [r for r in logs.records if "forged login" in r.getMessage()]
    assert len(carrying) == 1
    assert "\\r\\n" + FORGED in carrying[0].getMessage()
    formatter = make_formatter()
    for record in logs.records:
        assert "\n" not in formatter.format(record) and "\r" not in record.getMessage()


@pytest.mark.requirement("R61")
def test_r61_security_event_detail_cannot_start_a_new_line(app, logs):
    with app.test_request_context("/"):
        log_security_event("login_failed", "failure", f"user 7\n{FORGED}")
    [record] = security_events(logs, "login_failed")
    assert "\n" not in make_formatter().format(record)
    assert record.getMessage().endswith("\\n" + FORGED)


# R62: who accessed this child's record --------------------------------------------------------


def _audit_rows(app) -> list[AuditEntry]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)))


@pytest.mark.requirement("R62")
def test_r62_view_and_export_are_each_one_audit_row_and_the_leader_sees_both(app, export_world):
    mentee = export_world.mentee
    before = len(_audit_rows(app))
    teacher = signed_in(app, export_world.staff)
    after_sign_in = len(_audit_rows(app))
    assert teacher.get(f"/pupils/{mentee.id}").status_code == 200
    [view] = _audit_rows(app)[after_sign_in:]
    assert (view.actor_id, view.action, view.entity_type, view.pupil_id) == (
        export_world.staff.id,
        "view",
        "pupil",
        mentee.id,
    )
    leader = signed_in(app, export_world.leader)
    marker = len(_audit_rows(app))
    assert leader.get(f"/reports/pupils/{mentee.id}/subject-access.xlsx").status_code == 200
    [export] = _audit_rows(app)[marker:]
    assert (export.actor_id, export.action, export.pupil_id) == (
        export_world.leader.id,
        "export",
        mentee.id,
    )
    page = leader.get(f"/pupils/{mentee.id}/access").get_data(as_text=True)
    rows = re.findall(r"<tr>(.*?)</tr>", page, re.S)
    assert any("Sam Staff" in row and ">view<" in row for row in rows)
    assert any("Lena Leader" in row and ">export<" in row for row in rows)
    stored = json.dumps(
        [
            {c.key: getattr(e, c.key) for c in AuditEntry.__mapper__.column_attrs}
            for e in _audit_rows(app)[before:]
        ],
        default=str,
    )
    for content in (NOTE, "Menteeson", "Mia", mentee.upn, "Loves football", "Worried"):
        assert content not in stored, content


@pytest.mark.requirement("R62")
def test_r62_audit_never_keeps_the_value_of_a_classified_field(app, make_user):
    actor = make_user(Role.STAFF)
    with app.app_context():
        entry = record_audit(
            db.session.get(User, actor.id),
            "update",
            "parent_conversation",
            1,
            changes={
                "family_said": [f"old {NOTE}", f"new {NOTE}"],
                "carer_name": "Jo Parent",
                "held_on": ["2026-10-01", "2026-10-02"],
                "hidden_reason": "set",
            },
        )
        assert entry.changes == {
            "family_said": "changed",
            "carer_name": "changed",
            "held_on": ["2026-10-01", "2026-10-02"],
            "hidden_reason": "set",
        }
        db.session.rollback()


# R63: chronology, versions, no hard delete, authorship kept ------------------------------------


def _conversation(led_by: int, said: str) -> families.ConversationData:
    return families.ConversationData(
        carer_name="Jo Parent",
        carer_relationship=CarerRelationship.MOTHER,
        led_by_id=led_by,
        held_on=school_today() - timedelta(days=1),
        family_said=said,
    )


def test_r63_create_and_two_edits_are_three_attributed_entries_in_order(app, export_world):
    staff_id, leader_id = export_world.staff.id, export_world.leader.id
    with app.test_request_context():
        staff, leader = db.session.get(User, staff_id), db.session.get(User, leader_id)
        record = families.create_conversation(
            export_world.school.id,
            export_world.mentee.id,
            _conversation(staff_id, "First"),
            [],
            by=staff,
            today=school_today(),
        )
        for editor, text in ((staff, f"Second {NOTE}"), (leader, f"Third {NOTE}")):
            families.update_conversation(
                record,
                _conversation(staff_id, text),
                [],
                by=editor,
                today=school_today(),
                expected_version=record.version_id,
            )
        db.session.commit()
        entries = list(
            db.session.scalars(
                sa.select(AuditEntry)
                .where(
                    AuditEntry.entity_type == "parent_conversation",
                    AuditEntry.entity_id == record.id,
                )
                .order_by(AuditEntry.at, AuditEntry.id)
            )
        )
        assert [(e.action, e.actor_id) for e in entries] == [
            ("create", staff_id),
            ("update", staff_id),
            ("update", leader_id),
        ]
        assert all(e.at is not None and e.pupil_id == export_world.mentee.id for e in entries)
        assert [e.changes.get("family_said") for e in entries[1:]] == ["changed", "changed"]
        assert record.version_id == 3
        assert NOTE not in json.dumps([e.changes for e in entries])


@pytest.mark.requirement("R63")
def test_r63_no_route_deletes_anything(app):
    for rule in app.url_map.iter_rules():
        assert "DELETE" not in rule.methods, rule
        assert "delete" not in rule.endpoint.lower(), rule


@pytest.mark.requirement("R63")
def test_r63_staff_cannot_cancel_close_or_hide_records(app, export_world):
    with app.app_context():
        exclusion = db.session.scalar(sa.select(Exclusion))
        moment_id = db.session.scalar(sa.text("SELECT min(id) FROM kindness_moments"))
    teacher = signed_in(app, export_world.staff)
    for path, data in (
        (f"/exclusions/{exclusion.id}/cancel", {"reason": "Mistake", "version": "1"}),
        (f"/risk/{export_world.ids['flag']}/close", {"close-outcome": "de_escalated"}),
        (f"/kindness/{moment_id}/hide", {"reason": "Mistake", "version": "1"}),
    ):
        assert teacher.post(path, data=data).status_code == 403, path
    with app.app_context():
        assert db.session.get(Exclusion, exclusion.id).cancelled_on is None
        assert db.session.get(RiskFlag, export_world.ids["flag"]).closed_on is None


def test_r63_a_deactivated_authors_entries_stay_readable_and_attributed(
    app, export_world, make_user
):
    author = make_user(Role.STAFF, school=export_world.school, full_name="Dora Departed")
    with app.test_request_context():
        record = families.create_conversation(
            export_world.school.id,
            export_world.mentee.id,
            _conversation(author.id, "Talked about lunchtimes"),
            [],
            by=db.session.get(User, author.id),
            today=school_today(),
        )
        db.session.commit()
        record_id = record.id
    admin = signed_in(app, make_user(Role.ADMIN, school=export_world.school))
    assert admin.post(f"/admin/users/{author.id}/deactivate").status_code == 302
    leader = signed_in(app, export_world.leader)
    page = leader.get(f"/families/{record_id}").get_data(as_text=True)
    assert "Talked about lunchtimes" in page and "Dora Departed" in page
    export = leader.get(f"/reports/pupils/{export_world.mentee.id}/subject-access.xlsx")
    conversations = workbook_rows(export.data)["Parent conversations"]
    assert any("Dora Departed" in row for row in conversations[1:])
    with app.app_context():
        assert db.session.get(User, author.id).active is False
        assert db.session.get(ParentConversation, record_id).created_by_id == author.id


# R64: audit rows cannot be changed, even by bulk statements -------------------------------------


@pytest.mark.requirement("R64")
def test_r64_bulk_update_and_delete_of_audit_rows_are_refused(app, make_school):
    school = make_school()
    with app.app_context():
        db.session.add(AuditEntry(action="login", entity_type="user", school_id=school.id))
        db.session.commit()
        for statement in (
            sa.update(AuditEntry).values(action="tampered"),
            sa.delete(AuditEntry),
            sa.update(AuditEntry.__table__).values(action="tampered"),
        ):
            with pytest.raises(AuditImmutableError):
                db.session.execute(statement)
            db.session.rollback()
        assert db.session.scalars(sa.select(AuditEntry.action)).all() == ["login"]


# R67: one classification table, and the controls it drives ------------------------------------

# Column names that hold organisations or reference data, not people.
NOT_PERSONAL = {
    "agencies.name",
    "risk_factors.name",
    "trusts.name",
    "schools.name",
    "intervention_types.name",
    "roll_imports.file_name",
    "transfer_records.sent_to",
}
PERSONAL_NAME = re.compile(r"(name|surname|forename|_said|_voice|notes|reason|goals)$")


@pytest.mark.requirement("R67")
def test_r67_every_classified_column_exists(app):
    tables = db.metadata.tables
    for qualified in CLASSIFICATION:
        table, column = qualified.split(".")
        assert table in tables and column in tables[table].columns, qualified
    assert set(tables) >= SPECIAL_TABLES


@pytest.mark.requirement("R67")
def test_r67_every_free_text_or_name_column_is_classified(app):
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            qualified = f"{table.name}.{column.name}"
            if qualified in NOT_PERSONAL or column.name in ("password_hash", "email"):
                continue
            if isinstance(column.type, sa.Text) or PERSONAL_NAME.search(column.name):
                assert qualified in columns_of(DataClass.IDENTIFYING, DataClass.FREE_TEXT), (
                    qualified
                )


@pytest.mark.requirement("R67")
def test_r67_no_service_writes_classified_values_into_the_audit():
    from school_tracker.families.services import SAFE_FIELDS as FAMILIES
    from school_tracker.interventions.participants import SAFE_FIELDS as PARTICIPANTS
    from school_tracker.interventions.services import SAFE_FIELDS as INTERVENTIONS
    from school_tracker.learning.services import SAFE_FIELDS as LEARNING
    from school_tracker.mentoring.services import SAFE_FIELDS as MENTORING

    for safe in (FAMILIES, PARTICIPANTS, INTERVENTIONS, LEARNING, MENTORING):
        assert not safe & CONTENT_COLUMN_NAMES, safe & CONTENT_COLUMN_NAMES


@pytest.mark.requirement("R67")
def test_r67_governors_workbook_holds_no_classified_value(app, export_world):
    texts, dates = classified_values(app)
    assert NOTE in " ".join(texts) and date(2018, 3, 1) in dates  # the world is rich enough
    leader = signed_in(app, export_world.leader)
    response = leader.get("/reports/governors.xlsx?term=autumn-2026")
    assert response.status_code == 200
    cells = [c for sheet in workbook_rows(response.data).values() for row in sheet for c in row]
    strings = [c for c in cells if isinstance(c, str)]
    for value in texts:
        if len(value) >= 12:
            assert not any(value in cell for cell in strings), value
        else:
            assert value not in strings, value
    cell_days = {c.date() if isinstance(c, datetime) else c for c in cells if isinstance(c, date)}
    assert not cell_days & dates


# R70: the subject-access export covers every table that refers to a pupil ----------------------

SAR_SHEETS = {
    "audit_entries": "Record access log",
    "exclusions": "Suspensions and exclusions",
    "intervention_participants": "Interventions",
    "kindness_moments": "Kindness moments",
    "mentoring_pairings": "Mentoring",
    "parent_conversations": "Parent conversations",
    "record_versions": "Record versions",
    "risk_flags": "Risk flags",
    "transfer_records": "Transfers",
}


@pytest.mark.requirement("R70")
def test_r70_every_pupil_linked_table_has_a_sheet_in_the_subject_access_file(app, export_world):
    pupils = db.metadata.tables["pupils"]
    linked = {
        table.name
        for table in db.metadata.sorted_tables
        if any(fk.column.table is pupils for fk in table.foreign_keys)
    }
    assert linked == set(SAR_SHEETS)
    with app.app_context():  # an edit, so the pupil's file has an earlier version to show
        conversation = db.session.scalar(
            sa.select(ParentConversation).where(
                ParentConversation.pupil_id == export_world.mentee.id
            )
        )
        apply_changes(
            conversation,
            {"agreed_actions": "Corrected after a call home."},
            by=db.session.get(User, export_world.leader.id),
            entity_type="parent_conversation",
            pupil_id=conversation.pupil_id,
        )
        db.session.commit()
    leader = signed_in(app, export_world.leader)
    leader.get(f"/pupils/{export_world.mentee.id}")
    sent = leader.post(
        f"/reports/pupils/{export_world.mentee.id}/transfer", data={"sent_to": "Riverside Academy"}
    )
    assert sent.status_code == 200
    export = leader.get(f"/reports/pupils/{export_world.mentee.id}/subject-access.xlsx")
    rows = workbook_rows(export.data)
    for table, sheet in SAR_SHEETS.items():
        assert len(rows[sheet]) > 1, (table, sheet)
    [transfer] = rows["Transfers"][1:]
    assert transfer[1] == "Riverside Academy" and transfer[2] == "Lena Leader"
    assert transfer[3] is None  # receipt not yet confirmed


# R72: minimisation in titles, URLs, browser storage and notifications --------------------------


@pytest.mark.requirement("R72")
def test_r72_no_pupil_data_in_titles_or_links(app, export_world):
    mentee = export_world.mentee
    with app.app_context():
        conversation = db.session.scalar(sa.select(ParentConversation.id))
        pairing = export_world.ids["staff_pairing"]
    leader = signed_in(app, export_world.leader)
    pages = [
        f"/pupils/{mentee.id}",
        f"/pupils/{mentee.id}/access",
        f"/risk/{export_world.ids['flag']}",
        f"/families/{conversation}",
        f"/mentoring/{pairing}",
        f"/interventions/{export_world.ids['group']}",
        f"/reports/pupils/{mentee.id}/transfer",
        "/pupils/",
    ]
    markers = (mentee.legal_surname, mentee.legal_forename, mentee.upn, "2018-03-01", "01/03/2018")
    for path in pages:
        response = leader.get(path)
        assert response.status_code == 200, path
        page = response.get_data(as_text=True)
        assert mentee.legal_surname in page or path.endswith(("/access", "/transfer"))
        [title] = re.findall(r"<title>(.*?)</title>", page, re.S)
        links = re.findall(r'(?:href|action|src)="([^"]*)"', page)
        for marker in markers:
            assert marker not in title, (path, title)
            assert not [link for link in links if marker in link], (path, marker)


@pytest.mark.requirement("R72")
def test_r72_no_browser_storage_and_no_outgoing_mail():
    sources = [*ROOT.glob("templates/**/*.html"), *ROOT.glob("static/**/*.js")]
    for path in sources:
        text = path.read_text()
        assert "localStorage" not in text and "sessionStorage" not in text, path
    for path in ROOT.glob("school_tracker/**/*.py"):
        text = path.read_text()
        assert not re.search(r"^\s*(import|from)\s+(smtplib|flask_mail|email\.mime)", text, re.M), (
            path
        )


# R69: held records stay held on every run ------------------------------------------------------


@pytest.mark.requirement("R69")
def test_r69_held_category_survives_repeated_runs_far_in_the_future(app, export_world):
    from school_tracker.privacy.retention import apply_retention

    with app.app_context():
        db.session.get(Pupil, export_world.mentee.id).leaving_date = date(2027, 7, 20)
        db.session.commit()
        for today in (date(2044, 1, 1), date(2060, 1, 1), date(2090, 1, 1)):
            counts = apply_retention(today)
            db.session.commit()
            assert "exclusion-risk flags" not in counts  # safeguarding is held by default
        flag = db.session.get(RiskFlag, export_world.ids["flag"])
        assert NOTE in flag.protective_factors
        assert db.session.get(Pupil, export_world.mentee.id).legal_surname == "Menteeson"
