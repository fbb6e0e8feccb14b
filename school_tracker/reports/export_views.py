"""Leaders' named downloads on /reports: the records export, a pupil's file, transfer packs.

Each workbook is built into a SpooledTemporaryFile rather than a BytesIO: small files stay
in memory, and anything over SPOOL_BYTES moves to a temporary file on disk, so a large
export never holds the whole file in the worker's memory (openpyxl's write-only mode
already keeps the rows themselves out of memory while it builds).
"""

from collections.abc import Callable
from io import BytesIO
from tempfile import SpooledTemporaryFile
from typing import IO

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.wrappers import Response

from school_tracker.auth.sessions import fresh_auth_required
from school_tracker.calendar.terms import TermKeyError
from school_tracker.extensions import db
from school_tracker.forms import EmptyForm, required_data
from school_tracker.models import Pupil, Role, School
from school_tracker.permissions import allow, current_school_id
from school_tracker.records.pupils import get_pupil_or_404
from school_tracker.reports.named.export import export_named_records
from school_tracker.reports.subject_access import transfer
from school_tracker.reports.subject_access.export import (
    SUBJECT_ACCESS,
    TRANSFER,
    export_pupil_file,
)
from school_tracker.reports.views import bp, export_limit
from school_tracker.reports.xlsx import workbook_response

SPOOL_BYTES = 8 * 1024 * 1024


def _spooled(build: Callable[[IO[bytes]], str]) -> Response:
    """Build a workbook into a spooled file, commit (the audit), and send it."""
    buffer = SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - the response closes it
    try:
        filename = build(buffer)
        db.session.commit()  # the audit row; a busy database refuses the file, which is closed
    except BaseException:
        buffer.close()
        raise
    size = buffer.tell()
    stream: IO[bytes] = buffer
    if size <= SPOOL_BYTES:
        # Still in memory: hand over plain bytes so nothing stays open if a client never
        # closes the response. A bigger file streams from disk; the WSGI server closes it.
        buffer.seek(0)
        stream = BytesIO(buffer.read())
        buffer.close()
    response = workbook_response(stream, filename)
    response.content_length = size
    return response


@bp.context_processor
def _leaver_links() -> dict:
    """Recent leavers for the transfer links on the reports page (leaders only)."""
    if not current_user.is_authenticated or current_user.role is not Role.LEADER:
        return {"recent_leavers": []}
    return {"recent_leavers": transfer.recent_leavers(current_school_id())}


@bp.route("/named.xlsx")
@allow(Role.LEADER)
@fresh_auth_required
@export_limit
def named_export() -> ResponseReturnValue:
    """Every named record of the school for a term or its academic year (confidential)."""
    school = db.session.get_one(School, current_school_id())
    whole_year = request.args.get("whole_year") == "1"
    term_key = request.args.get("term", "")
    try:
        return _spooled(
            lambda out: (
                export_named_records(
                    [school], term_key, whole_year, by=current_user, out=out
                ).filename
            )
        )
    except TermKeyError:
        abort(400)


@bp.route("/pupils/<int:pupil_id>/subject-access.xlsx")
@allow(Role.LEADER)
@fresh_auth_required
@export_limit
def subject_access(pupil_id: int) -> ResponseReturnValue:
    """Everything held about one pupil of the school, for a subject access request."""
    pupil = get_pupil_or_404(pupil_id, user=current_user)
    return _spooled(lambda out: export_pupil_file(pupil, SUBJECT_ACCESS, by=current_user, out=out))


def _transfer_page(pupil: Pupil, form: transfer.TransferForm) -> str:
    return render_template(
        "reports/transfer.html",
        pupil=pupil,
        form=form,
        receipt_form=EmptyForm(),
        transfers=transfer.transfers_for(pupil.school_id, pupil.id),
    )


@bp.route("/pupils/<int:pupil_id>/transfer")
@allow(Role.LEADER)
def transfer_page(pupil_id: int) -> ResponseReturnValue:
    """The transfer form for a leaver, and every pack sent so far with its receipt."""
    pupil = get_pupil_or_404(pupil_id, user=current_user)
    return _transfer_page(pupil, transfer.TransferForm())


@bp.route("/pupils/<int:pupil_id>/transfer", methods=["POST"])
@allow(Role.LEADER)
@fresh_auth_required
@export_limit
def create_transfer(pupil_id: int) -> ResponseReturnValue:
    """Record the transfer and download the pack for the receiving school's DSL."""
    pupil = get_pupil_or_404(pupil_id, user=current_user)
    form = transfer.TransferForm()
    if not form.validate_on_submit():
        return _transfer_page(pupil, form)
    record = transfer.record_transfer(pupil, required_data(form.sent_to.data), by=current_user)
    return _spooled(
        lambda out: export_pupil_file(
            pupil, TRANSFER, by=current_user, out=out, entity_id=record.id
        )
    )


@bp.route("/transfers/<int:transfer_id>/received", methods=["POST"])
@allow(Role.LEADER)
def transfer_received(transfer_id: int) -> ResponseReturnValue:
    """The receiving school confirmed it has the pack."""
    record = transfer.get_transfer_or_404(transfer_id, user=current_user)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if transfer.confirm_receipt(record, by=current_user):
        flash("Receipt recorded.", "success")
    else:
        flash("Receipt had already been recorded.", "info")
    db.session.commit()
    return redirect(url_for("reports.transfer_page", pupil_id=record.pupil_id))
