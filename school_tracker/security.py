"""Response headers for every response (pages, errors, static files, downloads) and ProxyFix.

A small after_request rather than flask-talisman: our CSP is fixed (no inline script, so no
nonces), we also need Cache-Control: no-store, which Talisman does not set, and Talisman's
settings live on a shared extension object that every app in the test run would overwrite.
"""

from flask import Flask, Response, request
from flask_login import current_user
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
        current_user.is_authenticated
        or "attachment" in response.headers.get("Content-Disposition", "")
    ):
        # Pupil data must not sit in shared or browser caches (ASVS 14.3.2).
        response.headers["Cache-Control"] = "no-store"
    response.headers.pop("Server", None)
    return response


def register_security(app: Flask) -> None:
    """Headers on every response; ProxyFix only when the deployer says how many proxies."""
    app.after_request(_set_security_headers)
    x_for, x_proto = app.config["PROXY_FIX_X_FOR"], app.config["PROXY_FIX_X_PROTO"]
    if x_for or x_proto:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=x_for, x_proto=x_proto)
