"""Intervention pages: list, detail, plan, edit, status changes and each pupil taking part."""

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from school_tracker.audit import record_audit
from school_tracker.calendar.terms import school_today
from school_tracker.extensions import db
from school_tracker.forms import required_data
from school_tracker.interventions import catalogue, queries
from school_tracker.interventions.forms import InterventionForm, StatusForm
from school_tracker.interventions.services import (
    TRANSITIONS,
    InterventionData,
    audit_pupil_id,
    change_status,
    create_intervention,
    update_intervention,
)
from school_tracker.interventions.web import detail_url
from school_tracker.models import (
    Intervention,
    InterventionMode,
    InterventionStatus,
    ReferenceKind,
    ReferenceValue,
)
from school_tracker.permissions import STAFF_AND_LEADERS, allow, current_school_id
from school_tracker.records import pickers
from school_tracker.records.attendance import attendance_by_participant
from school_tracker.records.history import Subject, record_history
from school_tracker.records.priorities import priority_choices
from school_tracker.records.reference_lists import name_choices, offered
from school_tracker.records.web import save_or_flash, save_or_refuse

bp = Blueprint("interventions", __name__)


def _plan_form(record: Intervention | None = None, *, creating: bool) -> InterventionForm:
    school_id = current_school_id()
    keep_type = record.type_id if record else None
    types = [
        (t.id, t.name + ("" if t.active else " (no longer offered)"))
        for t in catalogue.school_types(school_id)
        if t.active or t.id == keep_type
    ]
    data = None
    if record is not None and request.method == "GET":
        data = {
            **{
                name: getattr(record, name)
                for name in InterventionData.__dataclass_fields__
                if name != "priority_codes"
            },
            "priorities": [p.code for p in record.priorities],
            "cost": record.cost_pence / 100,
            "frequency": record.frequency.value if record.frequency else "",
            "funding_stream": record.funding_stream.value if record.funding_stream else "",
            "version": record.version_id,
        }
    elif creating and request.method == "GET":
        data = {"lead_id": current_user.id, "start_date": school_today()}
        if request.args.get("pupil", type=int):
            data["pupil_ids"] = [request.args.get("pupil", type=int)]
    on = record.start_date if record else school_today()
    measures = offered(
        ReferenceValue,
        school_id,
        on=on,
        keep=[record.measure_id if record else None],
        kind=ReferenceKind.MEASURE,
    )
    return InterventionForm(
        data=data,
        measures=name_choices(measures, on=on),
        type_choices=types,
        staff=pickers.staff_choices(school_id, include_ids=[record.lead_id] if record else []),
        pupils=pickers.pupil_choices(school_id) if creating else [],
        priority_choices=priority_choices(),
        creating=creating,
    )


def _plan_data(form: InterventionForm) -> InterventionData:
    return InterventionData(
        type_id=form.type_id.data,
        lead_id=form.lead_id.data,
        priority_codes=list(form.priorities.data or []),
        start_date=required_data(form.start_date.data),
        review_date=required_data(form.review_date.data),
        measure_id=form.measure_id.data,
        score_min=form.score_min.data,
        score_max=form.score_max.data,
        intended_outcome=form.intended_outcome.data or "",
        planned_sessions=form.planned_sessions.data,
        frequency=form.frequency_value,
        cost_pence=form.cost_pence,
        funding_stream=form.funding_value,
        pupil_voice=form.pupil_voice.data or "",
        parent_voice=form.parent_voice.data or "",
        notes=form.notes.data or "",
    )


def _filters() -> queries.InterventionFilters:
    status, type_id = request.args.get("status") or None, request.args.get("type") or None
    if status and status not in {s.value for s in InterventionStatus}:
        abort(400)
    if type_id and not type_id.isdigit():
        abort(400)
    return queries.InterventionFilters(
        status=InterventionStatus(status) if status else None,
        type_id=int(type_id) if type_id else None,
        overdue=request.args.get("overdue") == "1",
    )


