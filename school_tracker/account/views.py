"""The signed-in person's own account pages."""

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm

from school_tracker.account import services
from school_tracker.account.forms import (
    ConfirmForm,
    EmailAlertsForm,
    PasswordChangeForm,
    TwoFactorForm,
)
from school_tracker.auth import totp
from school_tracker.auth.passwords import PasswordPolicyError
from school_tracker.auth.sessions import mark_reauthenticated, start_session, two_factor_required
from school_tracker.auth.views import safe_next
from school_tracker.extensions import db, limiter
from school_tracker.forms import add_error
from school_tracker.mail import mail_is_on
from school_tracker.models import EmailAlerts
from school_tracker.permissions import EVERYONE, allow
from school_tracker.web.logging_setup import log_security_event

bp = Blueprint("account", __name__)
PENDING_SEED = "totp_pending"


def _limit() -> str:
    limit: str = current_app.config["MFA_LIMIT"]
    return limit


def _user_key() -> str:
    return f"account:{current_user.id}"


def _fail(form: FlaskForm, error: services.CredentialError) -> None:
    db.session.rollback()
    # A wrong current password or code here may be someone at an unlocked screen (R59).
    log_security_event("credential_refused", "failure", f"{request.endpoint} field={error.field}")
    add_error(getattr(form, error.field), str(error))


@bp.route("/", methods=["GET", "POST"])
@allow(EVERYONE)
@limiter.limit(_limit, key_func=_user_key, methods=["POST"])
def index() -> ResponseReturnValue:
    """Change password; see two-factor status."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                current_user, form.current.data or "", form.password.data or ""
            )
        except services.CredentialError as error:
            _fail(form, error)
        except PasswordPolicyError as error:
            db.session.rollback()
            add_error(form.password, str(error))
        else:
            db.session.commit()
            start_session(current_user)  # the old token is gone; keep this browser signed in
            flash("Your password has changed. Any other sessions have been signed out.", "success")
            return redirect(url_for("account.index"))
    return _account_page(form, _email_alerts_form())


def _email_alerts_form() -> EmailAlertsForm:
    # Prefixed: the password form on the same page has its own csrf_token and submit fields.
    return EmailAlertsForm(prefix="email", data={"choice": current_user.email_alerts.value})


def _account_page(form: PasswordChangeForm, email_form: EmailAlertsForm) -> str:
    return render_template(
        "account/index.html",
        form=form,
        email_form=email_form,
        required=two_factor_required(current_user),
        mail_on=mail_is_on(),
    )


@bp.route("/email-alerts", methods=["POST"])
@allow(EVERYONE)
def email_alerts() -> ResponseReturnValue:
    """Choose immediate e-mails, a daily digest or none but account security; one's own only."""
    email_form = EmailAlertsForm(prefix="email")
    if not email_form.validate_on_submit():
        # The password form is shown empty: nothing typed there belongs to this POST.
        return _account_page(PasswordChangeForm(formdata=None), email_form), 400
    choice = EmailAlerts(email_form.choice.data)
    if services.choose_email_alerts(current_user, choice):
        db.session.commit()
        flash(f"Your e-mail choice is saved: {choice.label}.", "success")
    else:
        flash("That was already your choice; nothing changed.", "info")
    return redirect(url_for("account.index"))


@bp.route("/two-factor", methods=["GET", "POST"])
@allow(EVERYONE)
@limiter.limit(_limit, key_func=_user_key, methods=["POST"])
def two_factor() -> ResponseReturnValue:
    """Set up two-factor sign-in by scanning a QR code; or turn it off where allowed."""
    required = two_factor_required(current_user)
    form = TwoFactorForm()
    if current_user.has_two_factor:
        form.submit.label.text = "Turn off two-factor sign-in"
        if form.validate_on_submit():
            try:
                services.remove_two_factor(
                    current_user, form.current.data or "", form.code.data or "", required=required
                )
            except services.CredentialError as error:
                _fail(form, error)
            else:
                db.session.commit()
                start_session(current_user)
                flash("Two-factor sign-in is off.", "success")
                return redirect(url_for("account.index"))
        return render_template("account/two_factor_on.html", form=form, required=required)
    if request.method == "GET" or PENDING_SEED not in session:
        session[PENDING_SEED] = totp.encrypt_secret(totp.new_secret())
    secret = totp.decrypt_secret(session[PENDING_SEED])
    if form.validate_on_submit():
        try:
            services.enrol_two_factor(
                current_user, secret, form.current.data or "", form.code.data or ""
            )
        except services.CredentialError as error:
            _fail(form, error)
        else:
            db.session.commit()
            session.pop(PENDING_SEED, None)
            flash(
                "Two-factor sign-in is on. You'll be asked for a code when you sign in.", "success"
            )
            return redirect(url_for("account.index"))
    return render_template(
        "account/two_factor_setup.html",
        form=form,
        required=required,
        secret=secret,
        qr=totp.provisioning_qr(secret, current_user.email),
    )


@bp.route("/confirm", methods=["GET", "POST"])
@allow(EVERYONE)
@limiter.limit(_limit, key_func=_user_key, methods=["POST"])
def confirm() -> ResponseReturnValue:
    """Re-enter credentials before an export, an import or a role change."""
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.reconfirm(current_user, form.current.data or "", form.code.data or "")
        except services.CredentialError as error:
            _fail(form, error)
        else:
            db.session.commit()
            mark_reauthenticated()
            return redirect(safe_next(request.args.get("next")))
    return render_template("account/confirm.html", form=form)
