"""Self-service password reset (and first-password activation) by e-mail (issue 14 item 4).

A reset link carries a one-time token. It is stored as an activation code (only its SHA-256,
valid for an hour, used once), so the admin's activation codes and the e-mailed links share
one rule, and a new one replaces any unused earlier one. Asking for a link says the same
whether or not the address has an account, and nothing is sent for an unknown address.
"""

import hashlib
import secrets
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult

from school_tracker.audit import record_audit
from school_tracker.auth.services import (
    ACTIVATION_LIFETIME,
    ActivationError,
    find_user_by_email,
    set_password,
)
from school_tracker.extensions import db
from school_tracker.mail import mail_is_on
from school_tracker.mail.content import MessageText, site_link
from school_tracker.mail.outbox import queue_email
from school_tracker.models import ActivationCode, User
from school_tracker.orm import utcnow
from school_tracker.web.logging_setup import log_security_event

RESET_SUBJECT = "School tracker: set your password"


def _digest(token: str) -> str:
    # The same SHA-256 the admin's activation codes are stored under.
    return hashlib.sha256(token.encode()).hexdigest()


def _reset_message(token: str) -> MessageText:
    link = site_link("auth.password_reset_with_token", token=token)
    body = (
        "Someone asked to set the password of the school tracker account at this address.\n\n"
        f"Set it here within the hour (the link works once): {link}\n\n"
        "If it was not you, ignore this e-mail: your password stays as it is.\n"
    )
    return MessageText(subject=RESET_SUBJECT, body=body)


def request_password_reset(email: str) -> None:
    """Queue a reset link for an active account with this address; do nothing otherwise.

    The caller shows the same page either way, so the answer tells no one who has an account.
    """
    user = find_user_by_email(email)
    if user is None or not user.active or not mail_is_on():
        log_security_event("password_reset_refused", "failure", "unknown or inactive address")
        return
    now = utcnow()
    for earlier in db.session.scalars(
        sa.select(ActivationCode).where(
            ActivationCode.user_id == user.id, ActivationCode.used_at.is_(None)
        )
    ):
        earlier.used_at = now
    token = secrets.token_urlsafe(32)  # 256 bits from the OS CSPRNG; only its hash is kept
    db.session.add(
        ActivationCode(
            user_id=user.id, code_hash=_digest(token), expires_at=now + ACTIVATION_LIFETIME
        )
    )
    queue_email(user, _reset_message(token))
    record_audit(user, "password_reset_requested", "user", user.id, school_id=user.school_id)


def user_for_token(token: str) -> User | None:
    """The active account a usable (unused, unexpired) token belongs to, or None."""
    row = db.session.scalar(
        sa.select(ActivationCode).where(ActivationCode.code_hash == _digest(token))
    )
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        return None
    user = db.session.get(User, row.user_id)
    return user if user is not None and user.active else None


def reset_password(token: str, password: str) -> User:
    """Use a token once to set a new password: every session ends and a security alert is
    raised (by set_password). Raises ActivationError or PasswordPolicyError.

    The token is claimed with a conditional UPDATE, so of two uses at once only one succeeds;
    a refused password rolls the claim back with everything else (the caller rolls back).
    """
    user = user_for_token(token)
    now = utcnow()
    claimed = cast(
        CursorResult[Any],
        db.session.execute(
            sa.update(ActivationCode)
            .where(
                ActivationCode.code_hash == _digest(token),
                ActivationCode.used_at.is_(None),
                ActivationCode.expires_at > now,
            )
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        ),
    ).rowcount
    if user is None or claimed != 1:
        log_security_event("password_reset_refused", "failure", "unusable token")
        raise ActivationError("This link is not valid. Links work once, for an hour.")
    set_password(user, password, by=user)
    return user
