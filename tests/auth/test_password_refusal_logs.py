"""Refused passwords and throttled sign-ins are logged as security events, never with the
password or e-mail (R59)."""

from school_tracker.auth.services import issue_activation_code
from school_tracker.extensions import db
from school_tracker.models import Role, User
from school_tracker.web.logging_setup import SECURITY_LOGGER
from tests.conftest import PASSWORD
from tests.factories.accounts import activate
from tests.support.logs import security_events

# --- R59: logs -------------------------------------------------------------------------------


def test_r59_a_throttled_sign_in_never_logs_the_email(app, make_user, auth, logs):
    user = make_user(Role.STAFF, email="Ella.Address@example.org")
    for _ in range(5):
        auth.login(user.email, "wrong-password-here")
    assert auth.login(user.email.upper()).status_code == 429  # same account, any case
    limiter_lines = [r.getMessage() for r in logs.records if r.name == "flask-limiter"]
    assert any("login-account:" in line for line in limiter_lines)  # the key is logged
    for record in logs.records:
        line = record.getMessage().lower()
        assert "ella.address" not in line and "example.org" not in line, line


def test_r59_a_password_refused_at_activation_is_logged_without_the_password(app, make_user, logs):
    user = make_user(Role.STAFF)
    with app.app_context():
        code = issue_activation_code(db.session.get(User, user.id), by=None)
        db.session.commit()
    refused = activate(app.test_client(), user.email, code, "password1234")
    assert "common password" in refused.get_data(as_text=True)
    [record] = security_events(logs, "password_refused")
    assert (record.user_id, record.school_id, record.outcome) == (
        str(user.id),
        str(user.school_id),
        "failure",
    )
    assert record.getMessage() == f"password_refused user {user.id} rule=too_weak"


def test_r59_a_password_refused_on_change_is_logged_without_the_password(client, login_as, logs):
    staff = login_as(Role.STAFF)
    client.post("/account/", data={"current": PASSWORD, "password": "short1", "confirm": "short1"})
    [record] = security_events(logs, "password_refused")
    assert record.user_id == str(staff.id) and "rule=too_short" in record.getMessage()
    assert "short1" not in " ".join(r.getMessage() for r in logs.records)


def test_r59_a_password_refused_at_the_command_line_is_logged(app, runner, make_school, logs):
    make_school("oakfield", "Oakfield Primary")
    result = runner.invoke(
        args=["create-user", "--school", "oakfield", "--email", "a@x.org", "--role", "admin"],
        input="oakfield2026!\noakfield2026!\n",
    )
    assert result.exit_code == 1
    [record] = security_events(logs, "password_refused")
    assert "rule=context_word" in record.getMessage()
    assert "oakfield2026" not in " ".join(r.getMessage() for r in logs.records)


def test_r59_a_policy_403_is_one_structured_log_line(client, login_as, logs):
    login_as(Role.STAFF)
    logs.clear()
    assert client.get("/audit/").status_code == 403
    lines = [r for r in logs.records if "audit_log.index" in r.getMessage()]
    assert [(r.name, getattr(r, "event", None)) for r in lines] == [
        (SECURITY_LOGGER, "access_denied")
    ]
