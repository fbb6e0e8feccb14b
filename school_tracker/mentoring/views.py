"""Mentoring pages: pairings, their session log and a mentor's caseload (staff and leaders)."""

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
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user

from school_tracker.audit import record_audit
from school_tracker.calendar.term_dates import calendar_for
from school_tracker.calendar.terms import school_today
from school_tracker.extensions import db
from school_tracker.forms import required_data
from school_tracker.mentoring import lifecycle, queries, services, session_log
from school_tracker.mentoring.forms import (
    EndForm,
    PairingForm,
    SessionCorrectionForm,
    SessionForm,
    StatusForm,
)
from school_tracker.models import (
    MentoringPairing,
    MentoringSession,
    PairingOutcome,
    PairingStatus,
    Pupil,
)
from school_tracker.permissions import STAFF_AND_LEADERS, allow, current_school_id
from school_tracker.records.history import Subject, record_history
from school_tracker.records.web import save_or_refuse

bp = Blueprint("mentoring", __name__)


def _detail_url(pairing_id: int) -> str:
    return url_for("mentoring.detail", pairing_id=pairing_id)


@bp.route("/", strict_slashes=False)
@allow(STAFF_AND_LEADERS)
def index() -> ResponseReturnValue:
    """Pairings the user may see: leaders every one, staff those they mentor or created."""
    status_arg = request.args.get("status") or None
    if status_arg and status_arg not in {s.value for s in PairingStatus}:
        abort(400)
    status = PairingStatus(status_arg) if status_arg else None
    page = max(request.args.get("page", 1, type=int), 1)
    pagination = queries.list_pairings(
        current_user, status, page, current_app.config.get("PUPILS_PER_PAGE", 25)
    )
    last = queries.last_session_dates([p.id for p in pagination.items])
    return render_template(
        "mentoring/index.html",
        pagination=pagination,
        last=last,
        status=status,
        statuses=PairingStatus,
    )


@bp.route("/caseload")
@allow(STAFF_AND_LEADERS)
def caseload() -> ResponseReturnValue:
    """My active and paused pairings, sessions this term and when we last met."""
    term = calendar_for(current_school_id()).term_for(school_today())
    rows = queries.caseload(current_user, term.starts_on, term.ends_on)
    return render_template("mentoring/caseload.html", rows=rows, term=term)


@bp.route("/new", methods=["GET", "POST"])
@allow(STAFF_AND_LEADERS)
def create() -> ResponseReturnValue:
    """Start a pairing; goals are agreed by mentee and mentor together."""
    school_id = current_school_id()
    form = PairingForm(school_id)
    if request.method == "GET":
        form.mentee.data = request.args.get("pupil_id", "")
        form.starts_on.data = school_today()

    def start() -> MentoringPairing:
        mentee = db.session.get_one(Pupil, int(form.mentee.data))  # a validated choice
        return services.create_pairing(school_id, mentee, form.details(), by=current_user)

    if form.validate_on_submit():
        pairing = save_or_refuse(form, start, url_for("mentoring.index"))
        if pairing is not None:
            flash("Mentoring pairing started.", "success")
            return redirect(_detail_url(pairing.id))
    return render_template("mentoring/form.html", form=form, pairing=None)


@bp.route("/<int:pairing_id>")
@allow(STAFF_AND_LEADERS)
def detail(pairing_id: int) -> ResponseReturnValue:
    """A pairing, its goals and its session log; each view is audited."""
    pairing = queries.get_pairing_or_404(pairing_id, user=current_user)
    record_audit(current_user, "view", services.ENTITY, pairing.id, pupil_id=pairing.mentee_id)
    db.session.commit()
    return render_template(
        "mentoring/detail.html",
        pairing=pairing,
        status_form=StatusForm(version=pairing.version_id),
        statuses=PairingStatus,
        correctable={
            s.id
            for s in pairing.sessions
            if not session_log.correction_refusal(current_user, s, school_today())
        },
        history=record_history(
            Subject(services.ENTITY, pairing.id),
            *(
                Subject(session_log.SESSION_ENTITY, s.id, f"Session of {s.held_on:%d %b %Y}")
                for s in pairing.sessions
            ),
        ),
    )


@bp.route("/<int:pairing_id>/edit", methods=["GET", "POST"])
@allow(STAFF_AND_LEADERS)
def edit(pairing_id: int) -> ResponseReturnValue:
    """Edit a pairing; a save on top of someone else's newer save is refused."""
    pairing = queries.get_pairing_or_404(pairing_id, user=current_user)
    keep = (pairing.mentee_id, pairing.mentor_pupil_id)
    form = PairingForm(pairing.school_id, keep_pupils=keep)
    del form.mentee
    if request.method == "GET":
        _fill_pairing_form(form, pairing)
    view_url = _detail_url(pairing.id)

    def update() -> dict[str, Any]:
        return services.update_pairing(
            pairing,
            form.details(),
            by=current_user,
            expected_version=form.expected_version(),
            view_url=view_url,
            reason=form.change_reason.data,
        )

    if form.validate_on_submit() and save_or_refuse(form, update, view_url) is not None:
        flash("Pairing saved.", "success")
        return redirect(view_url)
    return render_template("mentoring/form.html", form=form, pairing=pairing)


