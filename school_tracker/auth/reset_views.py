"""`/password-reset`: ask for a link by e-mail, then set a password with it (issue 14 item 4)."""

import hashlib
import hmac

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from school_tracker.auth.passwords import PasswordPolicyError
from school_tracker.auth.reset import request_password_reset, reset_password, user_for_token
from school_tracker.auth.reset_forms import NewPasswordForm, ResetRequestForm
from school_tracker.auth.services import ActivationError, normalise_email
from school_tracker.auth.views import bp
from school_tracker.extensions import db, limiter
from school_tracker.forms import add_error
from school_tracker.mail import mail_is_on


def _reset_account_key() -> str:
    """Per address asked about: a keyed hash, so no address reaches the limiter's log (R59)."""
    email = normalise_email(request.form.get("email", ""))[:254]
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    return "reset-account:" + hmac.new(secret, email.encode(), hashlib.sha256).hexdigest()[:32]


def _address_limit() -> str:
    return str(current_app.config["RESET_LIMIT_PER_ADDRESS"])


def _account_limit() -> str:
    return str(current_app.config["RESET_LIMIT_PER_ACCOUNT"])


@bp.route("/password-reset", methods=["GET", "POST"])
@limiter.limit(_address_limit, methods=["POST"])
@limiter.limit(_account_limit, key_func=_reset_account_key, methods=["POST"])
def password_reset() -> ResponseReturnValue:
    """Ask for a link; the answer is the same whether or not the address has an account."""
    form = ResetRequestForm()
    if mail_is_on() and form.validate_on_submit():
        request_password_reset(form.email.data or "")
        db.session.commit()
        return render_template("auth/password_reset.html", form=None, sent=True)
    return render_template("auth/password_reset.html", form=form, sent=False, mail_on=mail_is_on())


@bp.route("/password-reset/<token>", methods=["GET", "POST"])
@limiter.limit(_address_limit, methods=["POST"])
def password_reset_with_token(token: str) -> ResponseReturnValue:
    """Set a new password with a link's token; then sign in with it (two-factor still asked)."""
    if user_for_token(token[:100]) is None:
        return render_template("auth/password_reset_token.html", form=None), 404
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            reset_password(token, form.password.data or "")
        except ActivationError:
            db.session.rollback()
            return render_template("auth/password_reset_token.html", form=None), 404
        except PasswordPolicyError as error:
            db.session.rollback()
            add_error(form.password, str(error))
        else:
            db.session.commit()
            flash("Your password is set, and every other session has ended. Sign in.", "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/password_reset_token.html", form=form)
