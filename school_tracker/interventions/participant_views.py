"""Pages for each pupil taking part: join a group, correct dates and baseline, outcome, withdraw."""

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm

from school_tracker.calendar.terms import school_today
from school_tracker.forms import VersionedForm, required_data
from school_tracker.interventions import participants, queries
from school_tracker.interventions.forms import OutcomeForm, ParticipantForm, WithdrawForm
from school_tracker.interventions.web import detail_url
from school_tracker.models import Intervention, InterventionMode, InterventionParticipant
from school_tracker.permissions import STAFF_AND_LEADERS, allow, current_school_id
from school_tracker.records import pickers
from school_tracker.records.attendance import Attendance, attendance_by_participant
from school_tracker.records.web import save_or_refuse

bp = Blueprint("intervention_pupils", __name__)
EDIT_TITLE = "Pupil's start date and baseline"
OUTCOME_TITLE = "Record a pupil's outcome"


def _load(
    intervention_id: int, participant_id: int
) -> tuple[Intervention, InterventionParticipant]:
    record = queries.get_plan_or_404(intervention_id, user=current_user)
    return record, queries.get_participant_or_404(record, participant_id)


def _page(
    template_form: FlaskForm,
    record: Intervention,
    part: InterventionParticipant | None,
    title: str,
    intro: str = "",
    attendance: Attendance | None = None,
) -> str:
    return render_template(
        "interventions/participant_form.html",
        form=template_form,
        record=record,
        part=part,
        title=title,
        intro=intro,
        attendance=attendance,
    )


@bp.route("/<int:intervention_id>/pupils/new", methods=["GET", "POST"])
@allow(STAFF_AND_LEADERS)
def add(intervention_id: int) -> ResponseReturnValue:
    """Add a pupil to a planned or active group."""
    record = queries.get_plan_or_404(intervention_id, user=current_user)
    if record.mode is InterventionMode.INDIVIDUAL or not record.status.is_open:
        flash("Pupils can only join a planned or active group.", "danger")
        return redirect(detail_url(record))
    on_it = {part.pupil_id for part in record.participants}
    pupils = [c for c in pickers.pupil_choices(current_school_id()) if c[0] not in on_it]
    data = {"start_date": max(school_today(), record.start_date)}
    form = ParticipantForm(pupils=pupils, data=data if request.method == "GET" else None)

    def add_pupil() -> InterventionParticipant:
        return participants.add_participant(
            record,
            form.pupil_id.data,
            start_date=required_data(form.start_date.data),
            baseline_score=form.baseline_score.data,
            by=current_user,
            today=school_today(),
        )

    if form.validate_on_submit() and save_or_refuse(form, add_pupil) is not None:
        flash("Pupil added to the group.", "success")
        return redirect(detail_url(record))
    return _page(form, record, None, "Add a pupil to the group")


@bp.route("/<int:intervention_id>/pupils/<int:participant_id>/edit", methods=["GET", "POST"])
@allow(STAFF_AND_LEADERS)
def edit(intervention_id: int, participant_id: int) -> ResponseReturnValue:
    """Correct a pupil's start date or baseline score."""
    record, part = _load(intervention_id, participant_id)
    form = ParticipantForm(obj=part if request.method == "GET" else None)
    if request.method == "GET":
        form.version.data = str(part.version_id)
    if form.validate_on_submit():
        values = {"start_date": form.start_date.data, "baseline_score": form.baseline_score.data}
        return _save(form, record, part, values, "Pupil's details saved.", EDIT_TITLE)
    return _page(form, record, part, EDIT_TITLE)


@bp.route("/<int:intervention_id>/pupils/<int:participant_id>/outcome", methods=["GET", "POST"])
@allow(STAFF_AND_LEADERS)
def outcome(intervention_id: int, participant_id: int) -> ResponseReturnValue:
    """Record a pupil's end date, exit score and impact (staff who deliver the intervention
    may, as on the group outcomes page); sessions attended are shown from the register."""
    record = queries.get_intervention_or_404(intervention_id, user=current_user)
    part = queries.get_participant_or_404(record, participant_id)
    attendance = attendance_by_participant([part])[part.id]
    form = OutcomeForm(obj=part if request.method == "GET" else None)
    if request.method == "GET":
        form.version.data = str(part.version_id)
        form.impact.data = part.impact
    if form.validate_on_submit():
        values = {
            "end_date": form.end_date.data,
            "exit_score": form.exit_score.data,
            "impact": form.impact.data,
        }
        saved = "Outcome saved."
        return _save(form, record, part, values, saved, OUTCOME_TITLE, "record_outcome", attendance)
    return _page(form, record, part, OUTCOME_TITLE, attendance=attendance)


def _save(
    form: VersionedForm,
    record: Intervention,
    part: InterventionParticipant,
    values: dict[str, Any],
    success: str,
    title: str,
    action: str = "update",
    attendance: Attendance | None = None,
) -> ResponseReturnValue:
    view_url = detail_url(record)

    def update() -> dict[str, Any]:
        return participants.update_participant(
            part,
            values,
            by=current_user,
            today=school_today(),
            expected_version=form.expected_version(),
            view_url=view_url,
            action=action,
        )

    if save_or_refuse(form, update, view_url) is None:
        return _page(form, record, part, title, attendance=attendance)
    flash(success, "success")
    return redirect(view_url)


@bp.route("/<int:intervention_id>/pupils/<int:participant_id>/withdraw", methods=["GET", "POST"])
@allow(STAFF_AND_LEADERS)
def withdraw(intervention_id: int, participant_id: int) -> ResponseReturnValue:
    """Take a pupil out of a group with a reason; their record stays."""
    record, part = _load(intervention_id, participant_id)
    if record.mode is InterventionMode.INDIVIDUAL or not part.is_taking_part:
        flash("Only a pupil taking part in a group can be withdrawn.", "danger")
        return redirect(detail_url(record))
    data = {"on": school_today(), "version": part.version_id}
    form = WithdrawForm(data=data if request.method == "GET" else None)
    view_url = detail_url(record)

    def withdraw_pupil() -> InterventionParticipant:
        return participants.withdraw_participant(
            part,
            reason=required_data(form.reason.data),
            on=required_data(form.on.data),
            by=current_user,
            today=school_today(),
            expected_version=form.expected_version(),
            view_url=view_url,
        )

    if form.validate_on_submit() and save_or_refuse(form, withdraw_pupil, view_url) is not None:
        flash("Pupil withdrawn from the group.", "success")
        return redirect(view_url)
    intro = "The pupil's record stays on the intervention, marked withdrawn."
    return _page(form, record, part, "Withdraw a pupil from the group", intro)