def _fill_pairing_form(form: PairingForm, pairing: MentoringPairing) -> None:
    form.version.data = str(pairing.version_id)
    form.mentor_kind.data = pairing.mentor_kind.value
    form.mentor_user.data = str(pairing.mentor_user_id or "")
    form.mentor_pupil.data = str(pairing.mentor_pupil_id or "")
    form.mentor_name.data = pairing.mentor_name
    rel = pairing.mentor_relationship
    form.mentor_relationship.data = rel.value if rel else ""
    form.mentee_goals.data = pairing.mentee_goals
    form.mentor_goals.data = pairing.mentor_goals
    form.priorities.data = [p.code for p in pairing.priorities]
    form.starts_on.data = pairing.starts_on
    form.planned_end_on.data = pairing.planned_end_on
    form.frequency.data = pairing.frequency.value


def _change_status(
    pairing_id: int,
    change: Callable[[MentoringPairing, int | None, str], MentoringPairing],
    message: str,
) -> ResponseReturnValue:
    pairing = queries.get_pairing_or_404(pairing_id, user=current_user)
    form = StatusForm()
    if not form.validate_on_submit():
        abort(400)
    view_url = _detail_url(pairing.id)
    moved = save_or_refuse(
        form, lambda: change(pairing, form.expected_version(), view_url), view_url
    )
    if moved is not None:
        flash(message, "success")
    return redirect(view_url)


@bp.route("/<int:pairing_id>/pause", methods=["POST"])
@allow(STAFF_AND_LEADERS)
def pause(pairing_id: int) -> ResponseReturnValue:
    """Pause an active pairing."""
    return _change_status(
        pairing_id,
        lambda p, version, url: lifecycle.pause_pairing(
            p, by=current_user, today=school_today(), expected_version=version, view_url=url
        ),
        "Pairing paused.",
    )


@bp.route("/<int:pairing_id>/resume", methods=["POST"])
@allow(STAFF_AND_LEADERS)
def resume(pairing_id: int) -> ResponseReturnValue:
    """Resume a paused pairing."""
    return _change_status(
        pairing_id,
        lambda p, version, url: lifecycle.resume_pairing(
            p, by=current_user, expected_version=version, view_url=url
        ),
        "Pairing resumed.",
    )


@bp.route("/<int:pairing_id>/end", methods=["GET", "POST"])
@allow(STAFF_AND_LEADERS)
def end(pairing_id: int) -> ResponseReturnValue:
    """End a pairing with an outcome and the date it ended."""
    pairing = queries.get_pairing_or_404(pairing_id, user=current_user)
    form = EndForm()
    if request.method == "GET":
        form.version.data = str(pairing.version_id)
        form.ended_on.data = school_today()
    view_url = _detail_url(pairing.id)

    def end_it() -> MentoringPairing:
        return lifecycle.end_pairing(
            pairing,
            outcome=PairingOutcome(form.outcome.data),
            ended_on=required_data(form.ended_on.data),
            notes=form.outcome_notes.data,
            by=current_user,
            today=school_today(),
            expected_version=form.expected_version(),
            view_url=view_url,
        )

    if form.validate_on_submit() and save_or_refuse(form, end_it, view_url) is not None:
        flash("Pairing ended.", "success")
        return redirect(view_url)
    return render_template("mentoring/end.html", form=form, pairing=pairing)


@bp.route("/<int:pairing_id>/sessions/new", methods=["GET", "POST"])
@allow(STAFF_AND_LEADERS)
def log_session(pairing_id: int) -> ResponseReturnValue:
    """Log a session: what we did, what the mentee said, what the mentor reflected."""
    pairing = queries.get_pairing_or_404(pairing_id, user=current_user)
    form = SessionForm()
    if request.method == "GET":
        form.held_on.data = school_today()
    view_url = _detail_url(pairing.id)

    def log() -> MentoringSession:
        return session_log.log_session(
            pairing, form.details(), by=current_user, today=school_today()
        )

    if form.validate_on_submit() and save_or_refuse(form, log, view_url) is not None:
        flash("Session logged.", "success")
        return redirect(view_url)
    return render_template("mentoring/session_form.html", form=form, pairing=pairing)


@bp.route("/<int:pairing_id>/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@allow(STAFF_AND_LEADERS)
def correct_session(pairing_id: int, session_id: int) -> ResponseReturnValue:
    """Correct a session: its author or a leader, within 14 days; earlier values are kept."""
    pairing = queries.get_pairing_or_404(pairing_id, user=current_user)
    session = db.session.get(MentoringSession, session_id)
    if session is None or session.pairing_id != pairing.id:
        abort(404)
    if session_log.correction_refusal(current_user, session, school_today()):
        abort(403)
    form = SessionCorrectionForm()
    if request.method == "GET":
        _fill_session_form(form, session)
    view_url = _detail_url(pairing.id)

    def correct() -> dict[str, Any]:
        return session_log.correct_session(
            session,
            form.details(),
            by=current_user,
            today=school_today(),
            expected_version=form.expected_version(),
            view_url=view_url,
            reason=form.change_reason.data,
        )

    if form.validate_on_submit() and save_or_refuse(form, correct, view_url) is not None:
        flash("Session corrected.", "success")
        return redirect(view_url)
    return render_template(
        "mentoring/session_form.html", form=form, pairing=pairing, correcting=True
    )


def _fill_session_form(form: SessionCorrectionForm, session: MentoringSession) -> None:
    form.version.data = str(session.version_id)
    for name in (
        "held_on",
        "minutes",
        "activities",
        "mentee_voice",
        "mentor_reflection",
        "wellbeing_start",
        "wellbeing_end",
    ):
        getattr(form, name).data = getattr(session, name)
