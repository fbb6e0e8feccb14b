"""Admin pages for the school's own lists (admin/reference_data.py does the work)."""

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import SubmitField
from wtforms.validators import DataRequired, Length, Optional

from school_tracker.admin import reference_data as service
from school_tracker.admin.reference_data import LISTS, ReferenceList
from school_tracker.admin.views import bp
from school_tracker.calendar.terms import school_today
from school_tracker.extensions import db
from school_tracker.forms import (
    EmptyForm,
    NoControlCharacters,
    OnceForm,
    RecordDateField,
    TrimmedStringField,
    required_data,
)
from school_tracker.models import Role
from school_tracker.permissions import allow, current_school_id
from school_tracker.records.reference_lists import ListRow
from school_tracker.records.versions import RecordRuleError
from school_tracker.records.web import save_or_refuse


class ReferenceValueForm(OnceForm):
    """A value's name and the days it is offered (blank: from always, until further notice)."""

    name = TrimmedStringField(
        "Name",
        validators=[DataRequired(), Length(max=service.NAME_MAX), NoControlCharacters()],
    )
    active_from = RecordDateField(
        "First day offered",
        validators=[Optional()],
        description="Leave blank if it can be chosen on records of any date.",
    )
    active_to = RecordDateField(
        "Last day offered",
        validators=[Optional()],
        description="Leave blank to keep offering it. Records that name it keep it either way.",
    )
    submit = SubmitField("Save")


def _list_or_404(list_name: str) -> ReferenceList:
    found = LISTS.get(list_name)
    if found is None:
        abort(404)
    return found


def _value_or_404(lst: ReferenceList, value_id: int) -> ListRow:
    row = service.get_value(lst, current_school_id(), value_id)
    if row is None:
        abort(404)
    return row


@bp.route("/reference-data")
@allow(Role.ADMIN)
def reference_data() -> ResponseReturnValue:
    """The four lists, with how many values each offers today."""
    today, school_id = school_today(), current_school_id()
    summary = []
    for lst in LISTS.values():
        rows = service.list_values(lst, school_id)
        offered = sum(1 for row in rows if row.is_active_on(today))
        summary.append((lst, offered, len(rows) - offered))
    return render_template("admin/reference_data.html", summary=summary)


@bp.route("/reference-data/<list_name>")
@allow(Role.ADMIN)
def reference_list(list_name: str) -> ResponseReturnValue:
    """One list: each value's dates, whether it is offered today and how many records name it."""
    lst = _list_or_404(list_name)
    rows = service.list_values(lst, current_school_id())
    return render_template(
        "admin/reference_list.html",
        lst=lst,
        rows=rows,
        used=service.usage(lst, [row.id for row in rows]),
        today=school_today(),
        button_form=EmptyForm(),
    )


@bp.route("/reference-data/<list_name>/new", methods=["GET", "POST"])
@allow(Role.ADMIN)
def add_reference_value(list_name: str) -> ResponseReturnValue:
    """Add a value to a list."""
    lst = _list_or_404(list_name)
    form = ReferenceValueForm()

    def add() -> ListRow:
        return service.add_value(
            lst,
            current_school_id(),
            name=required_data(form.name.data),
            active_from=form.active_from.data,
            active_to=form.active_to.data,
            by=current_user,
        )

    if form.validate_on_submit() and save_or_refuse(form, add) is not None:
        flash(f"{form.name.data} added.", "success")
        return redirect(url_for("admin.reference_list", list_name=lst.slug))
    return render_template("admin/reference_value_form.html", form=form, lst=lst, row=None)


@bp.route("/reference-data/<list_name>/<int:value_id>/edit", methods=["GET", "POST"])
@allow(Role.ADMIN)
def edit_reference_value(list_name: str, value_id: int) -> ResponseReturnValue:
    """Rename a value or change the days it is offered."""
    lst = _list_or_404(list_name)
    row = _value_or_404(lst, value_id)
    data = {"name": row.name, "active_from": row.active_from, "active_to": row.active_to}
    form = ReferenceValueForm(data=data if request.method == "GET" else None)

    def update() -> dict[str, Any]:
        return service.update_value(
            lst,
            row,
            name=required_data(form.name.data),
            active_from=form.active_from.data,
            active_to=form.active_to.data,
            by=current_user,
        )

    if form.validate_on_submit() and save_or_refuse(form, update) is not None:
        flash(f"{row.name} saved.", "success")
        return redirect(url_for("admin.reference_list", list_name=lst.slug))
    return render_template("admin/reference_value_form.html", form=form, lst=lst, row=row)


@bp.route("/reference-data/<list_name>/<int:value_id>/retire", methods=["POST"])
@allow(Role.ADMIN)
def retire_reference_value(list_name: str, value_id: int) -> ResponseReturnValue:
    """Stop offering a value on new records; the records that name it keep it."""
    lst = _list_or_404(list_name)
    row = _value_or_404(lst, value_id)
    return _button(
        lst,
        lambda: service.retire_value(lst, row, today=school_today(), by=current_user),
        f"{row.name} is no longer offered.",
    )


@bp.route("/reference-data/<list_name>/<int:value_id>/reinstate", methods=["POST"])
@allow(Role.ADMIN)
def reinstate_reference_value(list_name: str, value_id: int) -> ResponseReturnValue:
    """Offer a retired value again."""
    lst = _list_or_404(list_name)
    row = _value_or_404(lst, value_id)
    return _button(
        lst,
        lambda: service.reinstate_value(lst, row, by=current_user),
        f"{row.name} is offered again.",
    )


def _button(lst: ReferenceList, change: Any, done: str) -> Response:
    """Run a one-button change; a refusal is shown on the list page, nothing saved."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        change()
    except RecordRuleError as error:
        db.session.rollback()
        flash(str(error), "danger")
    else:
        db.session.commit()
        flash(done, "success")
    return redirect(url_for("admin.reference_list", list_name=lst.slug))
