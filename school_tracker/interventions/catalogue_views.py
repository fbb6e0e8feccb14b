"""Admins keep the school's intervention catalogue: add, rename, set defaults, deactivate."""

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.wrappers import Response

from school_tracker.extensions import db
from school_tracker.forms import EmptyForm, required_data
from school_tracker.interventions import catalogue
from school_tracker.interventions.forms import InterventionTypeForm
from school_tracker.models import InterventionType, Role
from school_tracker.permissions import allow, current_school_id
from school_tracker.records.priorities import priority_choices
from school_tracker.records.web import save_or_refuse

bp = Blueprint("intervention_catalogue", __name__)


def _type_or_404(type_id: int) -> InterventionType:
    row = catalogue.get_type(current_school_id(), type_id)
    if row is None:
        abort(404)
    return row


@bp.route("/")
@allow(Role.ADMIN)
def index() -> ResponseReturnValue:
    """The catalogue, active types first."""
    return render_template(
        "interventions/catalogue.html",
        types=catalogue.school_types(current_school_id()),
        button_form=EmptyForm(),
    )


@bp.route("/standard", methods=["POST"])
@allow(Role.ADMIN)
def add_standard() -> ResponseReturnValue:
    """Add any of the standard types the school does not have yet."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    added = catalogue.ensure_intervention_types(current_school_id())
    db.session.commit()
    flash(f"Added {added} standard intervention types.", "success")
    return redirect(url_for("intervention_catalogue.index"))


@bp.route("/new", methods=["GET", "POST"])
@allow(Role.ADMIN)
def create() -> ResponseReturnValue:
    """Add a type to the catalogue."""
    form = InterventionTypeForm(priority_choices=priority_choices())

    def add() -> InterventionType:
        return catalogue.add_type(
            current_school_id(),
            name=required_data(form.name.data),
            codes=list(form.priorities.data or []),
            send_focused=form.send_focused.data,
            by=current_user,
        )

    if form.validate_on_submit() and save_or_refuse(form, add) is not None:
        flash("Intervention type added.", "success")
        return redirect(url_for("intervention_catalogue.index"))
    return render_template("interventions/type_form.html", form=form, row=None)


@bp.route("/<int:type_id>/edit", methods=["GET", "POST"])
@allow(Role.ADMIN)
def edit(type_id: int) -> ResponseReturnValue:
    """Rename a type or change its usual priorities and SEND focus."""
    row = _type_or_404(type_id)
    data = {
        "name": row.name,
        "priorities": [p.code for p in row.default_priorities],
        "send_focused": row.send_focused,
    }
    form = InterventionTypeForm(
        data=data if request.method == "GET" else None, priority_choices=priority_choices()
    )

    def update() -> dict[str, Any]:
        return catalogue.update_type(
            row,
            name=required_data(form.name.data),
            codes=list(form.priorities.data or []),
            send_focused=form.send_focused.data,
            by=current_user,
        )

    if form.validate_on_submit() and save_or_refuse(form, update) is not None:
        flash("Intervention type saved.", "success")
        return redirect(url_for("intervention_catalogue.index"))
    return render_template("interventions/type_form.html", form=form, row=row)


@bp.route("/<int:type_id>/deactivate", methods=["POST"])
@allow(Role.ADMIN)
def deactivate(type_id: int) -> ResponseReturnValue:
    """Stop offering a type; interventions already planned keep it."""
    return _set_active(_type_or_404(type_id), False)


@bp.route("/<int:type_id>/reactivate", methods=["POST"])
@allow(Role.ADMIN)
def reactivate(type_id: int) -> ResponseReturnValue:
    """Offer a type again."""
    return _set_active(_type_or_404(type_id), True)


def _set_active(row: InterventionType, active: bool) -> Response:
    if not EmptyForm().validate_on_submit():
        abort(400)
    catalogue.set_type_active(row, active, by=current_user)
    db.session.commit()
    flash(f"{row.name} is {'offered again' if active else 'no longer offered'}.", "success")
    return redirect(url_for("intervention_catalogue.index"))
