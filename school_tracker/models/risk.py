"""Exclusion-risk flags: level history, actions, agencies and risk factors.

The record is described in docs/design.md section 5.
"""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from school_tracker.extensions import Model, db
from school_tracker.models.labelled import LabelledEnum
from school_tracker.models.priority import Priority
from school_tracker.models.pupil import Pupil
from school_tracker.models.record import RecordMixin, priority_link_table
from school_tracker.models.reference_value import SchoolListMixin
from school_tracker.models.user import User
from school_tracker.orm import UTCDateTime, enum_type, utcnow


class RiskLevel(LabelledEnum):
    """How likely a suspension or permanent exclusion looks, in the school's judgement."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class RiskStatus(LabelledEnum):
    """open → monitoring → closed (monitoring may go back to open; closed needs a leader)."""

    OPEN = "open"
    MONITORING = "monitoring"
    CLOSED = "closed"


class RiskOutcome(enum.Enum):
    """How a flag ended; required to close it."""

    DE_ESCALATED = "de_escalated"
    MANAGED_MOVE = "managed_move"
    OFF_SITE_DIRECTION = "off_site_direction"
    SUSPENSION = "suspension"
    PERMANENT_EXCLUSION = "permanent_exclusion"
    LEFT_SCHOOL = "left_school"

    @property
    def label(self) -> str:
        return {
            "de_escalated": "De-escalated",
            "managed_move": "Managed move",
            "off_site_direction": "Off-site direction",
            "suspension": "Suspension",
            "permanent_exclusion": "Permanent exclusion",
            "left_school": "Left school",
        }[self.value]


class Agency(SchoolListMixin, Model):
    """An agency that may work with a pupil, on the school's own list (seeded, then the admins')."""

    __tablename__ = "agencies"
    __table_args__ = (
        # The code is how the trust's schools recognise the same agency on their own lists.
        sa.UniqueConstraint("school_id", "code", name="uq_agencies_school_code"),
        sa.CheckConstraint(
            "active_to IS NULL OR active_from IS NULL OR active_to >= active_from",
            name="active_range_ordered",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(30))
    name: Mapped[str] = mapped_column(sa.String(100))


class RiskFactor(SchoolListMixin, Model):
    """One item of the school's risk-factor checklist (seeded, then the admins')."""

    __tablename__ = "risk_factors"
    __table_args__ = (
        sa.UniqueConstraint("school_id", "code", name="uq_risk_factors_school_code"),
        sa.CheckConstraint(
            "active_to IS NULL OR active_from IS NULL OR active_to >= active_from",
            name="active_range_ordered",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(30))
    name: Mapped[str] = mapped_column(sa.String(100))


risk_flag_priorities = priority_link_table("risk_flag_priorities", "risk_flags")

risk_flag_agencies = sa.Table(
    "risk_flag_agencies",
    db.metadata,
    sa.Column("flag_id", sa.ForeignKey("risk_flags.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("agency_id", sa.ForeignKey("agencies.id"), primary_key=True),
)

risk_flag_factors = sa.Table(
    "risk_flag_factors",
    db.metadata,
    sa.Column("flag_id", sa.ForeignKey("risk_flags.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("risk_factor_id", sa.ForeignKey("risk_factors.id"), primary_key=True),
)

# The staff named on a flag are the only non-leaders who may see it.
risk_flag_staff = sa.Table(
    "risk_flag_staff",
    db.metadata,
    sa.Column("flag_id", sa.ForeignKey("risk_flags.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id"), primary_key=True, index=True),
)


class RiskFlag(RecordMixin, Model):
    """A concern that a pupil may be at risk of suspension or permanent exclusion."""

    __tablename__ = "risk_flags"
    __table_args__ = (
        sa.Index("ix_risk_flags_school_status", "school_id", "status"),
        sa.Index("ix_risk_flags_school_review", "school_id", "review_on"),
        sa.Index("ix_risk_flags_school_raised", "school_id", "raised_on"),
        sa.CheckConstraint("review_on > raised_on", name="review_after_raised"),
        sa.CheckConstraint(
            "status <> 'closed' OR (outcome IS NOT NULL AND closed_on IS NOT NULL)",
            name="closed_has_outcome",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(sa.ForeignKey("pupils.id"), index=True)
    raised_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    raised_on: Mapped[date] = mapped_column(sa.Date)
    level: Mapped[RiskLevel] = mapped_column(enum_type(RiskLevel, "risk_level"))
    status: Mapped[RiskStatus] = mapped_column(
        enum_type(RiskStatus, "risk_status"), default=RiskStatus.OPEN
    )
    review_on: Mapped[date] = mapped_column(sa.Date)
    # Leader-only (R21): the rationale and agency details of a flag.
    protective_factors: Mapped[str] = mapped_column(sa.Text, default="")
    agency_notes: Mapped[str] = mapped_column(sa.Text, default="")
    outcome: Mapped[RiskOutcome | None] = mapped_column(enum_type(RiskOutcome, "risk_outcome"))
    closed_on: Mapped[date | None] = mapped_column(sa.Date)

    pupil: Mapped[Pupil] = relationship()
    raised_by: Mapped[User] = relationship(foreign_keys=[raised_by_id])
    priorities: Mapped[list[Priority]] = relationship(
        secondary=risk_flag_priorities, order_by=Priority.sort_order
    )
    agencies: Mapped[list[Agency]] = relationship(
        secondary=risk_flag_agencies, order_by=Agency.sort_order
    )
    risk_factors: Mapped[list[RiskFactor]] = relationship(
        secondary=risk_flag_factors, order_by=RiskFactor.sort_order
    )
    named_staff: Mapped[list[User]] = relationship(
        secondary=risk_flag_staff, order_by=User.full_name
    )
    level_history: Mapped[list["RiskLevelChange"]] = relationship(
        back_populates="flag",
        cascade="all, delete-orphan",
        order_by="(RiskLevelChange.changed_at, RiskLevelChange.id)",
    )
    status_history: Mapped[list["RiskStatusChange"]] = relationship(
        back_populates="flag",
        cascade="all, delete-orphan",
        order_by="(RiskStatusChange.changed_at, RiskStatusChange.id)",
    )
    actions: Mapped[list["RiskAction"]] = relationship(
        back_populates="flag",
        cascade="all, delete-orphan",
        order_by="(RiskAction.due_on, RiskAction.id)",
    )

    @property
    def is_closed(self) -> bool:
        return self.status is RiskStatus.CLOSED

    def review_overdue(self, today: date) -> bool:
        """True when the review date has passed on a flag that is still live."""
        return not self.is_closed and self.review_on < today

    @property
    def open_actions(self) -> list["RiskAction"]:
        return [action for action in self.actions if action.done_on is None]


class RiskLevelChange(Model):
    """One level a flag has had: the first row is written when the flag is raised."""

    __tablename__ = "risk_level_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    flag_id: Mapped[int] = mapped_column(
        sa.ForeignKey("risk_flags.id", ondelete="CASCADE"), index=True
    )
    level: Mapped[RiskLevel] = mapped_column(enum_type(RiskLevel, "risk_level"))
    changed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str | None] = mapped_column(sa.Text)  # leader-only, like the rationale

    flag: Mapped[RiskFlag] = relationship(back_populates="level_history")
    changed_by: Mapped[User] = relationship()


class RiskStatusChange(Model):
    """One move between open, monitoring and closed (with the outcome or reopening reason)."""

    __tablename__ = "risk_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    flag_id: Mapped[int] = mapped_column(
        sa.ForeignKey("risk_flags.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[RiskStatus] = mapped_column(enum_type(RiskStatus, "from_status"))
    to_status: Mapped[RiskStatus] = mapped_column(enum_type(RiskStatus, "to_status"))
    outcome: Mapped[RiskOutcome | None] = mapped_column(enum_type(RiskOutcome, "risk_outcome"))
    changed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str | None] = mapped_column(sa.Text)

    flag: Mapped[RiskFlag] = relationship(back_populates="status_history")
    changed_by: Mapped[User] = relationship()


class RiskAction(Model):
    """Something agreed to reduce the risk: what, who owns it, when it is due and done."""

    __tablename__ = "risk_actions"
    __table_args__ = (
        sa.Index("ix_risk_actions_owner_done", "owner_id", "done_on"),
        sa.CheckConstraint("done_on IS NULL OR done_by_id IS NOT NULL", name="done_has_by"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    flag_id: Mapped[int] = mapped_column(
        sa.ForeignKey("risk_flags.id", ondelete="CASCADE"), index=True
    )
    description: Mapped[str] = mapped_column(sa.String(300))
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    due_on: Mapped[date] = mapped_column(sa.Date)
    done_on: Mapped[date | None] = mapped_column(sa.Date)
    done_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version_id: Mapped[int] = mapped_column(default=1)

    flag: Mapped[RiskFlag] = relationship(back_populates="actions")
    owner: Mapped[User] = relationship(foreign_keys=[owner_id])

    __mapper_args__ = {"version_id_col": version_id}

    def is_overdue(self, today: date) -> bool:
        """An open action whose due date has passed."""
        return self.done_on is None and self.due_on < today
