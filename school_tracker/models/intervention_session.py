"""Who delivers an intervention, and its session register: one row per pupil per session."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from school_tracker.extensions import Model
from school_tracker.models.intervention import InterventionParticipant
from school_tracker.models.user import User
from school_tracker.orm import UTCDateTime, utcnow

MAX_SESSION_MINUTES = 480  # a school day; a longer "session" is a typing slip


class InterventionDeliverer(Model):
    """A member of staff who delivers an intervention besides its lead: may open it and keep
    its register, but not change the plan (issue 13 item 2)."""

    __tablename__ = "intervention_delivery_staff"

    intervention_id: Mapped[int] = mapped_column(
        sa.ForeignKey("interventions.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True, index=True)
    added_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class InterventionSession(Model):
    """One session held: its date, length and a note, with a register row for each pupil."""

    __tablename__ = "intervention_sessions"
    __table_args__ = (
        sa.CheckConstraint(
            f"minutes BETWEEN 1 AND {MAX_SESSION_MINUTES}", name="session_minutes_range"
        ),
        sa.Index("ix_intervention_sessions_held", "intervention_id", "held_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    intervention_id: Mapped[int] = mapped_column(
        sa.ForeignKey("interventions.id", ondelete="CASCADE")
    )
    held_on: Mapped[date] = mapped_column(sa.Date)
    minutes: Mapped[int] = mapped_column()
    note: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    attendance: Mapped[list["SessionAttendance"]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="SessionAttendance.id"
    )

    @property
    def present_count(self) -> int:
        return sum(1 for row in self.attendance if row.present)


class SessionAttendance(Model):
    """One pupil at one session: present, or absent with an optional reason; a short note."""

    __tablename__ = "session_attendance"
    __table_args__ = (
        sa.UniqueConstraint("session_id", "participant_id", name="uq_session_attendance_pupil"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("intervention_sessions.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("intervention_participants.id", ondelete="CASCADE"), index=True
    )
    present: Mapped[bool] = mapped_column(default=True)
    absence_reason: Mapped[str | None] = mapped_column(sa.String(200))
    note: Mapped[str] = mapped_column(sa.Text, default="")

    session: Mapped[InterventionSession] = relationship(back_populates="attendance")
    participant: Mapped[InterventionParticipant] = relationship()
