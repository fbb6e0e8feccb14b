"""Helpers for the alert tests: read back who was alerted about what (detached tuples)."""

import sqlalchemy as sa

from school_tracker.extensions import db
from school_tracker.models import Alert, AlertKind


def alerts_of(
    app, kind: AlertKind | None = None
) -> list[tuple[int, AlertKind, str | None, int | None]]:
    """Every alert (of a kind) as (recipient id, kind, record type, record id), in id order."""
    with app.app_context():
        stmt = sa.select(Alert).order_by(Alert.id)
        if kind is not None:
            stmt = stmt.where(Alert.kind == kind)
        rows = [
            (a.recipient_id, a.kind, a.record_type, a.record_id) for a in db.session.scalars(stmt)
        ]
        db.session.remove()
    return rows


def recipients(app, kind: AlertKind) -> list[int]:
    """The ids of everyone alerted of a kind, in the order they were alerted."""
    return [row[0] for row in alerts_of(app, kind)]
