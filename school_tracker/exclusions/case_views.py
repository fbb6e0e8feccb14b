"""After an exclusion: the return, the governors' reinstatement meeting, the pack and letters.

Leaders do everything here; a governor named on a panel may see their panels and download that
case's pack (docs/exclusions.md); another school's records are a 404.
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from school_tracker.audit import record_audit
from school_tracker.calendar.terms import school_today
from school_tracker.documents.pdf import pdf_response, render_pdf
from school_tracker.exclusions import letters, lifecycle, pack, queries, reinstatement
from school_tracker.exclusions.case_forms import DecisionForm, FollowUpForm, ReviewForm
from school_tracker.exclusions.case_queries import get_review_or_404, panels_of
from school_tracker.exclusions.views import bp
from school_tracker.extensions import db
from school_tracker.models import Role
from school_tracker.permissions import LEADERS_AND_GOVERNORS, allow, current_school_id
from school_tracker.records.pickers import pupil_label
from school_tracker.records.web import save_or_refuse


def _detail_url(exclusion_id: int) -> str:
    return url_for("exclusions.detail", exclusion_id=exclusion_id)


def _review_url(review_id: int) -> str:
    return url_for("exclusions.review", review_id=review_id)


@bp.route("/<int:exclusion_id>/follow-up", methods=["GET", "POST"])
@allow(Role.LEADER)
def follow_up(exclusion_id: int) -> ResponseReturnValue:
    """The return date, reintegration meeting and education from the sixth day."""
    exclusion = queries.get_exclusion_or_404(exclusion_id, user=current_user)
    if exclusion.cancelled_on is not None:
        abort(404)
    recorded = lifecycle.follow_up_for(exclusion)
    form = FollowUpForm(obj=recorded if request.method == "GET" else None)
    if request.method == "GET" and recorded is not None:
        form.version.data = str(recorded.version_id)
    if form.validate_on_submit():
        saved = save_or_refuse(
            form,
            lambda: lifecycle.save_follow_up(
                exclusion,
                form.data_for_service(),
                by=current_user,
                expected_version=form.expected_version() if recorded else None,
            ),
            _detail_url(exclusion.id),
        )
        if saved is not None:
            flash("Return and reintegration saved.", "success")
            return redirect(_detail_url(exclusion.id))
    return render_template(
        "exclusions/follow_up.html",
        form=form,
        exclusion=exclusion,
        pupil_label=pupil_label(exclusion.pupil),
    )


@bp.route("/<int:exclusion_id>/reinstatement/new", methods=["GET", "POST"])
@allow(Role.LEADER)
def arrange_review(exclusion_id: int) -> ResponseReturnValue:
    """Arrange the governors' consideration of reinstatement."""
    exclusion = queries.get_exclusion_or_404(exclusion_id, user=current_user)
    form = ReviewForm(current_school_id())
    if request.method == "GET":
        required = reinstatement.triggers_for(exclusion)
        form.trigger.data = required[0].value if required else ""
        form.board_notified_on.data = school_today()
    if form.validate_on_submit():
        review = save_or_refuse(
            form,
            lambda: reinstatement.arrange_review(
                exclusion, form.data_for_service(), by=current_user
            ),
        )
        if review is not None:
            flash("Governors' meeting arranged.", "success")
            return redirect(_review_url(review.id))
    return render_template(
        "exclusions/review_form.html",
        form=form,
        exclusion=exclusion,
        review=None,
        pupil_label=pupil_label(exclusion.pupil),
    )


@bp.route("/reinstatement/<int:review_id>")
@allow(Role.LEADER)
def review(review_id: int) -> ResponseReturnValue:
    """One governors' meeting: the panel, representations, decision and the dates due next."""
    found = get_review_or_404(review_id, user=current_user)
    record_audit(current_user, "view", reinstatement.ENTITY, found.id, pupil_id=found.pupil_id)
    db.session.commit()
    calendar = queries.school_calendar(found.school_id)
    decision_form = DecisionForm(
        obj=None,
        formdata=None,
        version=found.version_id,
        decision=found.decision.value if found.decision else "",
        reasons=found.decision_reasons,
        decided_on=found.decided_on,
        notified_on=found.decision_notified_on,
    )
    return render_template(
        "exclusions/review.html",
        review=found,
        deadlines=reinstatement.review_deadlines(found, calendar),
        today=school_today(),
        decision_form=decision_form,
        pack_open=reinstatement.pack_open_to_panel(found),
    )


