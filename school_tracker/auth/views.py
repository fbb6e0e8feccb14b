"""Sign-in, sign-out and account activation pages."""

import hashlib
import hmac
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.wrappers import Response

from school_tracker.auth import services, totp
from school_tracker.auth.forms import ActivateForm, CodeForm, LoginForm
from school_tracker.auth.passwords import PasswordPolicyError
from school_tracker.auth.sessions import (
    begin_second_factor,
    end_session,
    pending_user,
    start_session,
)
from school_tracker.extensions import db, limiter
from school_tracker.forms import add_error
from school_tracker.permissions import EVERYONE, allow

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str:
    """Only a same-site path; anything absolute, protocol-relative or odd goes home."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("main.home")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(ch) < 32 for ch in target):
        return url_for("main.home")
    return target


def _account_key() -> str:
    """The per-account limit's key: a keyed hash of the e-mail, never the e-mail itself.

    Flask-Limiter logs the key of every limit it enforces and keeps it in Redis; a hash keeps
    staff addresses out of both (R59, R60). Keyed with SECRET_KEY so no one can rebuild the
    hash of a guessed address from the log.
    """
    email = services.normalise_email(request.form.get("email", ""))[:254]
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    digest = hmac.new(secret, email.encode(), hashlib.sha256).hexdigest()
    return "login-account:" + digest[:32]


def _address_limit() -> str:
    limit: str = current_app.config["LOGIN_LIMIT_PER_ADDRESS"]
    return limit


def _account_limit() -> str:
    limit: str = current_app.config["LOGIN_LIMIT_PER_ACCOUNT"]
    return limit


def _failed(response: Response) -> bool:
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_address_limit, methods=["POST"])
@limiter.limit(_account_limit, key_func=_account_key, methods=["POST"], deduct_when=_failed)
def login() -> ResponseReturnValue:
    """Sign in with e-mail and password."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data or "", form.password.data or "")
        if user is not None and user.has_two_factor:
            db.session.commit()
            begin_second_factor(user)
            return redirect(url_for("auth.two_factor", next=request.args.get("next")))
        if user is not None:
            services.complete_login(user)
            db.session.commit()
            start_session(user)
            return redirect(safe_next(request.args.get("next")))
        db.session.commit()
        add_error(form.password, "That e-mail and password don't match an active account.")
    signed_out = request.method == "GET" and request.args.get("signed_out") == "1"
    return render_template("auth/login.html", form=form, signed_out=signed_out)


def _pending_key() -> str:
    pending = pending_user()
    return f"mfa:{pending.id if pending else request.remote_addr}"


def _mfa_limit() -> str:
    limit: str = current_app.config["MFA_LIMIT"]
    return limit


@bp.route("/login/two-factor", methods=["GET", "POST"])
@limiter.limit(_mfa_limit, key_func=_pending_key, methods=["POST"])
def two_factor() -> ResponseReturnValue:
    """The second step of sign-in: a code from the authenticator app."""
    user = pending_user()
    if user is None:
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        if totp.verify_user_code(user, form.code.data or ""):
            services.complete_login(user)
            db.session.commit()
            start_session(user)
            return redirect(safe_next(request.args.get("next")))
        services.record_failed_second_factor(user)
        db.session.commit()
        add_error(form.code, "That code is not right, or was already used. Try the next one.")
    return render_template("auth/two_factor.html", form=form)


@bp.route("/logout", methods=["POST"])
@allow(EVERYONE)
def logout() -> ResponseReturnValue:
    """Sign out here and everywhere else this account is signed in."""
    # CSRFProtect has already checked the token; rotating it ends copied cookies too.
    services.sign_out_everywhere(current_user, by=current_user)
    db.session.commit()
    end_session()
    # Clear-Site-Data wipes cookies, so a flashed message would be lost with the session.
    response = redirect(url_for("auth.login", signed_out=1))
    response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response


@bp.route("/activate", methods=["GET", "POST"])
@limiter.limit(_address_limit, methods=["POST"])
def activate() -> ResponseReturnValue:
    """Set a first password with a one-time code from an admin."""
    form = ActivateForm()
    if form.validate_on_submit():
        try:
            user = services.activate(
                form.email.data or "", form.code.data or "", form.password.data or ""
            )
        except services.ActivationError as error:
            db.session.rollback()
            add_error(form.code, str(error))
        except PasswordPolicyError as error:
            db.session.rollback()
            add_error(form.password, str(error))
        else:
            db.session.commit()
            start_session(user)
            flash("Your password is set and you are signed in.", "success")
            return redirect(url_for("main.home"))
    return render_template("auth/activate.html", form=form)
