"""Kindness pages: the wall, recording and editing moments, and hiding one (leaders)."""

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from school_tracker.calendar.term_dates import calendar_for
from school_tracker.calendar.terms import school_today
from school_tracker.forms import required_data
from school_tracker.kindness import queries, services
from school_tracker.kindness.forms import HideForm, MomentForm, ShowForm
from school_tracker.models import KindnessMoment, Role
from school_tracker.permissions import (
    STAFF_AND_LEADERS,
    STAFF_LEADERS_AND_ADMINS,
    allow,
    current_school_id,
)
from school_tracker.records.history import Subject, record_history
from school_tracker.records.web import save_or_refuse

bp = Blueprint("kindness", __name__)
WALL_PER_PAGE = 24
LIST_PER_PAGE = 25


def _detail_url(moment_id: int) -> str:
    return url_for("kindness.detail", moment_id=moment_id)


@bp.route("/wall")
@allow(STAFF_LEADERS_AND_ADMINS)  # the wall shows first names only, nothing sensitive
def wall() -> ResponseReturnValue:
    """Recent kindness, celebrated: first names only, hidden moments left out."""
    school_id, today = current_school_id(), school_today()
    page = max(request.args.get("page", 1, type=int), 1)
    pagination = queries.wall(school_id, today, page, WALL_PER_PAGE)
    term = calendar_for(school_id).term_for(today)
    return render_template(
        "kindness/wall.html",
        pagination=pagination,
        cards=[queries.wall_card(m) for m in pagination.items],
        counts=queries.value_counts(school_id, term.starts_on, term.ends_on),
        term=term,
        days=queries.WALL_DAYS,
    )


@bp.route("/", strict_slashes=False)
@allow(STAFF_AND_LEADERS)
def index() -> ResponseReturnValue:
    """Leaders: every moment (filter to hidden ones); staff: the moments they recorded."""
    hidden_only = request.args.get("show") == "hidden"
    page = max(request.args.get("page", 1, type=int), 1)
    pagination = queries.list_moments(current_user, hidden_only, page, LIST_PER_PAGE)
    return render_template(
        "kindness/index.html",
        pagination=pagination,
        hidden_only=hidden_only,
        giver_label=queries.giver_label,
    )


@bp.route("/new", methods=["GET", "POST"])
@allow(STAFF_AND_LEADERS)
def create() -> ResponseReturnValue:
    """Record a kindness moment."""
    school_id = current_school_id()
    form = MomentForm(school_id)
    if request.method == "GET":
        form.occurred_on.data = school_today()
        pupil_id = request.args.get("pupil_id", "")
        form.giver_pupils.data = [pupil_id] if pupil_id else []

    def record() -> KindnessMoment:
        return services.record_moment(
            school_id, form.details(), by=current_user, today=school_today()
        )

    if form.validate_on_submit():
        moment = save_or_refuse(form, record, url_for("kindness.wall"))
        if moment is not None:
            flash("Kindness moment recorded. Thank you for noticing.", "success")
            return redirect(_detail_url(moment.id))
    return render_template("kindness/form.html", form=form, moment=None)


@bp.route("/<int:moment_id>")
@allow(STAFF_AND_LEADERS)
def detail(moment_id: int) -> ResponseReturnValue:
    """One moment in full, with hide or show for leaders."""
    moment = queries.get_moment_or_404(moment_id, user=current_user)
    return render_template(
        "kindness/detail.html",
        moment=moment,
        giver=queries.giver_label(moment),
        can_edit=queries.can_edit(current_user, moment),
        is_leader=current_user.role is Role.LEADER,
        show_form=ShowForm(version=moment.version_id),
        history=record_history(Subject(services.ENTITY, moment.id)),
    )


@bp.route("/<int:moment_id>/edit", methods=["GET", "POST"])
@allow(STAFF_AND_LEADERS)
def edit(moment_id: int) -> ResponseReturnValue:
    """Edit a moment (its recorder or a leader); a stale save is refused."""
    moment = queries.get_moment_or_404(moment_id, user=current_user)
    if not queries.can_edit(current_user, moment):
        abort(403)
    keep = (*moment.giver_pupil_ids, moment.receiver_pupil_id)
    form = MomentForm(moment.school_id, keep_pupils=keep, keep_group=moment.giver_group)
    if request.method == "GET":
        _fill(form, moment)
    view_url = _detail_url(moment.id)

    def update() -> dict[str, Any]:
        return services.update_moment(
            moment,
            form.details(),
            by=current_user,
            today=school_today(),
            expected_version=form.expected_version(),
            view_url=view_url,
        )

    if form.validate_on_submit() and save_or_refuse(form, update, view_url) is not None:
        flash("Kindness moment saved.", "success")
        return redirect(view_url)
    return render_template("kindness/form.html", form=form, moment=moment)


def _fill(form: MomentForm, moment: KindnessMoment) -> None:
    form.version.data = str(moment.version_id)
    form.giver_kind.data = moment.giver_kind.value
    form.giver_pupils.data = [str(pupil_id) for pupil_id in moment.giver_pupil_ids]
    form.giver_group.data = moment.giver_group or ""
    form.giver_name.data = moment.giver_name
    form.receiver_pupil.data = str(moment.receiver_pupil_id or "")
    form.receiver_name.data = moment.receiver_name
    form.description.data = moment.description
    form.values.data = [v.value for v in moment.values]
    form.occurred_on.data = moment.occurred_on
    form.priorities.data = [p.code for p in moment.priorities]


@bp.route("/<int:moment_id>/hide", methods=["GET", "POST"])
@allow(Role.LEADER)
def hide(moment_id: int) -> ResponseReturnValue:
    """Take a moment off the wall, with a reason that is kept (and audited)."""
    moment = queries.get_moment_or_404(moment_id, user=current_user)
    form = HideForm()
    if request.method == "GET":
        form.version.data = str(moment.version_id)
    view_url = _detail_url(moment.id)

    def hide_it() -> KindnessMoment:
        return services.hide_moment(
            moment,
            reason=required_data(form.reason.data),
            by=current_user,
            expected_version=form.expected_version(),
            view_url=view_url,
        )

    if form.validate_on_submit() and save_or_refuse(form, hide_it, view_url) is not None:
        flash("The moment is hidden from the wall.", "success")
        return redirect(view_url)
    return render_template("kindness/hide.html", form=form, moment=moment)


@bp.route("/<int:moment_id>/show", methods=["POST"])
@allow(Role.LEADER)
def show(moment_id: int) -> ResponseReturnValue:
    """Put a hidden moment back on the wall."""
    moment = queries.get_moment_or_404(moment_id, user=current_user)
    form = ShowForm()
    if not form.validate_on_submit():
        abort(400)
    view_url = _detail_url(moment.id)

    def show_it() -> KindnessMoment:
        return services.unhide_moment(
            moment, by=current_user, expected_version=form.expected_version(), view_url=view_url
        )

    if save_or_refuse(form, show_it, view_url) is not None:
        flash("The moment is back on the wall.", "success")
    return redirect(view_url)
