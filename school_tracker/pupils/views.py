"""Pupil list and pupil page (staff, leaders and admins of the pupil's school only)."""

from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm

from school_tracker.audit import record_audit
from school_tracker.auth.sessions import fresh_auth_required
from school_tracker.extensions import db, limiter
from school_tracker.models import PUPIL_GROUPS, Pupil, Role, YearGroup
from school_tracker.permissions import STAFF_LEADERS_AND_ADMINS, allow, current_school_id
from school_tracker.pupils import holds, queries
from school_tracker.pupils.forms import LiftHoldForm, PlaceHoldForm, PupilSearchForm
from school_tracker.records.pupils import get_pupil_or_404
from school_tracker.records.timeline import pupil_timeline
from school_tracker.records.web import save_or_flash

bp = Blueprint("pupils", __name__)
SEARCH_KEY = "pupil_search"


def _single_arg(name: str) -> str | None:
    values = request.args.getlist(name)
    if len(values) > 1:
        abort(400)
    return values[0] if values else None


def _filters_from_request() -> queries.PupilFilters:
    year, group = _single_arg("year"), _single_arg("group")
    status, sort = _single_arg("status") or "on_roll", _single_arg("sort") or "name"
    valid_years = {y.value: y for y in YearGroup}
    if (year and year not in valid_years) or (group and group not in PUPIL_GROUPS):
        abort(400)
    if status not in queries.STATUS_FILTERS or sort not in queries.SORTS:
        abort(400)
    return queries.PupilFilters(
        query=session.get(SEARCH_KEY, ""),
        year=valid_years.get(year or ""),
        group=group or None,
        status=status,
        sort=sort,
    )


def _search_limit() -> str:
    limit: str = current_app.config["SEARCH_LIMIT"]
    return limit


def _user_key() -> str:
    return f"search:{current_user.id}"


@bp.route("/", methods=["GET", "POST"], strict_slashes=False)
@allow(STAFF_LEADERS_AND_ADMINS)
# Per person, far above anyone typing names (R77); it stops a script walking the roll.
@limiter.limit(_search_limit, key_func=_user_key, methods=["POST"])
def index() -> ResponseReturnValue:
    """Search and filter the roll; the search text is kept in the session, not the URL."""
    form = PupilSearchForm()
    if form.validate_on_submit():
        session[SEARCH_KEY] = "" if form.clear.data else form.query.data
        filters_in_url: dict[str, Any] = request.args.to_dict()  # the first of each, as ** gives
        return redirect(url_for("pupils.index", **filters_in_url))
    filters = _filters_from_request()
    if request.method == "GET":
        form.query.data = filters.query
    page = request.args.get("page", 1, type=int)
    pagination = queries.search_pupils(
        current_school_id(), filters, max(page, 1), current_app.config["PUPILS_PER_PAGE"]
    )
    return render_template(
        "pupils/index.html", form=form, pagination=pagination, filters=filters, years=YearGroup
    )


@bp.route("/<int:pupil_id>")
@allow(STAFF_LEADERS_AND_ADMINS)
def detail(pupil_id: int) -> ResponseReturnValue:
    """A pupil's characteristics; every view is audited (who looked at which child)."""
    pupil = get_pupil_or_404(pupil_id, user=current_user)
    entries = pupil_timeline(pupil, current_user)
    record_audit(current_user, "view", "pupil", pupil.id, pupil_id=pupil.id)
    db.session.commit()
    hold_form = None
    if current_user.role is Role.LEADER:  # nobody else learns that a hold exists
        hold_form = LiftHoldForm() if pupil.is_under_legal_hold else PlaceHoldForm()
    return render_template("pupils/detail.html", pupil=pupil, timeline=entries, hold_form=hold_form)


def _change_hold(
    pupil_id: int,
    form_class: type[FlaskForm],
    change: Callable[..., Pupil],
    done: str,
) -> ResponseReturnValue:
    """Load, validate the reason, place or lift the hold, and go back to the pupil page."""
    pupil = get_pupil_or_404(pupil_id, user=current_user)
    form = form_class()
    if form.validate_on_submit():
        if save_or_flash(lambda: change(pupil, form.reason.data, by=current_user)) is not None:
            flash(done, "success")
    else:
        for errors in form.errors.values():
            flash(" ".join(errors), "danger")
    return redirect(url_for("pupils.detail", pupil_id=pupil.id))


@bp.route("/<int:pupil_id>/legal-hold", methods=["POST"])
@allow(Role.LEADER)
def place_hold(pupil_id: int) -> ResponseReturnValue:
    """Put the pupil under a legal hold: retention will blank nothing about them (R69)."""
    return _change_hold(
        pupil_id,
        PlaceHoldForm,
        holds.place_hold,
        "Legal hold placed: nothing about this pupil will be anonymised until it is lifted.",
    )


@bp.route("/<int:pupil_id>/legal-hold/lift", methods=["POST"])
@allow(Role.LEADER)
def lift_hold(pupil_id: int) -> ResponseReturnValue:
    """Lift the pupil's legal hold; the next retention run applies the usual periods."""
    return _change_hold(pupil_id, LiftHoldForm, holds.lift_hold, "Legal hold lifted.")


@bp.route("/<int:pupil_id>/access")
@allow(Role.LEADER)
@fresh_auth_required
def access_log(pupil_id: int) -> ResponseReturnValue:
    """Who has viewed, changed or exported this pupil's records (for the DSL and leaders)."""
    pupil = get_pupil_or_404(pupil_id, user=current_user)
    entries = queries.pupil_access_entries(current_school_id(), pupil.id)
    return render_template("pupils/access.html", pupil=pupil, entries=entries)
