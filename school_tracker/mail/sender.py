"""Sending the outbox: each message claimed once, retried with backoff, never sent twice.

A sender claims a message with a conditional UPDATE and commits the claim before it talks to
the SMTP server (as the roll import's confirm claims its import): of two senders only one
changes the row, so only one delivers it. A message whose server refused it is retried after
a growing delay; one left claimed by a sender that died is released after MAIL_CLAIM_MINUTES.
"""

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa
from flask import current_app
from flask_mailman import EmailMessage
from sqlalchemy.engine import CursorResult

from school_tracker.extensions import db
from school_tracker.mail import mail
from school_tracker.models import OutboxMessage, OutboxStatus
from school_tracker.orm import utcnow

log = logging.getLogger(__name__)


@dataclass
class SendSummary:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    # True when the SMTP server could not be reached: the pass stopped there.
    server_down: bool = False

    def count(self, status: OutboxStatus) -> None:
        self.failed += status is OutboxStatus.FAILED
        self.retrying += status is OutboxStatus.PENDING


def retry_delay(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failure: doubling from MAIL_RETRY_SECONDS, at most a day."""
    base = int(current_app.config["MAIL_RETRY_SECONDS"])
    return timedelta(seconds=min(base * 2 ** (attempts - 1), 24 * 3600))


def release_stale_claims(now: datetime) -> int:
    """Put back messages claimed by a sender that stopped before it finished; how many."""
    cutoff = now - timedelta(minutes=int(current_app.config["MAIL_CLAIM_MINUTES"]))
    result = cast(
        CursorResult[Any],
        db.session.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claimed_at < cutoff)
            .values(status=OutboxStatus.PENDING, claimed_at=None)
            .execution_options(synchronize_session=False)
        ),
    )
    db.session.commit()
    return int(result.rowcount)


@dataclass(frozen=True)
class ClaimedMessage:
    """What a sender needs to deliver a message, read inside the claim's transaction."""

    id: int
    to_address: str
    subject: str
    body: str


def claim(message_id: int, now: datetime) -> ClaimedMessage | None:
    """Claim one due message for this sender, committed at once; None if another has it.

    The transaction ends before any SMTP talk, so no database lock waits on a mail server.
    """
    # The conditional UPDATE is the lock: PostgreSQL makes a second sender wait for the first,
    # then re-checks the status and changes nothing; SQLite serialises the writers.
    result = cast(
        CursorResult[Any],
        db.session.execute(
            sa.update(OutboxMessage)
            .where(
                OutboxMessage.id == message_id,
                OutboxMessage.status == OutboxStatus.PENDING,
                OutboxMessage.next_attempt_at <= now,
            )
            .values(
                status=OutboxStatus.SENDING,
                claimed_at=now,
                attempts=OutboxMessage.attempts + 1,
            )
            .execution_options(synchronize_session=False)
        ),
    )
    claimed = None
    if int(result.rowcount) == 1:
        row = db.session.execute(
            sa.select(OutboxMessage.to_address, OutboxMessage.subject, OutboxMessage.body).where(
                OutboxMessage.id == message_id
            )
        ).one()
        claimed = ClaimedMessage(message_id, row.to_address, row.subject, row.body)
    db.session.commit()
    return claimed


def _due_ids(now: datetime, limit: int) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(OutboxMessage.id)
            .where(
                OutboxMessage.status == OutboxStatus.PENDING,
                OutboxMessage.next_attempt_at <= now,
            )
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
    )


def _error_label(error: OSError) -> str:
    # The class and SMTP code only: a server's reply may quote the address or the message.
    code = getattr(error, "smtp_code", None)
    return type(error).__name__ + (f" {code}" if code else "")


def _record_failure(message_id: int, error: OSError, now: datetime) -> OutboxStatus:
    message = db.session.get_one(OutboxMessage, message_id, populate_existing=True)
    message.last_error = _error_label(error)
    message.claimed_at = None
    if message.attempts >= int(current_app.config["MAIL_MAX_ATTEMPTS"]):
        message.status = OutboxStatus.FAILED
        log.error("mail.failed", extra={"outbox_id": message.id, "error": message.last_error})
    else:
        message.status = OutboxStatus.PENDING
        message.next_attempt_at = now + retry_delay(message.attempts)
    status = message.status
    db.session.commit()
    return status


def _record_sent(message_id: int) -> None:
    message = db.session.get_one(OutboxMessage, message_id, populate_existing=True)
    message.status = OutboxStatus.SENT
    message.sent_at = utcnow()
    message.claimed_at = None
    db.session.commit()


def _close_quietly(connection: Any) -> None:
    # Closing a connection the server already dropped must not hide the result of the pass.
    try:
        connection.close()
    except OSError:
        log.info("mail.close_failed")


def send_due_messages(now: datetime | None = None, limit: int = 200) -> SendSummary:
    """One pass: deliver each due message this sender can claim, oldest first."""
    now = now or utcnow()
    summary = SendSummary()
    release_stale_claims(now)
    due = _due_ids(now, limit)
    db.session.commit()
    connection = mail.get_connection(fail_silently=False)
    try:
        for message_id in due:
            message = claim(message_id, now)
            if message is None:
                continue
            try:
                connection.open()
                EmailMessage(
                    subject=message.subject,
                    body=message.body,
                    to=[message.to_address],
                    connection=connection,
                ).send()
            except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused) as error:
                # The server answered and refused this one message: the others may still go.
                summary.count(_record_failure(message.id, error, now))
                _close_quietly(connection)
                continue
            except OSError as error:
                # No server (refused, timed out, dropped): stop; the rest wait for the next pass.
                summary.count(_record_failure(message.id, error, now))
                summary.server_down = True
                break
            _record_sent(message.id)
            summary.sent += 1
    finally:
        _close_quietly(connection)
    return summary
