"""In-app alerts: a short note to one person that something concerns them (issue 14).

An alert names only its kind, who raised it and which record it points at (by type and id):
never a pupil's name or any record text, so the list and its e-mail stay content-free.
"""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from school_tracker.extensions import Model
from school_tracker.models.labelled import LabelledEnum
from school_tracker.models.user import User
from school_tracker.orm import UTCDateTime, enum_type, utcnow


class AlertKind(LabelledEnum):
    """Why someone was alerted; the label is all the alert (and its e-mail) says."""

    FLAG_NAMED = "flag_named"
    FLAG_ACTION = "flag_action"
    FLAG_REVIEW_OVERDUE = "flag_review_overdue"
    INTERVENTION_REVIEW_OVERDUE = "intervention_review_overdue"
    FOLLOW_UP_DUE = "follow_up_due"
    INTERVENTION_DELIVERY = "intervention_delivery"
    AGENCY_STEP_DUE = "agency_step_due"
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 - the name of a kind, not a secret
    TWO_FACTOR_ON = "two_factor_on"
    TWO_FACTOR_OFF = "two_factor_off"
    ROLE_CHANGED = "role_changed"
    SIGNED_OUT_EVERYWHERE = "signed_out_everywhere"

    @property
    def label(self) -> str:
        return ALERT_KIND_LABELS[self]

    @property
    def is_account_security(self) -> bool:
        """A change to how this person signs in: always sent, whatever they chose for e-mail."""
        return self in ACCOUNT_SECURITY_KINDS


ALERT_KIND_LABELS = {
    AlertKind.FLAG_NAMED: "You were named on an exclusion-risk flag",
    AlertKind.FLAG_ACTION: "You were given an action on an exclusion-risk flag",
    AlertKind.FLAG_REVIEW_OVERDUE: "A risk flag you lead is overdue for review",
    AlertKind.INTERVENTION_REVIEW_OVERDUE: "An intervention you lead is overdue for review",
    AlertKind.FOLLOW_UP_DUE: "A parent follow-up is due",
    AlertKind.INTERVENTION_DELIVERY: "You were added to deliver an intervention",
    AlertKind.AGENCY_STEP_DUE: "An agency involvement's next step is due",
    AlertKind.PASSWORD_CHANGED: "Your password was set or changed",
    AlertKind.TWO_FACTOR_ON: "Two-factor sign-in was turned on",
    AlertKind.TWO_FACTOR_OFF: "Two-factor sign-in was turned off",
    AlertKind.ROLE_CHANGED: "Your role was changed by an admin",
    AlertKind.SIGNED_OUT_EVERYWHERE: "An admin signed you out everywhere",
}
ACCOUNT_SECURITY_KINDS = frozenset(
    {
        AlertKind.PASSWORD_CHANGED,
        AlertKind.TWO_FACTOR_ON,
        AlertKind.TWO_FACTOR_OFF,
        AlertKind.ROLE_CHANGED,
        AlertKind.SIGNED_OUT_EVERYWHERE,
    }
)


class Alert(Model):
    """One alert to one person, unread until they mark it read.

    `due_on` is set for alerts about a date (a review or follow-up falling due): the unique
    constraint then makes one alert per person, record and due date, however often the daily
    check runs. Other alerts leave it NULL, which the constraint ignores on both engines.
    """

    __tablename__ = "alerts"
    __table_args__ = (
        sa.UniqueConstraint(
            "recipient_id", "kind", "record_type", "record_id", "due_on", name="uq_alerts_once"
        ),
        sa.Index("ix_alerts_recipient_read", "recipient_id", "read_at"),
        sa.Index("ix_alerts_recipient_created", "recipient_id", "created_at"),
        sa.Index("ix_alerts_awaits_digest", "awaits_digest", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    # The recipient's school when raised (None for a trust leader's own account alerts).
    school_id: Mapped[int | None] = mapped_column(sa.ForeignKey("schools.id"), index=True)
    kind: Mapped[AlertKind] = mapped_column(enum_type(AlertKind, "alert_kind"))
    # Who caused it; None when the daily check raised it.
    raised_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    record_type: Mapped[str | None] = mapped_column(sa.String(40))
    record_id: Mapped[int | None] = mapped_column()
    due_on: Mapped[date | None] = mapped_column(sa.Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # True while the alert waits for its recipient's daily digest e-mail (they chose one).
    awaits_digest: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    recipient: Mapped[User] = relationship(foreign_keys=[recipient_id])
    raised_by: Mapped[User | None] = relationship(foreign_keys=[raised_by_id])


class AlertDigest(Model):
    """One person's daily digest e-mail for one school day: made at most once (issue 14 item 2).

    The unique (recipient, day) row is the digest's claim: of two workers, or a worker and
    itself after a restart, only the first inserts it, so only one e-mail is queued.
    """

    __tablename__ = "alert_digests"
    __table_args__ = (
        sa.UniqueConstraint("recipient_id", "digest_day", name="uq_alert_digests_once_a_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    school_id: Mapped[int | None] = mapped_column(sa.ForeignKey("schools.id"), index=True)
    # The school day (Europe/London) whose digest time this digest was made for.
    digest_day: Mapped[date] = mapped_column(sa.Date)
    alert_count: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
