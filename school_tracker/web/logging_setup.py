"""Structured, injection-proof application logs (R59, R61).

Each record carries the request id, user id, school id and client address; control
characters in the message are escaped so a crafted value can never forge a second line.
Security events (sign-ins, refusals, changes) also carry an `event` and an `outcome`, and
the timestamp is written in UTC, so a log shipped elsewhere can be read without our clock.
"""

import logging
import secrets
import time
from typing import Any

from flask import Flask, Response, g, has_request_context, request

_ESCAPES = {"\r": "\\r", "\n": "\\n", "\t": "\\t"}
SECURITY_LOGGER = "school_tracker.web.security"
security_log = logging.getLogger(SECURITY_LOGGER)

# Refused requests worth a security line of their own (R59: access-control denials,
# IDOR 404s, throttling). 404s count only when a route matched, i.e. an object lookup
# was refused, not a mistyped address.
REFUSALS = {
    400: ("bad_request", "failure"),
    403: ("access_denied", "denied"),
    404: ("not_found", "denied"),
    413: ("too_large", "failure"),
    429: ("throttled", "denied"),
}


def escape_controls(text: str) -> str:
    """Render CR, LF, TAB and other control characters visibly instead of raw."""
    return "".join(
        _ESCAPES.get(ch, f"\\x{ord(ch):02x}") if ord(ch) < 32 or ord(ch) == 127 else ch
        for ch in text
    )


def request_id() -> str:
    """A short random id for the current request, shared by its log lines and error page."""
    if "request_id" not in g:
        g.request_id = secrets.token_hex(6)
    current: str = g.request_id
    return current


def _annotate(record: logging.LogRecord) -> logging.LogRecord:
    """Escape the message and attach request fields to a new log record."""
    record.msg = escape_controls(record.getMessage())
    record.args = None
    record.request_id = record.user_id = record.school_id = record.client = "-"
    if has_request_context():
        record.request_id = request_id()
        # remote_addr is the proxy's address unless ProxyFix is configured (R76).
        record.client = request.remote_addr or "-"
        user = g.get("_login_user")  # only if Flask-Login already loaded one; never load here
        if user is not None and getattr(user, "is_authenticated", False):
            record.user_id = str(user.id)
            record.school_id = str(user.school_id or "-")
    return record


def log_security_event(
    event: str,
    outcome: str,
    detail: str = "",
    *,
    user_id: int | None = None,
    school_id: int | None = None,
) -> None:
    """Log one security event with its outcome ("success", "failure" or "denied").

    `user_id` and `school_id` default to the signed-in user's; pass them when the actor is
    known but not signed in yet (a sign-in) or the event belongs to another school. Only
    ids go in `detail`, never names or text (R60).
    """
    if has_request_context() and outcome != "success":
        g.security_refusal_logged = True
    if not security_log.isEnabledFor(logging.INFO):
        return
    message = f"{event} {detail}".strip()
    # Built by hand rather than with `extra=`: the record factory has already set the user
    # and school fields, and `extra` may not overwrite existing attributes.
    record = security_log.makeRecord(
        SECURITY_LOGGER, logging.INFO, __file__, 0, "%s", (message,), None
    )
    record.event, record.outcome = event, outcome
    if user_id is not None:
        record.user_id = str(user_id)
    if school_id is not None:
        record.school_id = str(school_id)
    security_log.handle(record)


def _log_refusal(response: Response) -> Response:
    """One security line for a refused request, unless its handler already logged why."""
    refusal = REFUSALS.get(response.status_code)
    if refusal is None or g.get("security_refusal_logged"):
        return response
    if response.status_code == 404 and request.url_rule is None:
        return response
    if request.endpoint in ("static", "bootstrap.static"):
        return response
    # The endpoint and integer ids only: the path's query string could hold anything.
    ids = [
        f"{name}={value}"
        for name, value in sorted((request.view_args or {}).items())
        if isinstance(value, int)
    ]
    event, outcome = refusal
    detail = [request.method, request.endpoint or "-", *ids, f"status={response.status_code}"]
    log_security_event(event, outcome, " ".join(detail))
    return response


def _install_record_factory() -> None:
    # A record factory (unlike a logger filter) sees every record from every logger, so
    # library and child-logger messages are escaped too.
    current = logging.getLogRecordFactory()
    if getattr(current, "_school_tracker", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return _annotate(current(*args, **kwargs))

    # A marker on the function itself: logging keeps no record of who installed a factory.
    factory._school_tracker = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


LOG_FORMAT = (
    "%(asctime)s %(levelname)s %(name)s req=%(request_id)s user=%(user_id)s "
    "school=%(school_id)s ip=%(client)s outcome=%(outcome)s: %(message)s"
)


class UTCFormatter(logging.Formatter):
    """ISO 8601 timestamps in UTC ("2026-11-02T09:15:00.123Z"), whatever the server's zone."""

    # The logging documentation's own recipe; typeshed's Formatter.converter takes the time
    # as an argument, which mypy reads as a method binding `self`.
    converter = time.gmtime  # type: ignore[assignment]
    default_time_format = "%Y-%m-%dT%H:%M:%S"
    default_msec_format = "%s.%03dZ"


def make_formatter() -> logging.Formatter:
    """The production line format; records that are not security events show outcome "-"."""
    return UTCFormatter(LOG_FORMAT, defaults={"outcome": "-"})


def configure_logging(app: Flask) -> None:
    """Install the record factory and refusal logging; outside tests, one stderr handler."""
    _install_record_factory()
    app.after_request(_log_refusal)
    if app.testing:
        return
    root = logging.getLogger()
    if not any(getattr(h, "_school_tracker", False) for h in root.handlers):
        handler = logging.StreamHandler()
        # A marker on our handler, so a second create_app adds no duplicate.
        handler._school_tracker = True  # type: ignore[attr-defined]
        handler.setFormatter(make_formatter())
        root.addHandler(handler)
    root.setLevel(app.config.get("LOG_LEVEL", "INFO"))
