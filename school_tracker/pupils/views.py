"""Pupil list and pupil page (staff, leaders and admins of the pupil's school only)."""

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from school_tracker.audit import record_audit
from school_tracker.auth.sessions import fresh_auth_required
from school_tracker.database import writes_on_get
from school_tracker.extensions import db
from school_tracker.models import PUPIL_GROUPS, Role, YearGroup
from school_tracker.permissions import PUPIL_READERS, allow, current_school_id
from school_tracker.pupils import queries
from school_tracker.pupils.forms import PupilSearchForm
from school_tracker.timeline import pupil_timeline

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


@bp.route("/", methods=["GET", "POST"], strict_slashes=False)
@allow(PUPIL_READERS)
def index():
    """Search and filter the roll; the search text is kept in the session, not the URL."""
    form = PupilSearchForm()
    if form.validate_on_submit():
        session[SEARCH_KEY] = "" if form.clear.data else form.query.data
        return redirect(url_for("pupils.index", **request.args))
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
@allow(PUPIL_READERS)
@writes_on_get
def detail(pupil_id: int):
    """A pupil's characteristics; every view is audited (who looked at which child)."""
    pupil = queries.get_pupil_or_404(current_school_id(), pupil_id)
    entries = pupil_timeline(pupil, current_user)
    record_audit(current_user, "view", "pupil", pupil.id, pupil_id=pupil.id)
    db.session.commit()
    return render_template("pupils/detail.html", pupil=pupil, timeline=entries)


@bp.route("/<int:pupil_id>/access")
@allow(Role.LEADER)
@fresh_auth_required
def access_log(pupil_id: int):
    """Who has viewed, changed or exported this pupil's records (for the DSL and leaders)."""
    pupil = queries.get_pupil_or_404(current_school_id(), pupil_id)
    entries = queries.pupil_access_entries(current_school_id(), pupil.id)
    return render_template("pupils/access.html", pupil=pupil, entries=entries)
