"""Authentication work: checking credentials, ending sessions, activation codes."""

import hashlib
import logging
import secrets
from datetime import timedelta

import sqlalchemy as sa

from school_tracker.alerts.services import raise_alert
from school_tracker.audit import record_audit
from school_tracker.auth.passwords import (
    check_password_policy,
    hash_password,
    needs_rehash,
    verify_password,
)
from school_tracker.extensions import db
from school_tracker.models import ActivationCode, AlertKind, User
from school_tracker.orm import utcnow
from school_tracker.web.logging_setup import log_security_event

log = logging.getLogger(__name__)
ACTIVATION_LIFETIME = timedelta(minutes=60)


class ActivationError(ValueError):
    """An activation code that is wrong, used or expired (one message for all three)."""


def normalise_email(email: str) -> str:
    """E-mail addresses compare case-insensitively."""
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    """The user with this address, active or not."""
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None; costs the same either way.

    The argon2 check is deliberately slow, so it runs outside any transaction: on SQLite a
    sign-in POST takes the write lock with its first query (BEGIN IMMEDIATE), and holding it
    through the hash queued every other writer behind each sign-in until some waited past
    the busy timeout ("database is locked") when many people signed in at once. Nothing has
    been written when the look-up's transaction is ended; the user is read again afterwards,
    and a hash that changed meanwhile (a password change racing the sign-in) is a refusal.
    """
    user = find_user_by_email(email)
    stored_hash, user_id = (user.password_hash, user.id) if user else (None, None)
    db.session.rollback()
    ok = verify_password(stored_hash, password)
    # A rehash for changed parameters is as slow, so it is made before the next transaction.
    rehash = ok and stored_hash is not None and needs_rehash(stored_hash)
    new_hash = hash_password(password) if rehash else None
    user = db.session.get(User, user_id) if user_id is not None else None
    ok = ok and user is not None and user.password_hash == stored_hash
    if not ok or user is None or not user.active:
        record_audit(
            None,
            "login_failed",
            "user",
            user.id if user else None,
            school_id=user.school_id if user else None,
        )
        return None
    if new_hash is not None:
        user.password_hash = new_hash
    return user


def complete_login(user: User) -> None:
    """Every factor passed: stamp and audit the sign-in."""
    user.last_login_at = utcnow()
    record_audit(user, "login", "user", user.id)


def record_failed_second_factor(user: User) -> None:
    """A wrong or replayed one-time code."""
    record_audit(None, "mfa_failed", "user", user.id, school_id=user.school_id)


def sign_out_everywhere(user: User, *, by: User, action: str = "logout") -> None:
    """Rotate the user's session token so every copy of every session stops working."""
    user.end_all_sessions()
    record_audit(by, action, "user", user.id, school_id=user.school_id)


def context_words(user: User) -> list[str]:
    """Words a password must not be built from: the person, their school and trust."""
    words = [user.full_name, *user.full_name.split(), user.email, user.email.split("@")[0]]
    if user.school is not None:
        words += [user.school.name, user.school.slug]
    if user.trust is not None:
        words.append(user.trust.name)
    return words


def set_password(user: User, password: str, *, by: User | None) -> None:
    """Check the policy, store a new hash and end every existing session."""
    check_password_policy(
        password, context_words=context_words(user), user_id=user.id, school_id=user.school_id
    )
    user.password_hash = hash_password(password)
    user.end_all_sessions()
    record_audit(by or user, "password_set", "user", user.id, school_id=user.school_id)
    raise_alert(user, AlertKind.PASSWORD_CHANGED, by=by or user)


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def issue_activation_code(user: User, *, by: User | None) -> str:
    """A new one-time code for the user; earlier unused codes stop working."""
    now = utcnow()
    for old in db.session.scalars(
        sa.select(ActivationCode).where(
            ActivationCode.user_id == user.id, ActivationCode.used_at.is_(None)
        )
    ):
        old.used_at = now
    code = secrets.token_urlsafe(16)  # 128 bits from the OS CSPRNG
    db.session.add(
        ActivationCode(
            user_id=user.id, code_hash=_digest(code), expires_at=now + ACTIVATION_LIFETIME
        )
    )
    record_audit(by, "activation_code_issued", "user", user.id, school_id=user.school_id)
    return code


def activate(email: str, code: str, password: str) -> User:
    """Use a one-time code to set a password; raises ActivationError or PasswordPolicyError."""
    user = find_user_by_email(email)
    row = db.session.scalar(
        sa.select(ActivationCode).where(ActivationCode.code_hash == _digest(code.strip()))
    )
    if (
        user is None
        or not user.active
        or row is None
        or row.user_id != user.id
        or row.used_at is not None
        or row.expires_at <= utcnow()
    ):
        log_security_event("activation_refused", "failure", f"user {user.id if user else '-'}")
        raise ActivationError("That code is not valid. Codes work once, for an hour.")
    set_password(user, password, by=user)
    row.used_at = utcnow()
    return user
