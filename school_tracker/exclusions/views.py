"""Suspension and permanent exclusion pages: leaders only (staff see nothing of them)."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from school_tracker.audit import record_audit
from school_tracker.calendar.terms import academic_year_label, school_today
from school_tracker.exclusions import queries, services
from school_tracker.exclusions.case_queries import case_context, earlier_school_detail
from school_tracker.exclusions.duties import exclusion_duties
from school_tracker.exclusions.forms import CancelForm, ExclusionForm
from school_tracker.extensions import db
from school_tracker.models import Exclusion, ExclusionKind, Role
from school_tracker.permissions import allow, current_school_id
from school_tracker.records.history import Subject, record_history
from school_tracker.records.pickers import ChoosePupilForm, pupil_label
from school_tracker.records.pupils import get_on_roll_pupil_or_404, get_pupil_or_404
from school_tracker.records.web import save_or_flash, save_or_refuse
from school_tracker.risk.duties import GUIDANCE_TITLE

bp = Blueprint("exclusions", __name__)


def _detail_url(exclusion: Exclusion) -> str:
    return url_for("exclusions.detail", exclusion_id=exclusion.id)


def _saved(exclusion: Exclusion, message: str) -> ResponseReturnValue:
    """Flash the message and any threshold warnings, and show the record."""
    flash(message, "success")
    for warning in services.warnings_for(exclusion):
        flash(warning, "warning")
    return redirect(_detail_url(exclusion))


@bp.route("/")
@allow(Role.LEADER)
def index() -> ResponseReturnValue:
    """This academic year's suspensions and exclusions, and pupils near the thresholds."""
    calendar = queries.school_calendar(current_school_id())
    current = calendar.term_for(school_today())
    default_year = calendar.academic_year_terms(current.key)[0].year
    start_year = request.args.get("year", default_year, type=int)
    if not 2000 <= start_year <= school_today().year + 1:
        abort(400)
    bounds = queries.year_bounds(calendar, f"autumn-{start_year}")
    page = max(request.args.get("page", 1, type=int), 1)
    pagination = queries.exclusion_page(
        current_school_id(), bounds, page, current_app.config.get("PUPILS_PER_PAGE", 50)
    )
    return render_template(
        "exclusions/index.html",
        pagination=pagination,
        year_label=academic_year_label("autumn", start_year),
        start_year=start_year,
        years=range(school_today().year, school_today().year - 6, -1),
        near=queries.near_thresholds(current_school_id(), school_today()),
    )


@bp.route("/new", methods=["GET", "POST"])
@allow(Role.LEADER)
def choose_pupil() -> ResponseReturnValue:
    """Step 1: choose the pupil, so the form can show their totals and duties."""
    form = ChoosePupilForm(current_school_id())
    if form.validate_on_submit():
        return redirect(url_for("exclusions.record", pupil_id=form.pupil.data))
    return render_template("exclusions/choose_pupil.html", form=form)


@bp.route("/pupils/<int:pupil_id>/new", methods=["GET", "POST"])
@allow(Role.LEADER)
def record(pupil_id: int) -> ResponseReturnValue:
    """Step 2: record a suspension or permanent exclusion for this pupil."""
    pupil = get_on_roll_pupil_or_404(pupil_id, user=current_user)
    form = ExclusionForm()
    if request.method == "GET":
        form.start_date.data = school_today()
    if form.validate_on_submit():
        exclusion = save_or_refuse(
            form, lambda: services.record_exclusion(pupil, form.data_for_service(), by=current_user)
        )
        if exclusion is not None:
            return _saved(exclusion, f"{exclusion.kind.label} recorded.")
    return render_template(
        "exclusions/form.html",
        form=form,
        pupil=pupil,
        pupil_label=pupil_label(pupil),
        summary=queries.suspension_summary(pupil),
        duties=exclusion_duties(pupil),
        guidance_title=GUIDANCE_TITLE,
        exclusion=None,
    )


