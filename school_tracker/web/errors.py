"""Friendly error pages with a reference number; never a stack trace, SQL or path."""

import logging
from contextlib import suppress

from flask import Flask, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from school_tracker.extensions import db
from school_tracker.web.busy import busy_response, pin_user_without_loading
from school_tracker.web.logging_setup import log_security_event, request_id

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("Something in that request was not right", "Please go back and try again."),
    401: ("Please sign in", "You need to sign in to see this page."),
    403: ("You don't have access to this page", "If you think you should, ask your admin."),
    404: ("Page not found", "The page may have moved, or you may not have access to it."),
    405: ("That action is not allowed here", "Please use the buttons on the page."),
    409: ("Someone else changed this record", "Reload the record to see the newer version."),
    413: ("That was too large to send", "Nothing was saved. Files can be up to 5 MB."),
    429: ("Too many attempts", "Please wait a minute before trying again."),
    500: ("Something went wrong on our side", "The problem has been logged. Please try again."),
    503: ("The service is busy", "Please try again in a moment."),
}


def error_reference() -> str:
    """The request id, tying the page a user saw to the server's log lines."""
    return request_id()


# Form parts that are plumbing, not something the person typed.
_NOT_TYPED = {"csrf_token", "form_nonce", "version", "submit"}


def unsaved_input() -> list[tuple[str, str]]:
    """What the person sent, as (label, text) pairs, so a refused save loses none of it (R81).

    Shown only to the person who typed it, on the page answering their own POST.
    """
    if request.method != "POST":
        return []
    typed = []
    for name in request.form:
        field = name.rpartition("-")[2]  # forms on shared pages carry a "level-" style prefix
        values = [value for value in request.form.getlist(name) if value.strip()]
        if field not in _NOT_TYPED and values:
            typed.append((field.replace("_", " ").capitalize(), ", ".join(values)))
    return typed


def render_error(
    code: int,
    detail: str | None = None,
    link: str | None = None,
    unsaved: list[tuple[str, str]] | None = None,
) -> ResponseReturnValue:
    """Render the shared error page for a status code."""
    title, hint = MESSAGES.get(code, MESSAGES[500])
    try:
        page = render_template(
            [f"errors/{code}.html", "errors/error.html"],  # 413 says whether a form or a file
            code=code,
            title=title,
            hint=detail or hint,
            ref=error_reference(),
            link=link,
            unsaved=unsaved or [],
        )
    except Exception:  # noqa: BLE001 - e.g. an untrusted Host leaves no URL adapter for links
        return f"{title}. {hint} (error {code})", code, {"Content-Type": "text/plain"}
    return page, code


def _http_error(error: HTTPException) -> ResponseReturnValue:
    code = error.code or 500
    if code >= 500:
        db.session.rollback()
    detail = getattr(error, "friendly", None)
    link = getattr(error, "view_url", None)
    unsaved = unsaved_input() if code == 409 else None
    return render_error(code if code in MESSAGES else 500, detail, link, unsaved)


def _csrf_error(error: CSRFError) -> ResponseReturnValue:
    log_security_event("csrf_failed", "denied", error.description)  # R59
    return render_error(400, "Your form expired or was sent twice. Go back, reload and try again.")


def _database_refused(error: OperationalError) -> ResponseReturnValue:
    """The database is busy past its timeout (or down): a 503 that keeps what was typed.

    Nothing on this path may touch the database again: asking after a refusal waits out the
    timeout a second time (issue 11 saw 25 s, then a 500). So the user is pinned to what the
    request already knows, and the page is rendered without the context processors, which
    would load the user and run queries; the headers hook reads only the session.
    """
    pin_user_without_loading()
    # A connection that is itself gone refuses even this; the pool replaces it next time.
    with suppress(OperationalError):
        db.session.rollback()
    log.error("database unavailable ref=%s: %s", error_reference(), type(error.orig).__name__)
    return busy_response()


def _unhandled(error: Exception) -> ResponseReturnValue:
    if isinstance(error, HTTPException):
        return _http_error(error)
    db.session.rollback()
    log.exception("unhandled error ref=%s", error_reference())
    return render_error(500)


def register_error_handlers(app: Flask) -> None:
    """One handler per status, plus CSRF, database and unexpected errors."""
    app.register_error_handler(CSRFError, _csrf_error)
    for code in (400, 401, 403, 404, 405, 409, 413, 429, 503):
        app.register_error_handler(code, _http_error)
    app.register_error_handler(OperationalError, _database_refused)
    app.register_error_handler(InternalServerError, _unhandled)
    app.register_error_handler(Exception, _unhandled)