@bp.route("/reinstatement/<int:review_id>/edit", methods=["GET", "POST"])
@allow(Role.LEADER)
def edit_review(review_id: int) -> ResponseReturnValue:
    """Move the meeting, change the panel or add the parents' representations."""
    found = get_review_or_404(review_id, user=current_user)
    form = ReviewForm(current_school_id(), obj=found if request.method == "GET" else None)
    if request.method == "GET":
        form.trigger.data = found.trigger.value
        form.panel.data = [member.id for member in found.panel]
        form.version.data = str(found.version_id)
    if form.validate_on_submit():
        changes = save_or_refuse(
            form,
            lambda: reinstatement.update_review(
                found,
                form.data_for_service(),
                by=current_user,
                expected_version=form.expected_version(),
            ),
            _review_url(found.id),
        )
        if changes is not None:
            flash("Meeting updated.", "success")
            return redirect(_review_url(found.id))
    return render_template(
        "exclusions/review_form.html",
        form=form,
        exclusion=found.exclusion,
        review=found,
        pupil_label=pupil_label(found.pupil),
    )


@bp.route("/reinstatement/<int:review_id>/decision", methods=["POST"])
@allow(Role.LEADER)
def decide(review_id: int) -> ResponseReturnValue:
    """Record the governing board's decision and its reasons."""
    found = get_review_or_404(review_id, user=current_user)
    form = DecisionForm()
    if form.validate_on_submit():
        changes = save_or_refuse(
            form,
            lambda: reinstatement.record_decision(
                found,
                form.data_for_service(),
                by=current_user,
                expected_version=form.expected_version(),
            ),
            _review_url(found.id),
        )
        if changes is not None:
            flash("Decision recorded.", "success")
            return redirect(_review_url(found.id))
    calendar = queries.school_calendar(found.school_id)
    return render_template(
        "exclusions/review.html",
        review=found,
        deadlines=reinstatement.review_deadlines(found, calendar),
        today=school_today(),
        decision_form=form,
        pack_open=reinstatement.pack_open_to_panel(found),
    ), 400


@bp.route("/reinstatement/<int:review_id>/pack.pdf")
@allow(LEADERS_AND_GOVERNORS)
def download_pack(review_id: int) -> ResponseReturnValue:
    """The graduated-response pack: leaders, and this case's panel governors (audited)."""
    found = pack.get_review_for_pack_or_404(review_id, user=current_user)
    pdf = render_pdf(
        "documents/graduated_response_pack.html",
        review=found,
        entries=pack.pack_entries(found),
        school_name=found.pupil.school.name,
        produced_on=school_today(),
    )
    pack.audit_pack(found, current_user, "download")
    db.session.commit()
    return pdf_response(pdf, pack.pack_filename(found))


@bp.route("/panels")
@allow(Role.GOVERNOR)
def my_panels() -> ResponseReturnValue:
    """The reinstatement panels this governor sits on, with the pack while it is open."""
    return render_template(
        "exclusions/panels.html",
        reviews=panels_of(current_user),
        pack_open=reinstatement.pack_open_to_panel,
    )


@bp.route("/<int:exclusion_id>/letter.pdf")
@allow(Role.LEADER)
def letter(exclusion_id: int) -> ResponseReturnValue:
    """The letter to parents and carers for this suspension or permanent exclusion (audited)."""
    exclusion = queries.get_exclusion_or_404(exclusion_id, user=current_user)
    if exclusion.cancelled_on is not None:
        abort(404)
    pdf = render_pdf("documents/exclusion_letter.html", letter=letters.letter_for(exclusion))
    letters.audit_letter(exclusion, current_user)
    db.session.commit()
    return pdf_response(pdf, letters.letter_filename(exclusion))
