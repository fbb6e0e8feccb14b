"""Exclusion-risk flag pages: leaders and the staff named on a flag only (others get 404)."""

from collections.abc import Callable

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm

from school_tracker.audit import record_audit
from school_tracker.calendar.terms import school_today
from school_tracker.extensions import db
from school_tracker.forms import EmptyForm, required_data
from school_tracker.models import RiskAction, RiskFlag, RiskLevel, RiskOutcome, RiskStatus, Role
from school_tracker.permissions import STAFF_AND_LEADERS, allow, current_school_id
from school_tracker.records.pickers import ChoosePupilForm, pupil_label
from school_tracker.records.pupils import get_on_roll_pupil_or_404
from school_tracker.records.web import save_or_refuse
from school_tracker.risk import lifecycle, queries, services
from school_tracker.risk.duties import GUIDANCE_TITLE, extra_duties
from school_tracker.risk.forms import (
    ActionForm,
    CloseForm,
    FlagDetailsForm,
    LevelForm,
    RaiseFlagForm,
    ReopenForm,
    StatusForm,
)

bp = Blueprint("risk", __name__)


def _forms(flag: RiskFlag, **bound: FlaskForm) -> dict[str, FlaskForm]:
    """Every form on the detail page; a re-shown one keeps its submitted values and errors."""
    school_id = current_school_id()
    forms = {
        "level_form": LevelForm(prefix="level", formdata=None, version=flag.version_id),
        "status_form": StatusForm(prefix="status", formdata=None, version=flag.version_id),
        "close_form": CloseForm(prefix="close", formdata=None, version=flag.version_id),
        "reopen_form": ReopenForm(prefix="reopen", formdata=None, version=flag.version_id),
        "action_form": ActionForm(school_id, prefix="action", formdata=None),
        "button_form": EmptyForm(),
    }
    forms.update(bound)
    return forms


def _detail_page(flag: RiskFlag, status: int = 200, **bound: FlaskForm) -> tuple[str, int]:
    return (
        render_template(
            "risk/detail.html",
            flag=flag,
            restricted=queries.sees_restricted(current_user),
            history=queries.flag_history(current_user, flag),
            duties=extra_duties(flag.pupil),
            guidance_title=GUIDANCE_TITLE,
            today=school_today(),
            RiskStatus=RiskStatus,
            **_forms(flag, **bound),
        ),
        status,
    )


def _flag_url(flag: RiskFlag) -> str:
    return url_for("risk.detail", flag_id=flag.id)


def _submit(
    flag: RiskFlag,
    form: FlaskForm,
    form_name: str,
    apply: Callable[[], RiskFlag | RiskAction],
    message: str,
) -> ResponseReturnValue:
    """Validate a detail-page form, run the service, commit and redirect (or re-show)."""
    if form.validate_on_submit() and save_or_refuse(form, apply, _flag_url(flag)) is not None:
        flash(message, "success")
        return redirect(_flag_url(flag))
    return _detail_page(flag, 400, **{form_name: form})


@bp.route("/")
@allow(STAFF_AND_LEADERS)
def index() -> ResponseReturnValue:
    """The flags this user may see, with status and level filters."""
    status = request.args.get("status", "live")
    level = request.args.get("level", "")
    if status not in queries.STATUS_FILTERS or level not in {"", *(lv.value for lv in RiskLevel)}:
        abort(400)
    filters = queries.FlagFilters(status=status, level=RiskLevel(level) if level else None)
    page = max(request.args.get("page", 1, type=int), 1)
    pagination = queries.flag_page(
        current_user, filters, page, current_app.config.get("PUPILS_PER_PAGE", 50)
    )
    return render_template(
        "risk/index.html",
        pagination=pagination,
        filters=filters,
        levels=RiskLevel,
        today=school_today(),
    )


@bp.route("/new", methods=["GET", "POST"])
@allow(STAFF_AND_LEADERS)
def choose_pupil() -> ResponseReturnValue:
    """Step 1 of raising a flag: choose the pupil."""
    form = ChoosePupilForm(current_school_id())
    if form.validate_on_submit():
        return redirect(url_for("risk.raise_flag", pupil_id=form.pupil.data))
    return render_template("risk/choose_pupil.html", form=form)


@bp.route("/pupils/<int:pupil_id>/new", methods=["GET", "POST"])
@allow(STAFF_AND_LEADERS)
def raise_flag(pupil_id: int) -> ResponseReturnValue:
    """Step 2: the flag itself, with the extra duties that apply to this pupil."""
    pupil = get_on_roll_pupil_or_404(pupil_id, user=current_user)
    form = RaiseFlagForm(current_school_id())
    if request.method == "GET":
        form.raised_on.data = school_today()
        form.priorities.data = services.default_priority_codes(pupil)
    if form.validate_on_submit():
        flag = save_or_refuse(
            form,
            lambda: services.raise_flag(
                pupil,
                by=current_user,
                raised_on=required_data(form.raised_on.data),
                level=RiskLevel(form.level.data),
                details=form.details(),
            ),
        )
        if flag is not None:
            flash("Risk flag raised.", "success")
            return redirect(_flag_url(flag))
    return render_template(
        "risk/raise.html",
        form=form,
        pupil=pupil,
        duties=extra_duties(pupil),
        guidance_title=GUIDANCE_TITLE,
        pupil_label=pupil_label(pupil),
    )


