"""Admin page: who is assigned to each registration group ("My class", issue 13 item 6)."""

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from wtforms import HiddenField, SelectField, SubmitField
from wtforms.validators import InputRequired, Length

from school_tracker.admin import class_staff
from school_tracker.admin.views import bp
from school_tracker.extensions import db
from school_tracker.forms import EmptyForm, NoControlCharacters, OnceForm, add_error
from school_tracker.models import Role
from school_tracker.models.class_staff import REGISTRATION_GROUP_LENGTH
from school_tracker.permissions import allow, current_school_id
from school_tracker.records.pickers import staff_select_choices


def _user_id(value: object) -> int | None:
    """The picked id; a value no option has (typed by hand) is refused as "Not a valid choice"."""
    if value in ("", None):
        return None
    try:
        return int(str(value))
    except ValueError:
        return -1


class AssignStaffForm(OnceForm):
    """One group's "add a member of staff" form; the page shows one per group."""

    registration_group = HiddenField(
        "Registration group",
        validators=[
            InputRequired("Say which group."),
            Length(max=REGISTRATION_GROUP_LENGTH),
            NoControlCharacters(),
        ],
    )
    user_id = SelectField(
        "Member of staff",
        coerce=_user_id,
        validators=[InputRequired("Choose a member of staff.")],
    )
    submit = SubmitField("Add")

    def __init__(self, school_id: int) -> None:
        super().__init__()
        self.user_id.choices = staff_select_choices(school_id)


def _page(form: AssignStaffForm, status: int = 200) -> tuple[str, int]:
    school_id = current_school_id()
    page = render_template(
        "admin/class_staff.html",
        groups=class_staff.registration_groups(school_id),
        form=form,
        # Errors belong beside the one group's form that was sent.
        failed_group=form.registration_group.data if form.errors else None,
        remove_form=EmptyForm(),
    )
    return page, status


@bp.route("/class-staff", methods=["GET", "POST"])
@allow(Role.ADMIN)
def class_staff_page() -> ResponseReturnValue:
    """Every registration group with its staff; add someone to a group."""
    form = AssignStaffForm(current_school_id())
    if not form.validate_on_submit():
        return _page(form, 400 if form.errors else 200)
    group = form.registration_group.data or ""
    try:
        assignment = class_staff.assign_staff(
            current_school_id(), group, form.user_id.data, by=current_user
        )
    except class_staff.ClassStaffError as error:
        db.session.rollback()
        add_error(getattr(form, error.field), str(error))
        return _page(form, 400)
    db.session.commit()
    flash(f"{assignment.user.full_name} now sees {group} on My class.", "success")
    return redirect(url_for("admin.class_staff_page"))


@bp.route("/class-staff/<int:assignment_id>/remove", methods=["POST"])
@allow(Role.ADMIN)
def remove_class_staff(assignment_id: int) -> ResponseReturnValue:
    """Take a member of staff off a group."""
    assignment = class_staff.get_assignment_or_404(assignment_id, school_id=current_school_id())
    if not EmptyForm().validate_on_submit():
        flash("The form expired; try again.", "danger")
        return redirect(url_for("admin.class_staff_page"))
    name, group = assignment.user.full_name, assignment.registration_group
    class_staff.remove_staff(assignment, by=current_user)
    db.session.commit()
    flash(f"{name} no longer sees {group} on My class.", "success")
    return redirect(url_for("admin.class_staff_page"))