@bp.route("/<int:exclusion_id>")
@allow(Role.LEADER)
def detail(exclusion_id: int) -> ResponseReturnValue:
    """One exclusion with its reasons, notifications and the duties it triggers (audited)."""
    exclusion = queries.get_readable_exclusion_or_404(exclusion_id, user=current_user)
    record_audit(current_user, "view", services.ENTITY, exclusion.id, pupil_id=exclusion.pupil_id)
    db.session.commit()
    if exclusion.school_id != current_user.school_id:
        return earlier_school_detail(exclusion)
    return render_template(
        "exclusions/detail.html",
        exclusion=exclusion,
        summary=queries.suspension_summary(exclusion.pupil, exclusion.start_date),
        duties=exclusion_duties(exclusion.pupil, exclusion.kind),
        guidance_title=GUIDANCE_TITLE,
        cancel_form=CancelForm(formdata=None, version=exclusion.version_id),
        days_text=queries.days_text,
        history=record_history(Subject(services.ENTITY, exclusion.id)),
        **case_context(exclusion),
    )


@bp.route("/<int:exclusion_id>/edit", methods=["GET", "POST"])
@allow(Role.LEADER)
def edit(exclusion_id: int) -> ResponseReturnValue:
    """Correct a recorded exclusion; a stale form is refused."""
    exclusion = queries.get_exclusion_or_404(exclusion_id, user=current_user)
    if exclusion.cancelled_on is not None:
        abort(404)
    form = ExclusionForm(obj=exclusion if request.method == "GET" else None)
    if request.method == "GET":
        form.kind.data = exclusion.kind.value
        form.version.data = str(exclusion.version_id)
        form.reason_1.data, form.reason_2.data, form.reason_3.data = (
            exclusion.reason_1_id,
            exclusion.reason_2_id,
            exclusion.reason_3_id,
        )
    elif form.validate_on_submit():
        changes = save_or_refuse(
            form,
            lambda: services.update_exclusion(
                exclusion,
                form.data_for_service(),
                by=current_user,
                expected_version=form.expected_version(),
                reason=form.change_reason.data,
            ),
            _detail_url(exclusion),
        )
        if changes is not None:
            return _saved(exclusion, "Changes saved.")
    return render_template(
        "exclusions/form.html",
        form=form,
        pupil=exclusion.pupil,
        pupil_label=pupil_label(exclusion.pupil),
        summary=queries.suspension_summary(exclusion.pupil, exclusion.start_date),
        duties=exclusion_duties(exclusion.pupil, exclusion.kind),
        guidance_title=GUIDANCE_TITLE,
        exclusion=exclusion,
    )


@bp.route("/<int:exclusion_id>/cancel", methods=["POST"])
@allow(Role.LEADER)
def cancel(exclusion_id: int) -> ResponseReturnValue:
    """Cancel an exclusion with a reason; it stays on record but stops counting."""
    exclusion = queries.get_exclusion_or_404(exclusion_id, user=current_user)
    form = CancelForm()
    if form.validate_on_submit():
        cancelled = save_or_flash(
            lambda: services.cancel_exclusion(
                exclusion,
                by=current_user,
                reason=form.reason.data,
                expected_version=form.expected_version(),
            ),
            _detail_url(exclusion),
        )
        if cancelled is not None:
            flash("Exclusion cancelled; it no longer counts towards the totals.", "success")
    else:
        for errors in form.errors.values():
            flash(" ".join(errors), "danger")
    return redirect(_detail_url(exclusion))


@bp.route("/pupils/<int:pupil_id>")
@allow(Role.LEADER)
def pupil(pupil_id: int) -> ResponseReturnValue:
    """One pupil's suspensions and exclusions, with this year's totals per term."""
    pupil = get_pupil_or_404(pupil_id, user=current_user)
    record_audit(current_user, "view", "exclusion_history", pupil.id, pupil_id=pupil.id)
    db.session.commit()
    exclusions = queries.visible_exclusions(pupil)
    return render_template(
        "exclusions/pupil.html",
        pupil=pupil,
        exclusions=exclusions,
        school_names=queries.school_names(exclusions),
        summary=queries.suspension_summary(pupil),
        days_text=queries.days_text,
        ExclusionKind=ExclusionKind,
    )
