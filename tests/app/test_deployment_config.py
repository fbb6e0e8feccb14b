"""Headers, hosts and errors (R40-R42, R65-R66) and the Flask configuration for deployment
(R74-R79)."""

import logging
import os
import re
import subprocess
import sys
import tomllib

import pytest
import sqlalchemy as sa
from flask import abort

import school_tracker
from config import ProductionConfig
from school_tracker import ROOT, create_app
from school_tracker.extensions import db
from school_tracker.models import Pupil, Role, RollImport, RollImportStatus
from tests.conftest import PASSWORD, make_config, production_config
from tests.factories.rows import count_rows

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
    """R42: as docs/deployment.md deploys it (SCHOOL_TRACKER_TRUSTED_HOSTS as JSON)."""
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
    from school_tracker.web.errors import MESSAGES

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
    assert count_rows(app, Pupil) == 101 and status is RollImportStatus.PREVIEWED  # no new rows


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
