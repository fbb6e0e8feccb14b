"""The daily digest: for those who chose it, one e-mail a school day counting their alerts.

An alert whose recipient chose a digest waits (`Alert.awaits_digest`) instead of being
e-mailed. Each school day at MAIL_DIGEST_TIME, Europe/London, the worker gathers every alert
still waiting that was raised before that moment, and makes one `AlertDigest` row and one
outbox message per person. The row is unique per person and day and is inserted before
anything else changes, so a second worker (or the same one after a restart) makes nothing
more for that day. An alert raised after the digest time waits for the next day's.
"""

import logging
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app, render_template
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from school_tracker.calendar.terms import LONDON
from school_tracker.extensions import db
from school_tracker.mail.content import MessageText, organisation_name, site_link
from school_tracker.mail.outbox import queue_email
from school_tracker.models import Alert, AlertDigest, EmailAlerts, User

log = logging.getLogger(__name__)


def digest_time() -> time:
    """MAIL_DIGEST_TIME ("HH:MM", school time) as a time of day."""
    return time.fromisoformat(str(current_app.config["MAIL_DIGEST_TIME"]))


def digest_moment(day: date) -> datetime:
    """When `day`'s digest is due, in UTC: the digest time on the London clock that day.

    Built from the London wall clock, so it is 06:00 UTC in summer time and 07:00 UTC in
    winter for a 07:00 setting, on the days the clocks change as on any other.
    """
    return datetime.combine(day, digest_time(), tzinfo=LONDON).astimezone(UTC)


def latest_digest_day(now: datetime) -> date:
    """The most recent school day whose digest time has come by `now`."""
    today = now.astimezone(LONDON).date()
    return today if now >= digest_moment(today) else today - timedelta(days=1)


def make_digests(day: date) -> int:
    """Queue `day`'s digest for everyone with alerts waiting from before its time; how many.

    Safe to run again, or in two workers at once: each person gets one digest a day. The
    caller commits.
    """
    cutoff = digest_moment(day)
    recipients = db.session.scalars(
        sa.select(Alert.recipient_id)
        .where(Alert.awaits_digest.is_(True), Alert.created_at < cutoff)
        .distinct()
        .order_by(Alert.recipient_id)
    ).all()
    made = 0
    for recipient_id in recipients:
        made += _make_digest(db.session.get_one(User, recipient_id), day, cutoff)
    return made


def _make_digest(recipient: User, day: date, cutoff: datetime) -> bool:
    alerts = db.session.scalars(
        sa.select(Alert)
        .where(
            Alert.recipient_id == recipient.id,
            Alert.awaits_digest.is_(True),
            Alert.created_at < cutoff,
        )
        .order_by(Alert.created_at, Alert.id)
        .options(selectinload(Alert.raised_by))
    ).all()
    if not alerts or not _claim_day(recipient, day, len(alerts)):
        return False
    for alert in alerts:
        alert.awaits_digest = False
    # Someone deactivated, or who has since chosen no e-mail, is not written to; their waiting
    # alerts are settled all the same, so they never arrive in a later digest.
    if not recipient.active or recipient.email_alerts is EmailAlerts.NONE:
        return False
    queue_email(recipient, digest_message(recipient, list(alerts)))
    return True


def _claim_day(recipient: User, day: date, alert_count: int) -> bool:
    """Insert the person's digest row for `day`; False when another run already has."""
    try:
        with db.session.begin_nested():
            db.session.add(
                AlertDigest(
                    recipient_id=recipient.id,
                    school_id=recipient.school_id,
                    digest_day=day,
                    alert_count=alert_count,
                )
            )
    except IntegrityError:
        log.info("mail.digest_already_made", extra={"recipient_id": recipient.id})
        return False
    return True


def digest_message(recipient: User, alerts: list[Alert]) -> MessageText:
    """Counts by kind of alert and who raised them; never which record, let alone a pupil."""
    counts = Counter(alert.kind for alert in alerts)
    raisers = sorted({alert.raised_by.full_name for alert in alerts if alert.raised_by})
    total = len(alerts)
    body = render_template(
        "mail/digest.txt",
        counts=[(kind.label, counts[kind]) for kind in sorted(counts, key=lambda k: k.label)],
        raised_by=raisers,
        from_daily_check=any(alert.raised_by is None for alert in alerts),
        organisation=organisation_name(recipient),
        alerts_link=site_link("alerts.index"),
    )
    noun = "alert" if total == 1 else "alerts"
    return MessageText(subject=f"School tracker: your daily summary ({total} {noun})", body=body)
