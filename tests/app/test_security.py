"""Configuration guards, security headers on every kind of response, error pages."""

import pytest
from flask import abort

from config import DEV_SECRET_KEY
from school_tracker import create_app
from school_tracker.models import Role
from tests.conftest import make_config, production_config


@pytest.mark.requirement("R74")
@pytest.mark.parametrize("key", ["", "short", DEV_SECRET_KEY])
def test_production_refuses_weak_secret_keys(database_url, key):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(production_config(database_url, SECRET_KEY=key))


@pytest.mark.requirement("R77")
def test_production_refuses_in_memory_rate_limits(database_url):
    with pytest.raises(RuntimeError, match="RATELIMIT_STORAGE_URI"):
        create_app(production_config(database_url, RATELIMIT_STORAGE_URI="memory://"))


@pytest.mark.requirement("R75")
def test_production_is_never_in_debug(make_app, database_url, monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    app = make_app(production_config(database_url, DEBUG=True))
    assert app.debug is False


@pytest.mark.requirement("R10", "R68")
def test_production_session_cookie_attributes(app, make_app, database_url, make_user):
    user = make_user()
    production = make_app(production_config(database_url))
    client = production.test_client()
    response = client.post(
        "/login",
        base_url="https://localhost",
        data={"email": user.email, "password": "violet-harbour-engine-42"},
    )
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=")
    for attribute in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
        assert attribute in cookie
    assert "Domain" not in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


EXPECTED = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}
CSP_DIRECTIVES = [
    "default-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
    "script-src 'self'",
]


def _assert_headers(response):
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, name
    csp = response.headers["Content-Security-Policy"]
    for directive in CSP_DIRECTIVES:
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Server" not in response.headers


@pytest.mark.requirement("R40")
@pytest.mark.parametrize(
    "path",
    [
        "/login",
        "/healthz",
        "/static/css/app.css",
        "/no-such-page",
        "/bootstrap/static/css/bootstrap.min.css",
    ],
)
def test_headers_on_anonymous_responses(client, path):
    response = client.get(path, headers={"Origin": "https://evil.example"})
    _assert_headers(response)
    response.close()


@pytest.mark.requirement("R40")
def test_headers_and_no_store_when_signed_in(client, login_as):
    login_as(Role.STAFF)
    for path in ("/", "/pupils/", "/admin/users"):
        response = client.get(path)
        _assert_headers(response)
        assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.requirement("R65")
def test_unhandled_error_renders_friendly_500(app, login_as, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/explode-for-test")
    def explode():
        raise RuntimeError("secret internals SELECT * FROM pupils")

    explode.allowed_roles = frozenset(Role)
    login_as(Role.STAFF)
    response = client.get("/explode-for-test")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    for leak in ("Traceback", "sqlalchemy", "werkzeug", 'File "', "SELECT", "secret"):
        assert leak not in body
    assert "reference" in body
    _assert_headers(response)


@pytest.mark.requirement("R89")
def test_database_lock_is_a_friendly_503(app, login_as, client):
    from sqlalchemy.exc import OperationalError

    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/locked-for-test")
    def locked():
        raise OperationalError("UPDATE pupils", {}, Exception("database is locked"))

    locked.allowed_roles = frozenset(Role)
    login_as(Role.STAFF)
    response = client.get("/locked-for-test")
    assert response.status_code == 503
    assert "try again" in response.get_data(as_text=True)
    assert "UPDATE" not in response.get_data(as_text=True)


@pytest.mark.parametrize("code", [400, 401, 403, 404, 405, 409, 413, 429, 500, 503])
def test_every_error_code_has_a_handler(app, code):
    assert code in app.error_handler_spec[None] or code == 500


def test_upload_size_limit_gives_413(app, login_as, client):
    @app.post("/upload-for-test")
    def upload():
        from flask import request

        request.files  # noqa: B018 - reading the body triggers the size check
        abort(400)

    upload.allowed_roles = frozenset(Role)
    login_as(Role.ADMIN)
    response = client.post(
        "/upload-for-test", data=b"x" * (6 * 1024 * 1024), content_type="application/octet-stream"
    )
    assert response.status_code == 413


@pytest.mark.requirement("R9", "R42")
def test_trusted_hosts(make_app, database_url):
    app = make_app(make_config(database_url, TRUSTED_HOSTS=["tracker.example.org"]))
    client = app.test_client()
    assert client.get("/healthz", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/healthz", headers={"Host": "tracker.example.org"}).status_code == 200


@pytest.mark.requirement("R61")
def test_log_lines_cannot_be_forged(app, caplog):
    import logging

    with app.test_request_context("/"), caplog.at_level(logging.INFO):
        logging.getLogger("school_tracker.test").info("user said %s", "hi\r\n2026 INFO forged line")
    records = [r for r in caplog.records if r.name == "school_tracker.test"]
    assert len(records) == 1
    message = records[0].getMessage()
    assert "\n" not in message and "\r" not in message and "\\r\\n" in message
    assert records[0].request_id != "-"
