"""Response headers for every response (pages, errors, static files, downloads), ProxyFix, and
refusing numbers in URLs that no row or page can have.

A small after_request rather than flask-talisman: our CSP is fixed (no inline script, so no
nonces), we also need Cache-Control: no-store, which Talisman does not set, and Talisman's
settings live on a shared extension object that every app in the test run would overwrite.
"""

from flask import Flask, Response, abort, request, session
from werkzeug.middleware.proxy_fix import ProxyFix

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)

STATIC_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def _set_security_headers(response: Response) -> Response:
    for name, value in STATIC_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    is_static = request.endpoint in ("static", "bootstrap.static")
    if not is_static and (
        _signed_in_session() or "attachment" in response.headers.get("Content-Disposition", "")
    ):
        # Pupil data must not sit in shared or browser caches (ASVS 14.3.2).
        response.headers["Cache-Control"] = "no-store"
    response.headers.pop("Server", None)
    return response


def _signed_in_session() -> bool:
    # From the session cookie, never by loading the user: this runs on error pages too, and
    # after the database refused a request, loading would wait on it again (issue 11).
    return "_user_id" in session


# The largest id a row can have (ids are PostgreSQL `integer`); also caps page numbers.
MAX_NUMBER = 2**31 - 1


def _too_big(value: str) -> bool:
    digits = value.strip().lstrip("+-").lstrip("0")
    if not (digits.isascii() and digits.isdigit()):
        return False
    return len(digits) > len(str(MAX_NUMBER)) or int(digits) > MAX_NUMBER


def _refuse_impossible_ids(endpoint: str | None, values: dict | None) -> None:
    """404 for a path id no row can have (R36): Werkzeug's int converter takes any length,
    and SQLite raises OverflowError (a 500) on an integer past 64 bits."""
    if values and any(isinstance(v, int) and v > MAX_NUMBER for v in values.values()):
        abort(404)


def _refuse_impossible_numbers() -> None:
    """400 for a query-string number no id, page or year can be (page=10**30 would overflow
    the OFFSET it becomes); the views then parse only numbers that fit."""
    if any(_too_big(value) for _name, value in request.args.items(multi=True)):
        abort(400)


def register_security(app: Flask) -> None:
    """Number bounds and headers on every request; ProxyFix only when the deployer says how
    many proxies there are."""
    app.url_value_preprocessor(_refuse_impossible_ids)
    app.before_request(_refuse_impossible_numbers)
    app.after_request(_set_security_headers)
    x_for, x_proto = app.config["PROXY_FIX_X_FOR"], app.config["PROXY_FIX_X_PROTO"]
    if x_for or x_proto:
        # Flask's documented way to add WSGI middleware; mypy sees wsgi_app only as a method.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=x_for, x_proto=x_proto
        )
