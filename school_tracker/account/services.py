"""Changing one's own credentials (each needs the current password) and e-mail choice; audited."""

from school_tracker.alerts.services import raise_alert
from school_tracker.audit import record_audit
from school_tracker.auth import totp
from school_tracker.auth.passwords import verify_password
from school_tracker.auth.services import set_password
from school_tracker.extensions import db
from school_tracker.models import AlertKind, EmailAlerts, User


class CredentialError(ValueError):
    """A refused change; `field` names the form field to show the message beside."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


def _check_password(user: User, password: str) -> None:
    """Refuse unless `password` is the user's current one; call it before changing anything.

    As at sign-in (auth.services.authenticate), the slow argon2 check runs outside any
    transaction: on SQLite this POST took the write lock with its first query, and holding it
    through the hash would queue every other writer behind it. Nothing has been written when
    the transaction ends; the user is read again afterwards, and a hash that changed meanwhile
    (a password change in another tab) is a refusal.
    """
    stored_hash = user.password_hash
    db.session.rollback()
    if not verify_password(stored_hash, password) or user.password_hash != stored_hash:
        raise CredentialError("That is not your current password.", "current")


def change_password(user: User, current: str, new: str) -> None:
    """Set a new password (policy checked) and end every other session."""
    _check_password(user, current)
    set_password(user, new, by=user)  # raises PasswordPolicyError


def enrol_two_factor(user: User, secret: str, current: str, code: str) -> None:
    """Store an encrypted seed once the user proves the app shows the right codes."""
    _check_password(user, current)
    step = totp.matching_step(secret, code, after_step=None)
    if step is None:
        raise CredentialError(
            "That code doesn't match. Check the app's clock and try again.", "code"
        )
    user.totp_secret_encrypted = totp.encrypt_secret(secret)
    user.totp_last_step = step
    record_audit(user, "mfa_enrolled", "user", user.id)
    raise_alert(user, AlertKind.TWO_FACTOR_ON, by=user)


def remove_two_factor(user: User, current: str, code: str, *, required: bool) -> None:
    """Turn two-factor off, unless the user's role requires it."""
    if required:
        raise CredentialError("Your role requires two-factor sign-in.", "code")
    _check_password(user, current)
    if not totp.verify_user_code(user, code):
        raise CredentialError("That code is not right, or was already used.", "code")
    user.totp_secret_encrypted = None
    user.totp_last_step = None
    user.end_all_sessions()
    record_audit(user, "mfa_removed", "user", user.id)
    raise_alert(user, AlertKind.TWO_FACTOR_OFF, by=user)


def reconfirm(user: User, current: str, code: str | None) -> None:
    """Check the password, and the code too when the user has two-factor."""
    _check_password(user, current)
    if user.has_two_factor and not totp.verify_user_code(user, code or ""):
        raise CredentialError("That code is not right, or was already used.", "code")
    record_audit(user, "reauthenticated", "user", user.id)


def choose_email_alerts(user: User, choice: EmailAlerts) -> bool:
    """Set how the person's own alerts reach them by e-mail; False if it was already so.

    Alerts already waiting for a digest still arrive in the next one, unless the choice is
    now no e-mail (mail/digest.py).
    """
    if user.email_alerts is choice:
        return False
    before = user.email_alerts
    user.email_alerts = choice
    record_audit(
        user,
        "email_alerts_changed",
        "user",
        user.id,
        changes={"email_alerts": [before.value, choice.value]},
    )
    return True
