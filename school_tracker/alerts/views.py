"""The alerts page: a person's own alerts, marking them read, and opening their records."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from school_tracker.alerts import queries
from school_tracker.alerts.services import mark_all_read, mark_read
from school_tracker.alerts.targets import alert_target, may_see_record
from school_tracker.forms import EmptyForm
from school_tracker.permissions import EVERYONE, allow
from school_tracker.records.web import save_or_flash

bp = Blueprint("alerts", __name__)


@bp.route("/")
@allow(EVERYONE)
def index() -> ResponseReturnValue:
    """Unread alerts, then the most recent read ones, newest first."""
    return render_template(
        "alerts/index.html",
        unread=queries.unread_alerts(current_user),
        read=queries.read_alerts(current_user),
        read_shown=queries.READ_SHOWN,
        button_form=EmptyForm(),
    )


@bp.route("/<int:alert_id>/open")
@allow(EVERYONE)
def open_record(alert_id: int) -> ResponseReturnValue:
    """Go to the alert's record, asking its feature again whether this person may still see it.

    Someone taken off a flag since keeps the alert but no longer reaches the record (R21).
    """
    alert = queries.get_own_alert_or_404(alert_id, user=current_user)
    target = alert_target(alert.record_type)
    if (
        target is None
        or alert.record_id is None
        or not may_see_record(current_user, alert.record_type, alert.record_id)
    ):
        return render_template("alerts/gone.html", alert=alert), 404
    return redirect(target.url(alert.record_id))


@bp.route("/<int:alert_id>/read", methods=["POST"])
@allow(EVERYONE)
def read(alert_id: int) -> ResponseReturnValue:
    """Mark one alert read."""
    alert = queries.get_own_alert_or_404(alert_id, user=current_user)
    if not EmptyForm().validate_on_submit():
        flash("Your form expired. Please try again.", "danger")
    elif save_or_flash(lambda: mark_read(alert, by=current_user)) is not None:
        flash("Alert marked as read.", "success")
    return redirect(url_for("alerts.index"))


@bp.route("/read-all", methods=["POST"])
@allow(EVERYONE)
def read_all() -> ResponseReturnValue:
    """Mark every unread alert read."""
    if not EmptyForm().validate_on_submit():
        flash("Your form expired. Please try again.", "danger")
    elif save_or_flash(lambda: mark_all_read(current_user)) is not None:
        flash("All alerts marked as read.", "success")
    return redirect(url_for("alerts.index"))
