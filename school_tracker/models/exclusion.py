"""Suspensions and permanent exclusions with their DfE reasons (docs/design.md section 5)."""

import enum
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from school_tracker.extensions import Model
from school_tracker.models.priority import Priority
from school_tracker.models.pupil import Pupil
from school_tracker.models.record import RecordMixin, priority_link_table
from school_tracker.orm import enum_type


class ExclusionKind(enum.Enum):
    """A suspension (fixed period) or a permanent exclusion."""

    SUSPENSION = "suspension"
    PERMANENT = "permanent"

    @property
    def label(self) -> str:
        return "Suspension" if self is ExclusionKind.SUSPENSION else "Permanent exclusion"


class ExclusionReason(Model):
    """A DfE census reason code, valid between its active dates (reference data, seeded)."""

    __tablename__ = "exclusion_reasons"
    __table_args__ = (
        sa.UniqueConstraint("code", "active_from", name="uq_exclusion_reasons_code_from"),
        sa.CheckConstraint("active_to IS NULL OR active_to >= active_from", name="active_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(4))
    description: Mapped[str] = mapped_column(sa.String(120))
    active_from: Mapped[date] = mapped_column(sa.Date)
    active_to: Mapped[date | None] = mapped_column(sa.Date)
    sort_order: Mapped[int] = mapped_column()

    def active_on(self, day: date) -> bool:
        """Whether the code may be used for an exclusion starting on `day`."""
        return self.active_from <= day and (self.active_to is None or day <= self.active_to)

    @property
    def label(self) -> str:
        return f"{self.code} {self.description}"


exclusion_priorities = priority_link_table("exclusion_priorities", "exclusions")


class Exclusion(RecordMixin, Model):
    """One suspension or permanent exclusion of a pupil (leaders only)."""

    __tablename__ = "exclusions"
    __table_args__ = (
        sa.Index("ix_exclusions_school_start", "school_id", "start_date"),
        sa.Index("ix_exclusions_pupil_start", "pupil_id", "start_date"),
        # 1 school day = 2 sessions; 90 sessions is the 45-day yearly maximum.
        sa.CheckConstraint(
            "(kind = 'permanent' AND sessions IS NULL) OR (sessions BETWEEN 1 AND 90)",
            name="sessions_range",
        ),
        sa.CheckConstraint(
            "reason_2_id IS NULL OR reason_2_id <> reason_1_id", name="reason_2_distinct"
        ),
        sa.CheckConstraint(
            "reason_3_id IS NULL OR (reason_2_id IS NOT NULL AND reason_3_id <> reason_1_id "
            "AND reason_3_id <> reason_2_id)",
            name="reason_3_distinct",
        ),
        sa.CheckConstraint(
            "(parents_notified AND parents_notified_on IS NOT NULL) OR "
            "(NOT parents_notified AND parents_notified_on IS NULL)",
            name="parents_notified_date",
        ),
        sa.CheckConstraint(
            "(la_notified AND la_notified_on IS NOT NULL) OR "
            "(NOT la_notified AND la_notified_on IS NULL)",
            name="la_notified_date",
        ),
        sa.CheckConstraint(
            "(social_worker_notified AND social_worker_notified_on IS NOT NULL) OR "
            "(NOT social_worker_notified AND social_worker_notified_on IS NULL)",
            name="social_worker_notified_date",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(sa.ForeignKey("pupils.id"))
    kind: Mapped[ExclusionKind] = mapped_column(enum_type(ExclusionKind, "exclusion_kind"))
    start_date: Mapped[date] = mapped_column(sa.Date)
    sessions: Mapped[int | None] = mapped_column()
    reason_1_id: Mapped[int] = mapped_column(sa.ForeignKey("exclusion_reasons.id"))
    reason_2_id: Mapped[int | None] = mapped_column(sa.ForeignKey("exclusion_reasons.id"))
    reason_3_id: Mapped[int | None] = mapped_column(sa.ForeignKey("exclusion_reasons.id"))
    parents_notified: Mapped[bool] = mapped_column(default=False)
    parents_notified_on: Mapped[date | None] = mapped_column(sa.Date)
    la_notified: Mapped[bool] = mapped_column(default=False)
    la_notified_on: Mapped[date | None] = mapped_column(sa.Date)
    # The pupil's social worker, or the Virtual School Head for a looked-after child.
    social_worker_notified: Mapped[bool] = mapped_column(default=False)
    social_worker_notified_on: Mapped[date | None] = mapped_column(sa.Date)
    # A headteacher may cancel an exclusion (or one was recorded in error): kept, not deleted.
    cancelled_on: Mapped[date | None] = mapped_column(sa.Date)
    cancel_reason: Mapped[str | None] = mapped_column(sa.Text)

    pupil: Mapped[Pupil] = relationship()
    reason_1: Mapped[ExclusionReason] = relationship(foreign_keys=[reason_1_id])
    reason_2: Mapped[ExclusionReason | None] = relationship(foreign_keys=[reason_2_id])
    reason_3: Mapped[ExclusionReason | None] = relationship(foreign_keys=[reason_3_id])
    priorities: Mapped[list[Priority]] = relationship(
        secondary=exclusion_priorities, order_by=Priority.sort_order
    )

    @property
    def reasons(self) -> list[ExclusionReason]:
        """The one to three reasons, in order."""
        return [r for r in (self.reason_1, self.reason_2, self.reason_3) if r is not None]

    @property
    def days(self) -> float:
        """School days of a suspension (2 sessions a day); 0 for a permanent exclusion."""
        return (self.sessions or 0) / 2

    @property
    def counts_towards_limits(self) -> bool:
        """Suspensions that stand count towards the 15-day and 45-day thresholds."""
        return self.kind is ExclusionKind.SUSPENSION and self.cancelled_on is None
