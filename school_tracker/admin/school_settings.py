"""The school's own name and head teacher, as letters to parents print them (issue 16)."""

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from wtforms import SubmitField
from wtforms.validators import DataRequired, Length, Optional

from school_tracker.admin.views import bp
from school_tracker.audit import record_audit
from school_tracker.extensions import db
from school_tracker.forms import NameText, OnceForm, TrimmedStringField
from school_tracker.models import Role, School, User
from school_tracker.permissions import allow, current_school_id


class SchoolSettingsForm(OnceForm):
    """The name letters carry and who signs them."""

    name = TrimmedStringField(
        "School name",
        validators=[DataRequired("Give the school's name."), Length(max=200), NameText()],
    )
    head_teacher = TrimmedStringField(
        "Head teacher",
        validators=[Optional(), Length(max=120), NameText()],
        description="As letters to parents are signed, e.g. Mrs A Patel.",
    )
    submit = SubmitField("Save")


def update_school_settings(school: School, name: str, head_teacher: str, *, by: User) -> School:
    """Set the school's name and head teacher, audited by field name only."""
    changes = {
        field: "changed"
        for field, value in (("name", name), ("head_teacher", head_teacher))
        if getattr(school, field) != value
    }
    school.name, school.head_teacher = name, head_teacher
    if changes:
        record_audit(
            by, "update", "school_settings", school.id, school_id=school.id, changes=changes
        )
    return school


@bp.route("/school", methods=["GET", "POST"])
@allow(Role.ADMIN)
def school_settings() -> ResponseReturnValue:
    """Change the school's name and head teacher."""
    school = db.session.get_one(School, current_school_id())
    form = SchoolSettingsForm(obj=school if request.method == "GET" else None)
    if form.validate_on_submit():
        update_school_settings(
            school, form.name.data or "", form.head_teacher.data or "", by=current_user
        )
        db.session.commit()
        flash("School settings saved.", "success")
        return redirect(url_for("admin.school_settings"))
    return render_template("admin/school_settings.html", form=form)
