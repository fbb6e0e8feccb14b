"""Session lifecycle: loading the user by id and token, idle and absolute timeouts."""

import hmac
import time
from collections.abc import Callable
from functools import wraps
from typing import ParamSpec
from urllib.parse import urlsplit, urlunsplit

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from school_tracker.extensions import db, login_manager
from school_tracker.models import User


@login_manager.user_loader
def load_user(token: str) -> User | None:
    """Load the user only if the session's token is still the user's current one."""
    user_id, _, session_token = token.partition(":")
    if not user_id.isdigit() or not session_token:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active:
        return None
    if not hmac.compare_digest(user.session_token, session_token):
        return None
    return user


def start_session(user: User) -> None:
    """A brand-new session for a signed-in user (nothing from before sign-in survives)."""
    # Callers may pass the current_user proxy; Flask-Login must get the object behind it.
    user = getattr(user, "_get_current_object", lambda: user)()
    session.clear()
    login_user(user, remember=False)
    session.permanent = True
    now = int(time.time())
    session["auth_at"] = now
    session["seen_at"] = now


PENDING_KEY = "mfa_pending"
PENDING_SECONDS = 300
# While a required enrolment is outstanding, only these endpoints are open.
ENROLMENT_OPEN = frozenset(
    {"account.two_factor", "auth.logout", "static", "bootstrap.static", "main.healthz"}
)


def begin_second_factor(user: User) -> None:
    """Password accepted: remember who is mid-sign-in, but sign nobody in yet."""
    session.clear()
    session[PENDING_KEY] = {"uid": user.id, "token": user.session_token, "at": int(time.time())}


def pending_user() -> User | None:
    """The user between password and code, if that step is recent and still valid."""
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = db.session.get(User, pending.get("uid", 0))
    if user is None or not user.active or user.session_token != pending.get("token"):
        return None
    return user


def two_factor_required(user: User) -> bool:
    """Whether this user's role must use a second factor."""
    required_roles: tuple[str, ...] = current_app.config["MFA_REQUIRED_ROLES"]
    return user.role.value in required_roles


def is_fresh() -> bool:
    """Signed in (or re-confirmed) within the last few minutes."""
    last: int = max(session.get("auth_at", 0), session.get("reauth_at", 0))
    fresh_minutes: int = current_app.config["FRESH_AUTH_MINUTES"]
    return time.time() - last <= fresh_minutes * 60


def mark_reauthenticated() -> None:
    """The user has just re-entered their credentials."""
    session["reauth_at"] = int(time.time())


ViewParams = ParamSpec("ViewParams")


def fresh_auth_required(
    view: Callable[ViewParams, ResponseReturnValue],
) -> Callable[ViewParams, ResponseReturnValue]:
    """Ask for the password again before exports, imports and role changes (ASVS 7.5.1)."""

    @wraps(view)
    def wrapper(*args: ViewParams.args, **kwargs: ViewParams.kwargs) -> ResponseReturnValue:
        if not is_fresh():
            # After a POST, come back to the page the form was on (its path only: `next`
            # accepts nothing absolute).
            target = request.full_path if request.method == "GET" else _referrer_path()
            flash("Please confirm it's you before continuing.", "info")
            return redirect(url_for("account.confirm", next=target or url_for("main.home")))
        return view(*args, **kwargs)

    return wrapper


def _referrer_path() -> str | None:
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc and referrer.netloc != request.host:
        return None
    return urlunsplit(("", "", referrer.path, referrer.query, "")) or None


def end_session() -> None:
    """Forget the user in this browser."""
    logout_user()
    session.clear()


def _expired() -> bool:
    cfg = current_app.config
    now = int(time.time())
    seen_at: int = session.get("seen_at", 0)
    signed_in_at: int = session.get("auth_at", 0)
    idle_minutes: int = cfg["SESSION_IDLE_MINUTES"]
    absolute_hours: int = cfg["SESSION_ABSOLUTE_HOURS"]
    idle = now - seen_at > idle_minutes * 60
    too_old = now - signed_in_at > absolute_hours * 3600
    return idle or too_old


def _check_session_age() -> Response | None:
    if request.endpoint in ("static", "bootstrap.static"):
        return None
    if not current_user.is_authenticated:
        return None
    if _expired():
        end_session()
        flash("You were signed out after a period without activity. Please sign in again.", "info")
        return redirect(url_for("auth.login"))
    session["seen_at"] = int(time.time())
    return None


def _require_enrolment() -> Response | None:
    if not current_user.is_authenticated or request.endpoint in ENROLMENT_OPEN:
        return None
    if two_factor_required(current_user) and not current_user.has_two_factor:
        flash("Your role needs two-factor sign-in. Set it up to continue.", "info")
        return redirect(url_for("account.two_factor"))
    return None


def register_sessions(app: Flask) -> None:
    """Check session age before every request (before the access policy runs)."""
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = None  # the token check above is the revocation control
    app.before_request(_check_session_age)
    app.before_request(_require_enrolment)
