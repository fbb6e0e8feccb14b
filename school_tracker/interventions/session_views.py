"""An intervention's session register, group outcomes and delivery staff (issue 13 items 1-3)."""

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from school_tracker.calendar.terms import school_today
from school_tracker.forms import required_data
from school_tracker.interventions import queries
from school_tracker.interventions.delivery import set_delivery_staff
from school_tracker.interventions.group_outcomes import (
    OUTCOME_FIELDS,
    OutcomeRow,
    record_group_outcomes,
    row_errors,
    row_field,
)
from school_tracker.interventions.register import RegisterRow, on_register, record_session
from school_tracker.interventions.register_forms import (
    DeliveryStaffForm,
    GroupOutcomeForm,
    RegisterForm,
    group_outcome_form,
    register_form,
)
from school_tracker.interventions.web import detail_url
from school_tracker.models import Intervention, InterventionParticipant, InterventionSession
from school_tracker.permissions import STAFF_AND_LEADERS, allow, current_school_id
from school_tracker.records import pickers
from school_tracker.records.attendance import attendance_by_participant
from school_tracker.records.web import save_or_refuse

bp = Blueprint("intervention_sessions", __name__)


def _register_date() -> date:
    """The date whose pupils the register lists: the one posted (or asked for), else today.

    Read before the form is built because the rows depend on it; a garbled date falls back to
    today here and is refused beside its field by the form itself."""
    text = request.form.get("held_on") if request.method == "POST" else request.args.get("on")
    try:
        return date.fromisoformat(text or "")
    except ValueError:
        return school_today()


def _rows(form: RegisterForm, parts: list[InterventionParticipant]) -> list[RegisterRow]:
    return [
        RegisterRow(
            participant_id=part.id,
            present=form[f"attendance_{part.id}"].data != "absent",
            absence_reason=form[f"reason_{part.id}"].data or None,
            note=form[f"note_{part.id}"].data or "",
        )
        for part in parts
    ]


@bp.route("/<int:intervention_id>/sessions/new", methods=["GET", "POST"])
@allow(STAFF_AND_LEADERS)
def new_session(intervention_id: int) -> ResponseReturnValue:
    """Record a session: date, minutes, and each pupil present (the default) or absent."""
    record = queries.get_intervention_or_404(intervention_id, user=current_user)
    held_on = _register_date()
    parts = on_register(record, held_on)
    form = register_form(parts, data={"held_on": held_on} if request.method == "GET" else None)

    def save() -> InterventionSession:
        return record_session(
            record,
            held_on=required_data(form.held_on.data),
            minutes=required_data(form.minutes.data),
            note=form.note.data or "",
            rows=_rows(form, parts),
            by=current_user,
            today=school_today(),
        )

    if form.validate_on_submit() and save_or_refuse(form, save) is not None:
        flash("Session saved.", "success")
        return redirect(detail_url(record))
    return render_template(
        "interventions/session_form.html", form=form, record=record, rows=form.rows(parts)
    )


@bp.route("/<int:intervention_id>/delivery", methods=["GET", "POST"])
@allow(STAFF_AND_LEADERS)
def delivery_staff(intervention_id: int) -> ResponseReturnValue:
    """Choose who delivers the intervention besides its lead (the lead and leaders only)."""
    record: Intervention = queries.get_plan_or_404(intervention_id, user=current_user)
    chosen = [row.user_id for row in record.delivery_staff]
    staff = [
        (user_id, name)
        for user_id, name in pickers.staff_choices(current_school_id(), include_ids=chosen)
        if user_id != record.lead_id
    ]
    form = DeliveryStaffForm(
        staff=staff, data={"user_ids": chosen} if request.method == "GET" else None
    )

    def save() -> list[int]:
        return set_delivery_staff(record, list(form.user_ids.data or []), by=current_user)

    if form.validate_on_submit() and save_or_refuse(form, save) is not None:
        flash("Delivery staff saved.", "success")
        return redirect(detail_url(record))
    return render_template("interventions/delivery_form.html", form=form, record=record)


def _outcome_rows(form: GroupOutcomeForm, parts: list[InterventionParticipant]) -> list[OutcomeRow]:
    def version(part: InterventionParticipant) -> int:
        text = form[row_field("version", part.id)].data or ""
        return int(text) if text.isdigit() else -1  # garbled: can never match, so stale

    return [
        OutcomeRow(
            part=part,
            values={name: form[row_field(name, part.id)].data for name in OUTCOME_FIELDS},
            expected_version=version(part),
        )
        for part in parts
    ]


@bp.route("/<int:intervention_id>/outcomes", methods=["GET", "POST"])
@allow(STAFF_AND_LEADERS)
def outcomes(intervention_id: int) -> ResponseReturnValue:
    """Exit score, impact and end date for every pupil on one page, beside the sessions each
    attended (from the register, not typed)."""
    record = queries.get_intervention_or_404(intervention_id, user=current_user)
    parts = list(record.participants)
    data = None
    if request.method == "GET":
        data = {
            row_field(name, part.id): getattr(part, name)
            for part in parts
            for name in OUTCOME_FIELDS
        }
        data |= {row_field("version", part.id): str(part.version_id) for part in parts}
    form = group_outcome_form(parts, data=data)
    view_url = detail_url(record)
    if form.validate_on_submit():
        rows = _outcome_rows(form, parts)
        errors = row_errors(record, rows, today=school_today())
        for field, message in errors.items():
            form[field].errors = [*form[field].errors, message]

        def save() -> dict[int, dict[str, object]]:
            return record_group_outcomes(
                record, rows, by=current_user, today=school_today(), view_url=view_url
            )

        if not errors and save_or_refuse(form, save, view_url) is not None:
            flash("Outcomes saved.", "success")
            return redirect(view_url)
    return render_template(
        "interventions/outcomes_form.html",
        form=form,
        record=record,
        rows=[
            (part, [form[row_field(name, part.id)] for name in OUTCOME_FIELDS]) for part in parts
        ],
        versions=[form[row_field("version", part.id)] for part in parts],
        attendance=attendance_by_participant(parts),
    )
