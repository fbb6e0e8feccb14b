"""Admin pages: upload a roll file, preview what it would do, confirm it once, see the summary."""

import hashlib
import logging

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from school_tracker.auth.sessions import fresh_auth_required
from school_tracker.calendar.terms import school_today
from school_tracker.extensions import db, limiter
from school_tracker.forms import EmptyForm
from school_tracker.imports import queries, services
from school_tracker.imports.class_staff import check_tutor_emails
from school_tracker.imports.forms import ConfirmForm, UploadForm
from school_tracker.imports.parser import ImportFileError, parse_roll
from school_tracker.models import Role, RollImportStatus, School
from school_tracker.permissions import allow, current_school_id
from school_tracker.web.errors import error_reference

bp = Blueprint("imports", __name__)
log = logging.getLogger(__name__)

# Every error is counted; a wholly wrong file shows the first few hundred, which is plenty
# to see the pattern (the parser itself stops after 1,000).
MAX_SHOWN_ERRORS = 300


def _upload_limit() -> str:
    limit: str = current_app.config["IMPORT_LIMIT"]
    return limit


def _user_key() -> str:
    return f"import:{current_user.id}"


def _index_page(
    form: UploadForm, status: int = 200, file_error: str | None = None
) -> tuple[str, int]:
    recent = queries.recent_imports(current_school_id())
    page = render_template(
        "imports/index.html",
        form=form,
        recent=recent,
        file_error=file_error,
        ref=error_reference() if file_error else None,
    )
    return page, status


@bp.route("/", methods=["GET", "POST"], strict_slashes=False)
@allow(Role.ADMIN)
# The page as well as the upload (R15): confirming before choosing the file means a stale
# sign-in never costs the admin a file they have already picked.
@fresh_auth_required
# Parsing a 5 MB workbook is the costliest request there is; no school uploads this often.
@limiter.limit(_upload_limit, key_func=_user_key, methods=["POST"])
def index() -> ResponseReturnValue:
    """Upload a roll file; a valid one is kept as a preview, an invalid one explained."""
    form = UploadForm()
    if not form.validate_on_submit():
        return _index_page(form, 400 if form.errors else 200)
    upload = form.file.data
    data = upload.read()
    file_name = services.clean_file_name(upload.filename)
    try:
        result = parse_roll(data, file_name)
    except ImportFileError as error:
        # The message is ours (never file content); the reference ties the page to this line.
        log.info(
            "roll import refused for user %s ref=%s: %s",
            current_user.id,
            error_reference(),
            error.message,
        )
        return _index_page(form, 400, file_error=error.message)
    check_tutor_emails(result, current_school_id())
    if not result.ok:
        log.info(
            "roll import rejected for user %s ref=%s: %d row errors",
            current_user.id,
            error_reference(),
            len(result.errors),
        )
        page = render_template(
            "imports/errors.html",
            result=result,
            file_name=file_name,
            shown=result.errors[:MAX_SHOWN_ERRORS],
            ref=error_reference(),
        )
        return page, 400
    school = db.session.get_one(School, current_school_id())
    roll_import, _ = services.start_preview(
        school,
        result,
        file_name=file_name,
        sha256=hashlib.sha256(data).hexdigest(),
        by=current_user,
    )
    db.session.commit()
    return redirect(url_for("imports.preview", import_id=roll_import.id))


@bp.route("/<import_id>")
@allow(Role.ADMIN)
def preview(import_id: str) -> ResponseReturnValue:
    """The preview (or, once applied, the summary) of one of this admin's imports."""
    roll_import = queries.get_import_or_404(import_id, user=current_user)
    if roll_import.status is RollImportStatus.APPLIED:
        return render_template(
            "imports/summary.html",
            roll_import=roll_import,
            counts=roll_import.counts.get("applied", {}),
        )
    try:
        services.check_open(roll_import)
        plan = services.current_plan(roll_import)
    except services.ImportRefused as refusal:
        return _refused(refusal, import_id, status=200)
    form = ConfirmForm(
        held_upns=[h.row.upn for h in plan.held],
        hand_set_upns=[u.row.upn for u in plan.hand_set_updates],
    )
    form.mark_leavers.label.text = (
        f"Mark these {len(plan.leavers)} pupils as left (leaving date {school_today():%d/%m/%Y})"
    )
    return render_template(
        "imports/preview.html",
        roll_import=roll_import,
        plan=plan,
        form=form,
        stale=plan.fingerprint != roll_import.roll_fingerprint,
        refresh_form=EmptyForm(),
        held_by_upn={h.row.upn: h for h in plan.held},
        hand_set_by_upn={u.row.upn: u for u in plan.hand_set_updates},
    )


@bp.route("/<import_id>/confirm", methods=["POST"])
@allow(Role.ADMIN)
@fresh_auth_required
def confirm(import_id: str) -> ResponseReturnValue:
    """Apply the stored preview in one transaction, once, if the roll has not changed."""
    roll_import = queries.get_import_or_404(import_id, user=current_user)
    try:
        services.check_open(roll_import)
        payload = roll_import.payload or {}
        form = ConfirmForm(
            held_upns=payload.get("held", []), hand_set_upns=payload.get("hand_set", [])
        )
        if not form.validate_on_submit():
            return _refused(
                services.ImportRefused("The form was not valid; preview again."),
                import_id,
                status=400,
            )
        summary = services.confirm_import(
            roll_import,
            mark_leavers=form.mark_leavers.data,
            moves=set(form.moves.data or ()),
            take_file=set(form.take_file.data or ()),
            by=current_user,
        )
    except services.ImportRefused as refusal:
        db.session.rollback()
        return _refused(refusal, import_id)
    except (StaleDataError, IntegrityError):
        # Someone changed a pupil between the fingerprint check and our write.
        db.session.rollback()
        return _refused(services.RollChanged(), import_id)
    db.session.commit()
    flash(f"Import complete: {summary.changes} change(s) made to the roll.", "success")
    return redirect(url_for("imports.preview", import_id=import_id))


@bp.route("/<import_id>/refresh", methods=["POST"])
@allow(Role.ADMIN)
def refresh(import_id: str) -> ResponseReturnValue:
    """Preview the same stored rows again against the roll as it is now."""
    roll_import = queries.get_import_or_404(import_id, user=current_user)
    form = EmptyForm()
    try:
        if not form.validate_on_submit():
            raise services.ImportRefused("The form expired; open the preview and try again.")
        fresh, _ = services.refresh_preview(roll_import, by=current_user)
    except services.ImportRefused as refusal:
        db.session.rollback()
        return _refused(refusal, import_id)
    db.session.commit()
    flash("Previewed again against the roll as it is now.", "info")
    return redirect(url_for("imports.preview", import_id=fresh.id))


def _refused(
    refusal: services.ImportRefused, import_id: str, status: int | None = None
) -> tuple[str, int]:
    page = render_template(
        "imports/refused.html",
        refusal=refusal,
        import_id=import_id,
        can_refresh=isinstance(refusal, services.RollChanged),
        refresh_form=EmptyForm(),
    )
    return page, status or refusal.status
