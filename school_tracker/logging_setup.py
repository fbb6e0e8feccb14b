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


class RequestContextFilter(logging.Filter):
    """Add request fields and neutralise control characters in every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = escape_controls(record.getMessage())
        record.args = None
        record.request_id = record.user_id = record.school_id = record.client = "-"
        if has_request_context():
            from flask_login import current_user

            record.request_id = request_id()
            record.client = request.remote_addr or "-"
            user = g.get("_login_user")
            if user is not None and getattr(current_user, "is_authenticated", False):
                record.user_id = str(user.id)
                record.school_id = str(user.school_id or "-")
        return True


LOG_FORMAT = (
    "%(asctime)s %(levelname)s %(name)s req=%(request_id)s user=%(user_id)s "
    "school=%(school_id)s ip=%(client)s: %(message)s"
)


def configure_logging(app: Flask) -> None:
    """One stderr handler with the structured format; the filter applies in tests too."""
    context_filter = RequestContextFilter()
    app_logger = logging.getLogger("school_tracker")
    if not any(isinstance(f, RequestContextFilter) for f in app_logger.filters):
        app_logger.addFilter(context_filter)
    if app.testing:
        return
    root = logging.getLogger()
    if not any(getattr(h, "_school_tracker", False) for h in root.handlers):
        handler = logging.StreamHandler()
        handler._school_tracker = True  # type: ignore[attr-defined]
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        handler.addFilter(context_filter)
        root.addHandler(handler)
    root.setLevel(app.config.get("LOG_LEVEL", "INFO"))
