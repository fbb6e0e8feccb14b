"""Reading a person's own alerts: nobody reads another's, whatever their role or school."""

from dataclasses import dataclass

import sqlalchemy as sa
from flask import abort, g
from flask_login import current_user
from sqlalchemy.orm import selectinload

from school_tracker.alerts.targets import alert_target
from school_tracker.extensions import db
from school_tracker.models import Alert, User

# Read alerts shown under the unread ones; older ones stay in the database, not on the page.
READ_SHOWN = 50


@dataclass(frozen=True)
class AlertRow:
    """One line of the alerts page: the alert and what its link is called (None: no record)."""

    alert: Alert
    record_noun: str | None


def _rows(stmt: sa.Select[Alert]) -> list[AlertRow]:
    alerts = db.session.scalars(stmt.options(selectinload(Alert.raised_by)))
    rows = []
    for alert in alerts:
        target = alert_target(alert.record_type)
        rows.append(AlertRow(alert, target.noun if target else None))
    return rows


def unread_alerts(user: User) -> list[AlertRow]:
    """Every unread alert of this person, newest first."""
    return _rows(
        sa.select(Alert)
        .where(Alert.recipient_id == user.id, Alert.read_at.is_(None))
        .order_by(Alert.created_at.desc(), Alert.id.desc())
    )


def read_alerts(user: User, limit: int = READ_SHOWN) -> list[AlertRow]:
    """This person's most recent read alerts, newest first."""
    return _rows(
        sa.select(Alert)
        .where(Alert.recipient_id == user.id, Alert.read_at.is_not(None))
        .order_by(Alert.created_at.desc(), Alert.id.desc())
        .limit(limit)
    )


def get_own_alert_or_404(alert_id: int, *, user: User) -> Alert:
    """One of this person's own alerts; anyone else's (any school, any role) is a 404."""
    alert = db.session.scalar(
        sa.select(Alert).where(Alert.id == alert_id, Alert.recipient_id == user.id)
    )
    if alert is None:
        abort(404)
    return alert


def unread_alert_count() -> int:
    """The signed-in person's unread alerts, for the navigation: one indexed COUNT a request."""
    if not current_user.is_authenticated:
        return 0
    if "unread_alert_count" not in g:
        g.unread_alert_count = (
            db.session.scalar(
                sa.select(sa.func.count(Alert.id)).where(
                    Alert.recipient_id == current_user.id, Alert.read_at.is_(None)
                )
            )
            or 0
        )
    count: int = g.unread_alert_count
    return count
