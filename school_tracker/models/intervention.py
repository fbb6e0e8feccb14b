"""Inclusion interventions, the school's editable catalogue of types, and each pupil taking part."""

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from school_tracker.extensions import Model, db
from school_tracker.models.labelled import LabelledEnum
from school_tracker.models.priority import Priority
from school_tracker.models.pupil import Pupil
from school_tracker.models.record import RecordMixin, priority_link_table
from school_tracker.models.reference_value import ReferenceValue
from school_tracker.models.user import User
from school_tracker.orm import TimestampMixin, UTCDateTime, enum_type, utcnow

if TYPE_CHECKING:  # the register's models import this module for the participant
    from school_tracker.models.intervention_session import (
        InterventionDeliverer,
        InterventionSession,
    )


class InterventionStatus(LabelledEnum):
    """Where an intervention is in its life: planned, then active, then completed or stopped."""

    PLANNED = "planned"
    ACTIVE = "active"
    COMPLETED = "completed"
    STOPPED = "stopped"

    @property
    def is_open(self) -> bool:
        return self in (InterventionStatus.PLANNED, InterventionStatus.ACTIVE)


class InterventionMode(LabelledEnum):
    """One pupil, or a group of two or more."""

    INDIVIDUAL = "individual"
    GROUP = "group"


class SessionFrequency(enum.Enum):
    """How often the sessions run."""

    DAILY = "daily"
    SEVERAL_WEEKLY = "several_weekly"
    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY = "monthly"
    AS_NEEDED = "as_needed"

    @property
    def label(self) -> str:
        return {
            "daily": "Daily",
            "several_weekly": "Two or three times a week",
            "weekly": "Weekly",
            "fortnightly": "Fortnightly",
            "monthly": "Monthly",
            "as_needed": "As needed",
        }[self.value]


class FundingStream(enum.Enum):
    """Which budget pays for it (docs/design.md section 5)."""

    PUPIL_PREMIUM = "pupil_premium"
    SEN_NOTIONAL = "sen_notional"
    RECOVERY = "recovery"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "pupil_premium": "Pupil premium",
            "sen_notional": "SEN notional budget",
            "recovery": "Recovery funding",
            "other": "Other",
        }[self.value]


class ParticipantStatus(enum.Enum):
    """A pupil taking part, or withdrawn (kept, never deleted)."""

    TAKING_PART = "taking_part"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return "Taking part" if self is ParticipantStatus.TAKING_PART else "Withdrawn"


