"""The school's audit log, newest first."""

import sqlalchemy as sa
from flask import Blueprint, current_app, render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import selectinload

from school_tracker.auth.sessions import fresh_auth_required
from school_tracker.extensions import db
from school_tracker.models import AuditEntry
from school_tracker.permissions import LEADERS_AND_ADMINS, allow, current_school_id

bp = Blueprint("audit_log", __name__)


@bp.route("/")
@allow(LEADERS_AND_ADMINS)
@fresh_auth_required  # it lists who viewed which pupil (R15: the "who accessed" audit)
def index() -> ResponseReturnValue:
    """Who did what, when; content is never stored, so nothing sensitive shows here."""
    stmt = (
        sa.select(AuditEntry)
        .where(AuditEntry.school_id == current_school_id())
        .options(selectinload(AuditEntry.actor))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    )
    page = max(request.args.get("page", 1, type=int), 1)
    pagination = db.paginate(
        stmt, page=page, per_page=current_app.config["AUDIT_PER_PAGE"], error_out=False
    )
    return render_template("audit_log/index.html", pagination=pagination)
