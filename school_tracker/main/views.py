"""Home page and health check."""

from flask import Blueprint, jsonify, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from school_tracker.extensions import db
from school_tracker.main import queries
from school_tracker.permissions import EVERYONE, allow
from school_tracker.records.timeline import home_panels

bp = Blueprint("main", __name__)


@bp.route("/")
@allow(EVERYONE)
def home() -> ResponseReturnValue:
    """What this person can do here, with the school's headline numbers."""
    summary = queries.home_summary(current_user)
    panels = home_panels(current_user)
    return render_template("main/home.html", summary=summary, panels=panels)


@bp.route("/healthz")
def healthz() -> ResponseReturnValue:
    """200 {"status": "ok"} after a real database round trip; 503 otherwise, no internals."""
    try:
        db.session.execute(text("SELECT 1")).scalar_one()
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok")