@bp.route("/")
@allow(STAFF_AND_LEADERS)
def index() -> ResponseReturnValue:
    """Interventions the user may see: leaders all, staff those they lead or recorded."""
    filters = _filters()
    page = max(request.args.get("page", 1, type=int), 1)
    pagination = queries.list_interventions(
        current_school_id(),
        current_user,
        filters,
        today=school_today(),
        page=page,
        per_page=current_app.config.get("PUPILS_PER_PAGE", 25),
    )
    return render_template(
        "interventions/index.html",
        pagination=pagination,
        filters=filters,
        statuses=list(InterventionStatus),
        types=catalogue.school_types(current_school_id()),
        today=school_today(),
        describe=queries.describe,
    )


@bp.route("/<int:intervention_id>")
@allow(STAFF_AND_LEADERS)
def detail(intervention_id: int) -> ResponseReturnValue:
    """The plan, the pupils taking part and their outcomes; every view is audited."""
    record = queries.get_intervention_or_404(intervention_id, user=current_user)
    record_audit(
        current_user,
        "view",
        "intervention",
        record.id,
        school_id=record.school_id,
        pupil_id=audit_pupil_id(record),
    )
    db.session.commit()
    return render_template(
        "interventions/detail.html",
        record=record,
        status_form=StatusForm(
            allowed=TRANSITIONS.get(record.status, ()), version=record.version_id
        ),
        today=school_today(),
        describe=queries.describe,
        may_change=queries.may_change_plan(record, current_user),
        attendance=attendance_by_participant(record.participants),
        history=record_history(
            Subject("intervention", record.id, "The plan"),
            *(
                Subject("intervention_participant", part.id, part.pupil.display_name)
                for part in record.participants
            ),
        ),
    )


@bp.route("/new", methods=["GET", "POST"])
@allow(STAFF_AND_LEADERS)
def create() -> ResponseReturnValue:
    """Plan a new intervention for one pupil or a group."""
    form = _plan_form(creating=True)

    def plan() -> Intervention:
        return create_intervention(
            current_school_id(),
            _plan_data(form),
            mode=InterventionMode(form.mode.data),
            pupil_ids=list(form.pupil_ids.data or ()),
            by=current_user,
        )

    if form.validate_on_submit():
        record = save_or_refuse(form, plan)
        if record is not None:
            flash("Intervention planned.", "success")
            return redirect(detail_url(record))
    return render_template("interventions/form.html", form=form, record=None)


@bp.route("/<int:intervention_id>/edit", methods=["GET", "POST"])
@allow(STAFF_AND_LEADERS)
def edit(intervention_id: int) -> ResponseReturnValue:
    """Edit the plan; a save based on an older version is refused (409)."""
    record = queries.get_plan_or_404(intervention_id, user=current_user)
    form = _plan_form(record, creating=False)
    view_url = detail_url(record)

    def update() -> dict[str, Any]:
        return update_intervention(
            record,
            _plan_data(form),
            by=current_user,
            expected_version=form.expected_version(),
            view_url=view_url,
            reason=form.change_reason.data,
        )

    if form.validate_on_submit() and save_or_refuse(form, update, view_url) is not None:
        flash("Intervention saved.", "success")
        return redirect(view_url)
    return render_template("interventions/form.html", form=form, record=record)


@bp.route("/<int:intervention_id>/status", methods=["POST"])
@allow(STAFF_AND_LEADERS)
def status(intervention_id: int) -> ResponseReturnValue:
    """Start, complete or stop an intervention."""
    record = queries.get_plan_or_404(intervention_id, user=current_user)
    form = StatusForm(allowed=TRANSITIONS.get(record.status, ()))
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(" ".join(errors), "danger")
        return redirect(detail_url(record))
    moved = save_or_flash(
        lambda: change_status(
            record,
            InterventionStatus(form.status.data),
            by=current_user,
            on=school_today(),
            reason=form.reason.data,
            expected_version=form.expected_version(),
            view_url=detail_url(record),
        ),
        detail_url(record),
    )
    if moved is not None:
        flash(f"Intervention marked {record.status.value}.", "success")
    return redirect(detail_url(record))
