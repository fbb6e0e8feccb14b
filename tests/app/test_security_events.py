"""Security events (R59): one structured log line per event type, with outcome and UTC time."""

import io
import re
from datetime import UTC, datetime

import pyotp
import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from school_tracker.extensions import db
from school_tracker.interventions.catalogue import ensure_intervention_types
from school_tracker.models import Exclusion, InterventionType, Role, User
from school_tracker.web.logging_setup import make_formatter
from tests.conftest import PASSWORD
from tests.factories.accounts import signed_in
from tests.factories.imports import roll_csv
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
