"""Structured, injection-proof application logs (SECURITY R59, R61).

Each record carries the request id, user id, school id and client address; control
characters in the message are escaped so a crafted value can never forge a second line.
"""

import logging
import secrets

from flask import Flask, g, has_request_context, request

_ESCAPES = {"\r": "\\r", "\n": "\\n", "\t": "\\t"}


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
    return g.request_id


def _annotate(record: logging.LogRecord) -> logging.LogRecord:
    """Escape the message and attach request fields to a new log record."""
    record.msg = escape_controls(record.getMessage())
    record.args = None
    record.request_id = record.user_id = record.school_id = record.client = "-"
    if has_request_context():
        record.request_id = request_id()
        record.client = request.remote_addr or "-"
        user = g.get("_login_user")  # only if Flask-Login already loaded one; never load here
        if user is not None and getattr(user, "is_authenticated", False):
            record.user_id = str(user.id)
            record.school_id = str(user.school_id or "-")
    return record


def _install_record_factory() -> None:
    # A record factory (unlike a logger filter) sees every record from every logger, so
    # library and child-logger messages are escaped too.
    current = logging.getLogRecordFactory()
    if getattr(current, "_school_tracker", False):
        return

    def factory(*args, **kwargs) -> logging.LogRecord:
        return _annotate(current(*args, **kwargs))

    factory._school_tracker = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


LOG_FORMAT = (
    "%(asctime)s %(levelname)s %(name)s req=%(request_id)s user=%(user_id)s "
    "school=%(school_id)s ip=%(client)s: %(message)s"
)


def configure_logging(app: Flask) -> None:
    """Install the record factory; outside tests, one stderr handler with the format."""
    _install_record_factory()
    if app.testing:
        return
    root = logging.getLogger()
    if not any(getattr(h, "_school_tracker", False) for h in root.handlers):
        handler = logging.StreamHandler()
        handler._school_tracker = True  # type: ignore[attr-defined]
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        root.addHandler(handler)
    root.setLevel(app.config.get("LOG_LEVEL", "INFO"))
