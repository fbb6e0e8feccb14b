"""No secrets or pupil data in app or access logs (R60), and no forged log lines (R61)."""

import html
import logging
import re

import pyotp
import pytest
import requests

from school_tracker.models import Role
from school_tracker.web.logging_setup import log_security_event, make_formatter
from tests.conftest import PASSWORD
from tests.factories.exports import NOTE, classified_values
from tests.support.browser import live_server
from tests.support.logs import security_events

CSRF_ON = pytest.mark.parametrize("app_config_overrides", [{"WTF_CSRF_ENABLED": True}])

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

FORGED = "2026-01-01T00:00:00.000Z INFO school_tracker.web.security forged login"


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
