"""Agency involvement: list, record, read and edit (leaders, and staff named on the record)."""

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from school_tracker.agencies import queries
from school_tracker.agencies.forms import InvolvementForm
from school_tracker.agencies.services import (
    InvolvementData,
    create_involvement,
    offered_agencies,
    update_involvement,
)
from school_tracker.audit import record_audit
from school_tracker.calendar.terms import school_today
from school_tracker.extensions import db
from school_tracker.forms import required_data
from school_tracker.models import AgencyInvolvement, InvolvementStatus
from school_tracker.permissions import STAFF_AND_LEADERS, allow, current_school_id
from school_tracker.records.history import Subject, record_history
from school_tracker.records.pickers import pupil_choices, staff_choices
from school_tracker.records.web import save_or_refuse

bp = Blueprint("agencies", __name__)

FIELDS = (
    "agency_id",
    "referred_on",
    "referred_by_id",
    "professional_role",
    "professional_contact",
    "next_step",
    "next_step_on",
    "outcome_notes",
)


def _detail_url(record: AgencyInvolvement) -> str:
    return url_for("agencies.detail", involvement_id=record.id)


def _form(record: AgencyInvolvement | None = None) -> InvolvementForm:
    school_id = current_school_id()
    data: dict[str, Any] | None = None
    if request.method == "GET" and record is not None:
        data = {name: getattr(record, name) for name in FIELDS}
        data.update(
            status=record.status.value,
            named_staff_ids=[user.id for user in record.named_staff],
            version=record.version_id,
        )
    elif request.method == "GET":
        data = {
            "referred_by_id": current_user.id,
            "referred_on": school_today(),
            "pupil_id": request.args.get("pupil", type=int),
        }
    kept_staff = [record.referred_by_id, *(u.id for u in record.named_staff)] if record else []
    return InvolvementForm(
        data=data,
        pupils=None if record else pupil_choices(school_id),
        agencies=offered_agencies(
            school_id,
            record.referred_on if record else school_today(),
            record.agency_id if record else None,
        ),
        staff=staff_choices(school_id, include_ids=kept_staff),
    )


def _data(form: InvolvementForm) -> InvolvementData:
    return InvolvementData(
        agency_id=form.agency_id.data,
        referred_on=required_data(form.referred_on.data),
        referred_by_id=form.referred_by_id.data,
        status=InvolvementStatus(form.status.data),
        professional_role=form.professional_role.data or "",
        professional_contact=form.professional_contact.data or "",
        next_step=form.next_step.data or "",
        next_step_on=form.next_step_on.data,
        outcome_notes=form.outcome_notes.data or "",
        named_staff_ids=list(form.named_staff_ids.data or []),
    )


@bp.route("/")
@allow(STAFF_AND_LEADERS)
def index() -> ResponseReturnValue:
    """Involvements the user may see; `?open=1` leaves out declined and closed ones."""
    open_only = request.args.get("open") == "1"
    pagination = queries.list_involvements(
        current_school_id(),
        current_user,
        open_only=open_only,
        page=max(request.args.get("page", 1, type=int), 1),
        per_page=current_app.config.get("PUPILS_PER_PAGE", 25),
    )
    return render_template(
        "agencies/index.html", pagination=pagination, open_only=open_only, today=school_today()
    )


@bp.route("/new", methods=["GET", "POST"])
@allow(STAFF_AND_LEADERS)
def create() -> ResponseReturnValue:
    """Record a referral to an agency."""
    form = _form()

    def record_involvement() -> AgencyInvolvement:
        return create_involvement(
            current_school_id(),
            form.pupil_id.data,
            _data(form),
            by=current_user,
            today=school_today(),
        )

    if form.validate_on_submit():
        made = save_or_refuse(form, record_involvement)
        if made is not None:
            flash("Agency involvement recorded.", "success")
            return redirect(_detail_url(made))
    return render_template("agencies/form.html", form=form, record=None)


@bp.route("/<int:involvement_id>")
@allow(STAFF_AND_LEADERS)
def detail(involvement_id: int) -> ResponseReturnValue:
    """The referral, where it stands and what comes next; every view is audited."""
    record = queries.get_involvement_or_404(involvement_id, user=current_user)
    record_audit(
        current_user,
        "view",
        "agency_involvement",
        record.id,
        school_id=record.school_id,
        pupil_id=record.pupil_id,
    )
    db.session.commit()
    return render_template(
        "agencies/detail.html",
        record=record,
        today=school_today(),
        flag_agencies=queries.flag_agencies(record.pupil, current_user),
        history=record_history(Subject("agency_involvement", record.id)),
    )


@bp.route("/<int:involvement_id>/edit", methods=["GET", "POST"])
@allow(STAFF_AND_LEADERS)
def edit(involvement_id: int) -> ResponseReturnValue:
    """Update the status, next step or outcome; a save based on an older version is refused."""
    record = queries.get_involvement_or_404(involvement_id, user=current_user)
    form = _form(record)
    view_url = _detail_url(record)

    def update() -> dict[str, Any]:
        return update_involvement(
            record,
            _data(form),
            by=current_user,
            today=school_today(),
            expected_version=form.expected_version(),
            view_url=view_url,
            reason=form.change_reason.data,
        )

    if form.validate_on_submit() and save_or_refuse(form, update, view_url) is not None:
        flash("Agency involvement saved.", "success")
        return redirect(view_url)
    return render_template("agencies/form.html", form=form, record=record)