intervention_type_priorities = sa.Table(
    "intervention_type_priorities",
    db.metadata,
    sa.Column(
        "type_id", sa.ForeignKey("intervention_types.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("priority_id", sa.ForeignKey("priorities.id"), primary_key=True),
)
intervention_priorities = priority_link_table("intervention_priorities", "interventions")


class InterventionType(TimestampMixin, Model):
    """One entry in a school's intervention catalogue; deactivated, never deleted."""

    __tablename__ = "intervention_types"
    __table_args__ = (
        sa.UniqueConstraint("school_id", "name", name="uq_intervention_types_school_name"),
        sa.UniqueConstraint("school_id", "seed_key", name="uq_intervention_types_school_seed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    # The standard list's stable key, so re-seeding after a rename adds nothing twice.
    seed_key: Mapped[str | None] = mapped_column(sa.String(40))
    send_focused: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    sort_order: Mapped[int] = mapped_column(default=100)

    default_priorities: Mapped[list[Priority]] = relationship(
        secondary=intervention_type_priorities, order_by=Priority.sort_order
    )

    @property
    def default_codes(self) -> list[str]:
        """Priority codes a new intervention of this type starts with (P4b if SEND-focused)."""
        codes = [p.code for p in self.default_priorities]
        if self.send_focused and "P4b" not in codes:
            codes.append("P4b")
        return codes


class Intervention(RecordMixin, Model):
    """An inclusion intervention for one pupil or a group, with its plan, cost and voices."""

    __tablename__ = "interventions"
    __table_args__ = (
        sa.Index("ix_interventions_school_status", "school_id", "status"),
        sa.Index("ix_interventions_school_start", "school_id", "start_date"),
        sa.Index("ix_interventions_school_review", "school_id", "review_date"),
        sa.CheckConstraint("cost_pence >= 0", name="cost_not_negative"),
        sa.CheckConstraint("review_date > start_date", name="review_after_start"),
        sa.CheckConstraint("end_date IS NULL OR end_date >= start_date", name="ends_after_start"),
        sa.CheckConstraint(
            "planned_sessions IS NULL OR planned_sessions >= 1", name="planned_sessions_positive"
        ),
        sa.CheckConstraint(
            "score_min IS NULL OR score_max IS NULL OR score_max > score_min",
            name="score_range_ordered",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    type_id: Mapped[int] = mapped_column(sa.ForeignKey("intervention_types.id"), index=True)
    mode: Mapped[InterventionMode] = mapped_column(enum_type(InterventionMode, "intervention_mode"))
    lead_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    measure_id: Mapped[int | None] = mapped_column(sa.ForeignKey("reference_values.id"))
    score_min: Mapped[float | None] = mapped_column(sa.Float)
    score_max: Mapped[float | None] = mapped_column(sa.Float)
    intended_outcome: Mapped[str] = mapped_column(sa.Text, default="")
    planned_sessions: Mapped[int | None] = mapped_column()
    frequency: Mapped[SessionFrequency | None] = mapped_column(
        enum_type(SessionFrequency, "session_frequency")
    )
    cost_pence: Mapped[int] = mapped_column(default=0)
    funding_stream: Mapped[FundingStream | None] = mapped_column(
        enum_type(FundingStream, "funding_stream")
    )
    start_date: Mapped[date] = mapped_column(sa.Date)
    review_date: Mapped[date] = mapped_column(sa.Date)
    end_date: Mapped[date | None] = mapped_column(sa.Date)
    status: Mapped[InterventionStatus] = mapped_column(
        enum_type(InterventionStatus, "intervention_status"), default=InterventionStatus.PLANNED
    )
    stop_reason: Mapped[str | None] = mapped_column(sa.Text)
    pupil_voice: Mapped[str] = mapped_column(sa.Text, default="")
    parent_voice: Mapped[str] = mapped_column(sa.Text, default="")
    notes: Mapped[str] = mapped_column(sa.Text, default="")

    type: Mapped[InterventionType] = relationship()
    # The school's own list of measures (admin reference data); the record keeps a retired one.
    measure_value: Mapped[ReferenceValue | None] = relationship()
    lead: Mapped[User] = relationship(foreign_keys=[lead_id])
    created_by: Mapped[User | None] = relationship(foreign_keys="Intervention.created_by_id")
    priorities: Mapped[list[Priority]] = relationship(
        secondary=intervention_priorities, order_by=Priority.sort_order
    )
    participants: Mapped[list["InterventionParticipant"]] = relationship(
        back_populates="intervention",
        cascade="all, delete-orphan",
        order_by="InterventionParticipant.id",
    )
    delivery_staff: Mapped[list["InterventionDeliverer"]] = relationship(
        cascade="all, delete-orphan", order_by="InterventionDeliverer.added_at"
    )
    sessions: Mapped[list["InterventionSession"]] = relationship(
        cascade="all, delete-orphan",
        order_by="(InterventionSession.held_on.desc(), InterventionSession.id.desc())",
    )

    @property
    def measure(self) -> str | None:
        """The measure's name (from the school's list), or None when none was chosen."""
        return self.measure_value.name if self.measure_value else None

    @property
    def cost(self) -> str:
        """The cost as pounds and pence, e.g. `1,250.00`."""
        return f"{self.cost_pence / 100:,.2f}"

    @property
    def taking_part(self) -> list["InterventionParticipant"]:
        """Participants not withdrawn."""
        return [p for p in self.participants if p.status is ParticipantStatus.TAKING_PART]

    def review_overdue(self, today: date) -> bool:
        """A review date that has passed while the intervention is still planned or active."""
        return self.status.is_open and self.review_date < today


class InterventionParticipant(Model):
    """One pupil's part in an intervention: own dates, scores, attendance and impact."""

    __tablename__ = "intervention_participants"
    __table_args__ = (
        sa.UniqueConstraint(
            "intervention_id", "pupil_id", name="uq_intervention_participants_pupil"
        ),
        sa.CheckConstraint("impact IS NULL OR impact BETWEEN -2 AND 2", name="impact_range"),
        sa.CheckConstraint(
            "sessions_before_register IS NULL OR sessions_before_register >= 0",
            name="sessions_not_negative",
        ),
        sa.CheckConstraint("end_date IS NULL OR end_date >= start_date", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    intervention_id: Mapped[int] = mapped_column(
        sa.ForeignKey("interventions.id", ondelete="CASCADE"), index=True
    )
    pupil_id: Mapped[int] = mapped_column(sa.ForeignKey("pupils.id"), index=True)
    start_date: Mapped[date] = mapped_column(sa.Date)
    end_date: Mapped[date | None] = mapped_column(sa.Date)
    baseline_score: Mapped[float | None] = mapped_column(sa.Float)
    exit_score: Mapped[float | None] = mapped_column(sa.Float)
    # Sessions attended as one typed number, kept from before the session register (migration
    # 0014): read-only, added to the register's count (records/attendance.py).
    sessions_before_register: Mapped[int | None] = mapped_column()
    impact: Mapped[int | None] = mapped_column(sa.SmallInteger)
    status: Mapped[ParticipantStatus] = mapped_column(
        enum_type(ParticipantStatus, "participant_status"), default=ParticipantStatus.TAKING_PART
    )
    withdrawn_on: Mapped[date | None] = mapped_column(sa.Date)
    withdrawn_reason: Mapped[str | None] = mapped_column(sa.Text)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version_id: Mapped[int] = mapped_column(default=1)

    intervention: Mapped[Intervention] = relationship(back_populates="participants")
    pupil: Mapped[Pupil] = relationship()

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def school_id(self) -> int:
        """The intervention's school (participants have no school of their own)."""
        return self.intervention.school_id

    @property
    def is_taking_part(self) -> bool:
        return self.status is ParticipantStatus.TAKING_PART
