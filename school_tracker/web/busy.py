"""The "busy, please try again" page: a 503 that gives back what the person sent (issue 11).

It answers a request the database has just refused, so it asks the database nothing: the user
is never loaded, and the page is rendered without the context processors (Flask-Login's loads
the user; others run queries). A refused save comes back as a form holding every field as it
was sent, with a fresh CSRF token and the same once-only nonce, so "Send again" saves it once;
passwords and one-time codes are never echoed back, only asked for again.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from flask import Response, current_app, g, request
from flask_login import AnonymousUserMixin
from flask_wtf.csrf import generate_csrf

from school_tracker.web.logging_setup import request_id

RETRY_AFTER_SECONDS = 5
TITLE = "The service is busy"
SAVE_HINT = (
    "Nothing has been saved yet, and nothing you sent is lost. Please try again in a moment: "
    "wait a few seconds, then press Send again."
)
READ_HINT = "Please try again in a moment."
# Fields typed again rather than sent back: passwords and one-time codes.
SECRET_FIELDS = frozenset({"password", "confirm", "current", "code"})
SECRET_WORDS = ("password", "secret", "totp")
# Form parts that are plumbing, not something the person typed.
PLUMBING = frozenset({"csrf_token", "form_nonce", "version", "submit"})


@dataclass(frozen=True)
class KnownUser:
    """The signed-in person as far as this request already knows, without a query."""

    id: int | None
    school_id: int | None
    is_authenticated: bool = True
    is_active: bool = True
    is_anonymous: bool = False

    def get_id(self) -> str | None:
        return None if self.id is None else str(self.id)


def pin_user_without_loading() -> None:
    """Make `current_user` answer from memory for the rest of the request.

    A user not loaded yet stays unknown (anonymous) rather than being loaded; a loaded one
    keeps its id and school for the log lines, read from the identity map without a refresh.
    """
    user = g.get("_login_user")
    state = sa.inspect(user, raiseerr=False) if user is not None else None
    if user is None:
        g._login_user = AnonymousUserMixin()
    elif state is not None:
        identity = state.identity
        g._login_user = KnownUser(
            id=identity[0] if identity else None, school_id=state.dict.get("school_id")
        )


def _field(name: str) -> str:
    return name.rpartition("-")[2]  # forms on shared pages carry a "level-" style prefix


def _is_secret(field: str) -> bool:
    lowered = field.lower()
    return lowered in SECRET_FIELDS or any(word in lowered for word in SECRET_WORDS)


def _label(field: str) -> str:
    return field.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Resend:
    """The refused form: fields to send again, secrets to retype, and what was typed."""

    fields: list[tuple[str, str]]
    retype: list[tuple[str, str]]
    typed: list[tuple[str, str]]
    had_files: bool


def refused_form() -> Resend:
    """Everything the refused POST carried, ready to be sent again."""
    csrf_field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    fields, retype, typed = [], [], []
    for name in request.form:
        field = _field(name)
        values = request.form.getlist(name)
        if field == csrf_field:
            fields.append((name, generate_csrf()))
        elif _is_secret(field):
            retype.append((name, _label(field)))
        else:
            fields.extend((name, value) for value in values)
            shown = [value for value in values if value.strip()]
            if field not in PLUMBING and shown:
                typed.append((_label(field), ", ".join(shown)))
    return Resend(fields, retype, typed, bool(request.files))


def _same_address() -> str:
    return request.script_root + request.full_path.rstrip("?")


def busy_response() -> Response:
    """503 with Retry-After; a POST's fields come back as a form that sends them again."""
    posted = request.method == "POST"
    resend = refused_form() if posted else Resend([], [], [], False)
    try:
        html = current_app.jinja_env.get_template("errors/busy.html").render(
            title=TITLE,
            hint=SAVE_HINT if posted else READ_HINT,
            ref=request_id(),
            action=_same_address(),
            posted=posted,
            resend=resend,
            current_user=AnonymousUserMixin(),  # the page must not load the user for its menu
        )
        response = Response(html, 503, mimetype="text/html")
    except Exception:  # noqa: BLE001 - e.g. an untrusted Host leaves no URL adapter for links
        response = Response(f"{TITLE}. {READ_HINT} (error 503)", 503, mimetype="text/plain")
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"  # it may hold what the person typed
    return response
