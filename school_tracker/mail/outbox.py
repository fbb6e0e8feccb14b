"""Queueing e-mails: an outbox row written in the caller's transaction, sent later by a sender.

Because the row commits (or rolls back) with the alert and the record that caused it, an
e-mail exists exactly when its alert does, and the page never waits for an SMTP server.
"""

from school_tracker.extensions import db
from school_tracker.mail import mail_is_on
from school_tracker.mail.content import MessageText, alert_message
from school_tracker.models import Alert, EmailAlerts, OutboxMessage, User


def queue_email(recipient: User, text: MessageText, *, alert: Alert | None = None) -> OutboxMessage:
    """Add one message for `recipient` to the outbox; the caller commits."""
    message = OutboxMessage(
        recipient_id=recipient.id,
        alert_id=alert.id if alert is not None else None,
        to_address=recipient.email,
        subject=text.subject,
        body=text.body,
    )
    db.session.add(message)
    return message


def email_choice(alert: Alert) -> EmailAlerts:
    """How this alert reaches its recipient: as they chose, but account security always at once."""
    if alert.kind.is_account_security:
        return EmailAlerts.IMMEDIATE
    return alert.recipient.email_alerts


def queue_alert_email(alert: Alert) -> OutboxMessage | None:
    """Queue the e-mail for a just-raised (flushed) alert, as its recipient chose.

    None when nothing is sent now: e-mail is off, the alert waits for the recipient's daily
    digest (mail/digest.py), or they chose no e-mail. The in-app alert is there either way.
    """
    if not mail_is_on():
        return None
    choice = email_choice(alert)
    if choice is EmailAlerts.DIGEST:
        alert.awaits_digest = True
    if choice is not EmailAlerts.IMMEDIATE:
        return None
    return queue_email(alert.recipient, alert_message(alert), alert=alert)
