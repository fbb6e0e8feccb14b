"""Signed-in people: staff, leaders, governors, admins and trust leaders."""

import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from school_tracker.extensions import Model
from school_tracker.models.labelled import LabelledEnum
from school_tracker.models.school import School, Trust
from school_tracker.orm import UTCDateTime, enum_type, utcnow


class Role(LabelledEnum):
    """What a user may do; one role per user (docs/design.md section 3)."""

    STAFF = "staff"
    LEADER = "leader"
    GOVERNOR = "governor"
    ADMIN = "admin"
    TRUST_LEADER = "trust_leader"


class EmailAlerts(LabelledEnum):
    """How a person's alerts reach them by e-mail; account security alerts always go at once."""

    IMMEDIATE = "immediate"
    DIGEST = "digest"
    NONE = "none"

    @property
    def label(self) -> str:
        return EMAIL_ALERTS_LABELS[self]


EMAIL_ALERTS_LABELS = {
    EmailAlerts.IMMEDIATE: "An e-mail for each alert, as it happens",
    EmailAlerts.DIGEST: "One summary e-mail a day",
    EmailAlerts.NONE: "No e-mails except about my account's security",
}


def new_session_token() -> str:
    """A fresh random token; changing it ends every session of the user."""
    return secrets.token_urlsafe(24)


class User(UserMixin, Model):
    """A person who signs in. Never deleted: deactivated, so authorship stays readable."""

    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint(
            "role = 'trust_leader' OR school_id IS NOT NULL", name="school_unless_trust_leader"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trust_id: Mapped[int] = mapped_column(sa.ForeignKey("trusts.id"), index=True)
    school_id: Mapped[int | None] = mapped_column(sa.ForeignKey("schools.id"), index=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(120))
    role: Mapped[Role] = mapped_column(enum_type(Role, "role"))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    active: Mapped[bool] = mapped_column(default=True)
    session_token: Mapped[str] = mapped_column(sa.String(64), default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # TOTP seed encrypted with a key derived from SECRET_KEY; the last accepted time step
    # makes every code single-use (ASVS 6.5.1).
    totp_secret_encrypted: Mapped[str | None] = mapped_column(sa.String(255))
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    # Chosen on the person's own account page; immediate until they choose otherwise.
    email_alerts: Mapped[EmailAlerts] = mapped_column(
        enum_type(EmailAlerts, "email_alerts"),
        default=EmailAlerts.IMMEDIATE,
        server_default=EmailAlerts.IMMEDIATE.value,
    )

    school: Mapped[School | None] = relationship()
    trust: Mapped[Trust] = relationship()

    def get_id(self) -> str:
        # Flask-Login "alternative tokens": the cookie names the token too, so rotating the
        # token (logout, password change, deactivation) ends every copy of every session.
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def has_two_factor(self) -> bool:
        return self.totp_secret_encrypted is not None

    def end_all_sessions(self) -> None:
        """Invalidate every session cookie issued to this user."""
        self.session_token = new_session_token()


class ActivationCode(Model):
    """A one-time code an admin passes to a new user to set their first password.

    Only its SHA-256 is stored; it expires after an hour and works once (ASVS 6.4.1).
    """

    __tablename__ = "activation_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
