"""Session lifecycle: loading the user by id and token, idle and absolute timeouts."""

import hmac
import time

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user

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
    session.clear()
    login_user(user, remember=False)
    session.permanent = True
    now = int(time.time())
    session["auth_at"] = now
    session["seen_at"] = now


def end_session() -> None:
    """Forget the user in this browser."""
    logout_user()
    session.clear()


def _expired() -> bool:
    cfg = current_app.config
    now = int(time.time())
    idle = now - session.get("seen_at", 0) > cfg["SESSION_IDLE_MINUTES"] * 60
    too_old = now - session.get("auth_at", 0) > cfg["SESSION_ABSOLUTE_HOURS"] * 3600
    return idle or too_old


def _check_session_age():
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


def register_sessions(app: Flask) -> None:
    """Check session age before every request (before the access policy runs)."""
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = None  # the token check above is the revocation control
    app.before_request(_check_session_age)
