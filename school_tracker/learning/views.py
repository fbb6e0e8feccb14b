"""Professional learning pages: the list with total hours, record, edit."""

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from school_tracker.calendar.terms import school_today
from school_tracker.forms import required_data
from school_tracker.learning import queries
from school_tracker.learning.forms import LearningFields, LearningForm, StaffLearningForm
from school_tracker.learning.services import (
    LearningData,
    create_learning,
    create_learning_for_staff,
    focus_choices,
    update_learning,
)
from school_tracker.models import LearningRecord, Role
from school_tracker.permissions import STAFF_AND_LEADERS, allow, current_school_id
from school_tracker.records.history import Subject, record_history
from school_tracker.records.pickers import staff_choices
from school_tracker.records.priorities import priority_choices
from school_tracker.records.web import save_or_refuse

bp = Blueprint("learning", __name__)


def _form(record: LearningRecord | None = None) -> LearningForm:
    school_id = current_school_id()
    if current_user.role is Role.LEADER:
        staff = staff_choices(school_id, include_ids=[record.staff_id] if record else [])
    else:
        staff = [(current_user.id, current_user.full_name)]
    data = None
    if request.method == "GET":
        data = {"staff_id": current_user.id, "held_on": school_today(), "priorities": ["P3"]}
        if record is not None:
            data = {
                **{name: getattr(record, name) for name in LearningData.__dataclass_fields__},
                "hours": record.hours,
                "priorities": [p.code for p in record.priorities],
                "version": record.version_id,
            }
    focus_areas = focus_choices(
        school_id,
        record.held_on if record else school_today(),
        record.focus_id if record else None,
    )
    return LearningForm(
        data=data, staff=staff, priority_choices=priority_choices(), focus_areas=focus_areas
    )


def _data(form: LearningFields, staff_id: int) -> LearningData:
    return LearningData(
        staff_id=staff_id,
        held_on=required_data(form.held_on.data),
        activity=required_data(form.activity.data),
        hours_tenths=form.hours_tenths,
        focus_id=form.focus_id.data,
        reflection=form.reflection.data or "",
    )


def _filters() -> queries.LearningFilters:
    staff, year = request.args.get("staff") or "", request.args.get("year") or ""
    if (staff and not staff.isdigit()) or (year and not (year.isdigit() and len(year) == 4)):
        abort(400)
    return queries.LearningFilters(
        staff_id=int(staff) if staff and current_user.role is Role.LEADER else None,
        year=int(year) if year else None,
    )


@bp.route("/")
@allow(STAFF_AND_LEADERS)
def index() -> ResponseReturnValue:
    """Staff see their own learning; leaders see everyone's, with total hours."""
    filters = _filters()
    page = max(request.args.get("page", 1, type=int), 1)
    per_page = current_app.config.get("PUPILS_PER_PAGE", 25)
    pagination, total = queries.list_learning(
        current_school_id(), current_user, filters, page=page, per_page=per_page
    )
    today = school_today()
    this_year = today.year if today.month >= 8 else today.year - 1
    staff = staff_choices(current_school_id()) if current_user.role is Role.LEADER else []
    return render_template(
        "learning/index.html",
        pagination=pagination,
        total_hours=total,
        filters=filters,
        staff=staff,
        years=range(this_year, this_year - 4, -1),
    )


@bp.route("/new", methods=["GET", "POST"])
@allow(STAFF_AND_LEADERS)
def create() -> ResponseReturnValue:
    """Record professional learning (leaders may record it for anyone)."""
    form = _form()

    def record_learning() -> LearningRecord:
        return create_learning(
            current_school_id(),
            _data(form, form.staff_id.data),
            list(form.priorities.data or []),
            by=current_user,
            today=school_today(),
        )

    if form.validate_on_submit() and save_or_refuse(form, record_learning) is not None:
        flash("Professional learning recorded.", "success")
        return redirect(url_for("learning.index"))
    return render_template("learning/form.html", form=form, record=None)


@bp.route("/<int:record_id>/edit", methods=["GET", "POST"])
@allow(STAFF_AND_LEADERS)
def edit(record_id: int) -> ResponseReturnValue:
    """Edit a record (your own, or anyone's if you are a leader)."""
    record = queries.get_learning_or_404(record_id, user=current_user)
    form = _form(record)
    view_url = url_for("learning.edit", record_id=record.id)

    def update() -> dict[str, Any]:
        return update_learning(
            record,
            _data(form, form.staff_id.data),
            list(form.priorities.data or []),
            by=current_user,
            today=school_today(),
            expected_version=form.expected_version(),
            view_url=view_url,
        )

    if form.validate_on_submit() and save_or_refuse(form, update, view_url) is not None:
        flash("Professional learning saved.", "success")
        return redirect(url_for("learning.index"))
    # CPD has no detail page; its history sits under the edit form.
    history = record_history(Subject("learning_record", record.id))
    return render_template("learning/form.html", form=form, record=record, history=history)


@bp.route("/new-for-staff", methods=["GET", "POST"])
@allow(Role.LEADER)
def create_for_staff() -> ResponseReturnValue:
    """One form for an INSET day or a twilight: each chosen person gets their own record."""
    school_id = current_school_id()
    data = None
    if request.method == "GET":
        data = {"held_on": school_today(), "priorities": ["P3"]}
    form = StaffLearningForm(
        data=data,
        staff=staff_choices(school_id),
        priority_choices=priority_choices(),
        focus_areas=focus_choices(school_id, school_today()),
    )

    def record_for_staff() -> list[LearningRecord]:
        return create_learning_for_staff(
            school_id,
            _data(form, 0),  # each person's id is filled in by the service
            list(form.priorities.data or []),
            staff_ids=list(form.staff_ids.data or []),
            everyone=bool(form.everyone.data),
            by=current_user,
            today=school_today(),
        )

    made = save_or_refuse(form, record_for_staff) if form.validate_on_submit() else None
    if made is not None:
        flash(f"Professional learning recorded for {len(made)} staff.", "success")
        return redirect(url_for("learning.index"))
    return render_template("learning/staff_form.html", form=form)
