"""Admin pages for accounts in the admin's own school."""

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.wrappers import Response

from school_tracker.admin import services
from school_tracker.admin.forms import RoleForm, UserForm
from school_tracker.auth.services import issue_activation_code
from school_tracker.auth.sessions import fresh_auth_required
from school_tracker.extensions import db
from school_tracker.forms import EmptyForm, add_error, required_data
from school_tracker.mail import mail_is_on
from school_tracker.models import Role, School, User
from school_tracker.permissions import allow, current_school_id

bp = Blueprint("admin", __name__)


def _user_or_404(user_id: int) -> User:
    user = services.get_school_user_or_none(current_school_id(), user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/users")
@allow(Role.ADMIN)
def users() -> ResponseReturnValue:
    """Everyone with an account at this school."""
    return render_template(
        "admin/users.html",
        users=services.school_users(current_school_id()),
        role_form=RoleForm(),
        button_form=EmptyForm(),
        mail_on=mail_is_on(),
    )


@bp.route("/users/new", methods=["GET", "POST"])
@allow(Role.ADMIN)
def create_user() -> ResponseReturnValue:
    """Create an account; the new user sets a password with a one-time code."""
    form = UserForm()
    if form.validate_on_submit():
        school = db.session.get(School, current_school_id())
        if school is None:
            abort(404)
        try:
            user, code = services.create_user(
                school,
                email=required_data(form.email.data),
                full_name=required_data(form.full_name.data),
                role=Role(form.role.data),
                by=current_user,
            )
        except services.AccountError as error:
            db.session.rollback()
            add_error(form.email, str(error))
        else:
            db.session.commit()
            return render_template("admin/activation_code.html", user=user, code=code)
    return render_template("admin/user_form.html", form=form)


@bp.route("/users/<int:user_id>/role", methods=["POST"])
@allow(Role.ADMIN)
@fresh_auth_required
def change_role(user_id: int) -> ResponseReturnValue:
    """Change one account's role."""
    user = _user_or_404(user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        abort(400)
    return _apply(
        lambda: services.change_role(user, Role(form.role.data), by=current_user),
        f"{user.full_name} is now {Role(form.role.data).label.lower()}.",
    )


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@allow(Role.ADMIN)
def deactivate(user_id: int) -> ResponseReturnValue:
    """Deactivate an account; it is signed out everywhere at once."""
    user = _user_or_404(user_id)
    return _apply(
        lambda: services.set_active(user, False, by=current_user),
        f"{user.full_name}'s account is deactivated.",
    )


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
@allow(Role.ADMIN)
def reactivate(user_id: int) -> ResponseReturnValue:
    """Let a deactivated account sign in again."""
    user = _user_or_404(user_id)
    return _apply(
        lambda: services.set_active(user, True, by=current_user),
        f"{user.full_name}'s account is active again.",
    )


@bp.route("/users/<int:user_id>/end-sessions", methods=["POST"])
@allow(Role.ADMIN)
def end_sessions(user_id: int) -> ResponseReturnValue:
    """Sign someone out of every browser (a lost laptop, a shared computer)."""
    user = _user_or_404(user_id)
    return _apply(
        lambda: services.end_sessions(user, by=current_user),
        f"{user.full_name} has been signed out everywhere.",
    )


@bp.route("/users/end-all-sessions", methods=["POST"])
@allow(Role.ADMIN)
@fresh_auth_required
def end_all_sessions() -> ResponseReturnValue:
    """Sign every account at this school out at once (e.g. after a suspected breach)."""
    count = services.end_everyones_sessions(current_school_id(), by=current_user)
    db.session.commit()
    flash(f"{count} accounts have been signed out everywhere, including yours.", "success")
    return redirect(url_for("auth.login"))


@bp.route("/users/<int:user_id>/activation-code", methods=["POST"])
@allow(Role.ADMIN)
def new_activation_code(user_id: int) -> ResponseReturnValue:
    """Issue a fresh one-time code (the old one stops working)."""
    user = _user_or_404(user_id)
    code = issue_activation_code(user, by=current_user)
    db.session.commit()
    return render_template("admin/activation_code.html", user=user, code=code)


def _apply(change: Callable[[], None], success: str) -> Response:
    try:
        change()
    except services.AccountError as error:
        db.session.rollback()
        flash(str(error), "danger")
    else:
        db.session.commit()
        flash(success, "success")
    return redirect(url_for("admin.users"))
