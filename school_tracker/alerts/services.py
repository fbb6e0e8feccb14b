"""Raising alerts and marking them read; each change is in the caller's transaction.

The feature service that causes an alert calls `raise_alert` before its caller commits, so
the alert (and, through the outbox, its e-mail) exists exactly when the record does.
"""

from datetime import date, datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError

from school_tracker.alerts.targets import due_checks, may_see_record
from school_tracker.extensions import db
from school_tracker.mail.outbox import queue_alert_email
from school_tracker.models import User
from school_tracker.models.alert import Alert, AlertKind
from school_tracker.orm import utcnow


def _already_raised(
    recipient: User,
    kind: AlertKind,
    record_type: str | None,
    record_id: int | None,
    due_on: date | None,
) -> bool:
    return (
        db.session.scalar(
            sa.select(Alert.id)
            .where(
                Alert.recipient_id == recipient.id,
                Alert.kind == kind,
                Alert.record_type == record_type,
                Alert.record_id == record_id,
                Alert.due_on.is_(None) if due_on is None else Alert.due_on == due_on,
            )
            .limit(1)
        )
        is not None
    )


def raise_alert(
    recipient: User,
    kind: AlertKind,
    *,
    by: User | None,
    record_type: str | None = None,
    record_id: int | None = None,
    due_on: date | None = None,
) -> Alert | None:
    """Alert `recipient` once about `kind` (on a record, for a due date); None if not raised.

    Not raised: to a deactivated account; to the person who did it themselves (except a change
    to their own sign-in, which they should see whoever made it); to someone who may not see
    the record; or a second time for the same record (and due date).
    """
    if not recipient.active:
        return None
    if by is not None and by.id == recipient.id and not kind.is_account_security:
        return None
    if not may_see_record(recipient, record_type, record_id):
        return None
    if record_type is not None and _already_raised(recipient, kind, record_type, record_id, due_on):
        return None
    alert = Alert(
        recipient_id=recipient.id,
        recipient=recipient,
        school_id=recipient.school_id,
        kind=kind,
        raised_by_id=by.id if by else None,
        record_type=record_type,
        record_id=record_id,
        due_on=due_on,
    )
    if due_on is None:
        db.session.add(alert)
        db.session.flush()
    elif not _added_once(alert):
        return None
    queue_alert_email(alert)  # in the same transaction as the alert (issue 14 item 3)
    return alert


def _added_once(alert: Alert) -> bool:
    """Add a dated alert unless a concurrent daily run just added the same one.

    The unique constraint keeps one; the loser's savepoint rolls back, not its transaction.
    """
    try:
        with db.session.begin_nested():
            db.session.add(alert)
    except IntegrityError:
        return False
    return True


def raise_due_alerts(today: date) -> int:
    """Raise every alert falling due by `today` (reviews overdue, follow-ups due); how many new.

    Idempotent: a record's alert for one due date is made once however often this runs, and
    a new due date (the review moved on) makes a new one. The caller commits.
    """
    raised = 0
    for check in due_checks():
        for due in check(today):
            alert = raise_alert(
                due.recipient,
                due.kind,
                by=None,
                record_type=due.record_type,
                record_id=due.record_id,
                due_on=due.due_on,
            )
            raised += alert is not None
    return raised


def mark_read(alert: Alert, *, by: User, now: datetime | None = None) -> Alert:
    """Mark one of the person's own alerts read (reading it again changes nothing)."""
    if alert.recipient_id != by.id:
        raise PermissionError("An alert is marked read only by the person it was for.")
    if alert.read_at is None:
        alert.read_at = now or utcnow()
    return alert


def mark_all_read(user: User, *, now: datetime | None = None) -> int:
    """Mark all the person's unread alerts read in one statement; how many were unread."""
    # A core UPDATE gives a CursorResult; SQLAlchemy 2.1 types Session.execute as Result.
    result = cast(
        CursorResult[Any],
        db.session.execute(
            sa.update(Alert)
            .where(Alert.recipient_id == user.id, Alert.read_at.is_(None))
            .values(read_at=now or utcnow())
        ),
    )
    return int(result.rowcount)