@bp.route("/<int:flag_id>")
@allow(STAFF_AND_LEADERS)
def detail(flag_id: int) -> ResponseReturnValue:
    """One flag; every view is audited (who looked at which child's flag, never the content)."""
    flag = queries.get_flag_or_404(flag_id, user=current_user)
    record_audit(current_user, "view", services.ENTITY, flag.id, pupil_id=flag.pupil_id)
    db.session.commit()
    return _detail_page(flag)


@bp.route("/<int:flag_id>/edit", methods=["GET", "POST"])
@allow(Role.LEADER)
def edit(flag_id: int) -> ResponseReturnValue:
    """Edit the review date, factors, agencies and named staff of a live flag (leaders)."""
    flag = queries.get_flag_or_404(flag_id, user=current_user)
    form = FlagDetailsForm(
        current_school_id(), obj=flag if request.method == "GET" else None, flag=flag
    )
    if request.method == "GET":
        form.version.data = str(flag.version_id)
        form.risk_factors.data = [row.id for row in flag.risk_factors]
        form.agencies.data = [row.id for row in flag.agencies]
        form.named_staff.data = [user.id for user in flag.named_staff]
        form.priorities.data = [p.code for p in flag.priorities]
        record_audit(current_user, "view", services.ENTITY, flag.id, pupil_id=flag.pupil_id)
        db.session.commit()
    elif form.validate_on_submit():
        changes = save_or_refuse(
            form,
            lambda: services.update_flag(
                flag,
                form.details(),
                by=current_user,
                expected_version=form.expected_version(),
                reason=form.change_reason.data,
            ),
            _flag_url(flag),
        )
        if changes is not None:
            flash("Flag updated.", "success")
            return redirect(_flag_url(flag))
    return render_template("risk/edit.html", form=form, flag=flag)


@bp.route("/<int:flag_id>/level", methods=["POST"])
@allow(Role.LEADER)
def change_level(flag_id: int) -> ResponseReturnValue:
    """Escalate or de-escalate; the history keeps every level."""
    flag = queries.get_flag_or_404(flag_id, user=current_user)
    form = LevelForm(prefix="level")
    return _submit(
        flag,
        form,
        "level_form",
        lambda: lifecycle.change_level(
            flag,
            RiskLevel(form.level.data),
            by=current_user,
            reason=form.reason.data,
            expected_version=form.expected_version(),
        ),
        "Level changed.",
    )


@bp.route("/<int:flag_id>/status", methods=["POST"])
@allow(Role.LEADER)
def change_status(flag_id: int) -> ResponseReturnValue:
    """Move a live flag between open and monitoring."""
    flag = queries.get_flag_or_404(flag_id, user=current_user)
    form = StatusForm(prefix="status")
    return _submit(
        flag,
        form,
        "status_form",
        lambda: lifecycle.change_status(
            flag,
            RiskStatus(form.status.data),
            by=current_user,
            reason=form.reason.data,
            expected_version=form.expected_version(),
        ),
        "Status changed.",
    )


@bp.route("/<int:flag_id>/close", methods=["POST"])
@allow(Role.LEADER)
def close(flag_id: int) -> ResponseReturnValue:
    """Close a flag with its outcome."""
    flag = queries.get_flag_or_404(flag_id, user=current_user)
    form = CloseForm(prefix="close")
    return _submit(
        flag,
        form,
        "close_form",
        lambda: lifecycle.close_flag(
            flag,
            RiskOutcome(form.outcome.data),
            by=current_user,
            reason=form.reason.data,
            expected_version=form.expected_version(),
        ),
        "Flag closed.",
    )


@bp.route("/<int:flag_id>/reopen", methods=["POST"])
@allow(Role.LEADER)
def reopen(flag_id: int) -> ResponseReturnValue:
    """A leader reopens a closed flag, saying why."""
    flag = queries.get_flag_or_404(flag_id, user=current_user)
    form = ReopenForm(prefix="reopen")
    return _submit(
        flag,
        form,
        "reopen_form",
        lambda: lifecycle.reopen_flag(
            flag, by=current_user, reason=form.reason.data, expected_version=form.expected_version()
        ),
        "Flag reopened.",
    )


@bp.route("/<int:flag_id>/actions", methods=["POST"])
@allow(STAFF_AND_LEADERS)
def add_action(flag_id: int) -> ResponseReturnValue:
    """Add an action (leaders and the staff named on the flag)."""
    flag = queries.get_flag_or_404(flag_id, user=current_user)
    form = ActionForm(current_school_id(), prefix="action")
    return _submit(
        flag,
        form,
        "action_form",
        lambda: services.add_action(
            flag,
            description=required_data(form.description.data),
            owner_id=form.owner.data,
            due_on=form.due_on.data,
            by=current_user,
        ),
        "Action added.",
    )


@bp.route("/<int:flag_id>/actions/<int:action_id>/done", methods=["POST"])
@allow(STAFF_AND_LEADERS)
def complete_action(flag_id: int, action_id: int) -> ResponseReturnValue:
    """Mark an action done today."""
    flag = queries.get_flag_or_404(flag_id, user=current_user)
    action = queries.get_action_or_404(flag, action_id)
    form = EmptyForm()
    return _submit(
        flag,
        form,
        "button_form",
        lambda: services.complete_action(action, by=current_user),
        "Action marked done.",
    )
