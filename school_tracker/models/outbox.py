"""The e-mail outbox: each message is written in the transaction that caused it (issue 14).

A sender (`flask send-mail`) claims a message with a conditional UPDATE before it talks to the
SMTP server, so two senders never deliver the same message, and a failure only moves the next
attempt later: a slow or absent mail server never touches the page that queued the message.
"""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from school_tracker.extensions import Model
from school_tracker.orm import UTCDateTime, enum_type, utcnow


class OutboxStatus(enum.Enum):
    PENDING = "pending"  # waiting for its next attempt
    SENDING = "sending"  # claimed by one sender
    SENT = "sent"
    FAILED = "failed"  # gave up after the last retry; kept so an operator can see it


class OutboxMessage(Model):
    """One e-mail to one person. It holds no pupil details: its text is built to be content-free."""

    __tablename__ = "outbox_messages"
    __table_args__ = (sa.Index("ix_outbox_messages_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    # At most one e-mail per alert, however the alert was raised. No foreign key: a sent
    # message's record should not stop an alert's table being rebuilt (migration 0013 rebuilds
    # it) or an alert being removed.
    alert_id: Mapped[int | None] = mapped_column(unique=True)
    to_address: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[OutboxStatus] = mapped_column(
        enum_type(OutboxStatus, "outbox_status"), default=OutboxStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The SMTP error's class and code only: never the message text.
    last_error: Mapped[str | None] = mapped_column(sa.String(200))
