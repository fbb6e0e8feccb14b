"""Mentoring pairings and their session log (docs/design.md section 5)."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from school_tracker.extensions import Model
from school_tracker.models.labelled import LabelledEnum
from school_tracker.models.priority import Priority
from school_tracker.models.pupil import Pupil
from school_tracker.models.record import RecordMixin, priority_link_table
from school_tracker.models.user import User
from school_tracker.orm import UTCDateTime, enum_type, utcnow


class MentorKind(enum.Enum):
    """Who mentors: a member of staff, an adult without a login, or another pupil."""

    STAFF = "staff"
    ADULT = "adult"
    PEER = "peer"

    @property
    def label(self) -> str:
        return {"staff": "Member of staff", "adult": "Adult without a login", "peer": "Peer pupil"}[
            self.value
        ]


class AdultRelationship(enum.Enum):
    """How an adult mentor without a login knows the school."""

    VOLUNTEER = "volunteer"
    PARENT_CARER = "parent_carer"
    COMMUNITY = "community"
    SUPPORT_STAFF = "support_staff"

    @property
    def label(self) -> str:
        return {
            "volunteer": "Volunteer",
            "parent_carer": "Parent or carer",
            "community": "Community member",
            "support_staff": "Support staff (e.g. site team)",
        }[self.value]


class PairingStatus(LabelledEnum):
    """Where a pairing is: meeting, paused for a while, or ended with an outcome."""

    ACTIVE = "active"
    PAUSED = "paused"
    ENDED = "ended"


class MeetingFrequency(LabelledEnum):
    """How often the pair plan to meet."""

    TWICE_WEEKLY = "twice_weekly"
    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY = "monthly"
    AS_NEEDED = "as_needed"


class PairingOutcome(LabelledEnum):
    """Why and how a pairing ended."""

    GOALS_MET = "goals_met"
    GOALS_PARTLY_MET = "goals_partly_met"
    GOALS_NOT_MET = "goals_not_met"
    MENTEE_CHOSE_TO_STOP = "mentee_chose_to_stop"
    MENTOR_UNAVAILABLE = "mentor_unavailable"
    MENTEE_LEFT_SCHOOL = "mentee_left_school"
    OTHER = "other"


mentoring_pairing_priorities = priority_link_table(
    "mentoring_pairing_priorities", "mentoring_pairings"
)

# Exactly one kind of mentor, with only that kind's columns filled (R23 keeps the
# form from setting the others; this keeps every other writer honest too).
_ONE_MENTOR = (
    "(mentor_kind = 'staff' AND mentor_user_id IS NOT NULL AND mentor_pupil_id IS NULL"
    " AND mentor_name IS NULL AND mentor_relationship IS NULL)"
    " OR (mentor_kind = 'adult' AND mentor_user_id IS NULL AND mentor_pupil_id IS NULL"
    " AND mentor_name IS NOT NULL AND mentor_relationship IS NOT NULL)"
    " OR (mentor_kind = 'peer' AND mentor_user_id IS NULL AND mentor_pupil_id IS NOT NULL"
    " AND mentor_name IS NULL AND mentor_relationship IS NULL)"
)


class MentoringPairing(RecordMixin, Model):
    """A mentee, their one mentor, the goals both agreed, and where the pairing stands."""

    __tablename__ = "mentoring_pairings"
    __table_args__ = (
        sa.CheckConstraint(_ONE_MENTOR, name="one_mentor"),
        sa.CheckConstraint(
            "mentor_pupil_id IS NULL OR mentor_pupil_id <> mentee_id", name="peer_not_mentee"
        ),
        sa.CheckConstraint(
            "planned_end_on IS NULL OR planned_end_on >= starts_on", name="planned_end_after_start"
        ),
        sa.CheckConstraint("ended_on IS NULL OR ended_on >= starts_on", name="ended_after_start"),
        sa.CheckConstraint(
            "status <> 'ended' OR (ended_on IS NOT NULL AND outcome IS NOT NULL)",
            name="ended_has_outcome",
        ),
        sa.CheckConstraint("status <> 'paused' OR paused_on IS NOT NULL", name="paused_has_date"),
        sa.Index("ix_mentoring_pairings_school_status", "school_id", "status"),
        sa.Index("ix_mentoring_pairings_school_starts", "school_id", "starts_on"),
        sa.Index("ix_mentoring_pairings_mentor_user", "mentor_user_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mentee_id: Mapped[int] = mapped_column(sa.ForeignKey("pupils.id"), index=True)
    mentor_kind: Mapped[MentorKind] = mapped_column(enum_type(MentorKind, "mentor_kind"))
    mentor_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    mentor_pupil_id: Mapped[int | None] = mapped_column(sa.ForeignKey("pupils.id"), index=True)
    mentor_name: Mapped[str | None] = mapped_column(sa.String(120))
    mentor_relationship: Mapped[AdultRelationship | None] = mapped_column(
        enum_type(AdultRelationship, "adult_relationship")
    )
    mentee_goals: Mapped[str] = mapped_column(sa.Text)
    mentor_goals: Mapped[str] = mapped_column(sa.Text)
    starts_on: Mapped[date] = mapped_column(sa.Date)
    planned_end_on: Mapped[date | None] = mapped_column(sa.Date)
    frequency: Mapped[MeetingFrequency] = mapped_column(
        enum_type(MeetingFrequency, "meeting_frequency")
    )
    status: Mapped[PairingStatus] = mapped_column(
        enum_type(PairingStatus, "pairing_status"), default=PairingStatus.ACTIVE
    )
    paused_on: Mapped[date | None] = mapped_column(sa.Date)
    ended_on: Mapped[date | None] = mapped_column(sa.Date)
    outcome: Mapped[PairingOutcome | None] = mapped_column(
        enum_type(PairingOutcome, "pairing_outcome")
    )
    outcome_notes: Mapped[str | None] = mapped_column(sa.Text)

    mentee: Mapped[Pupil] = relationship(foreign_keys=[mentee_id])
    mentor_user: Mapped[User | None] = relationship(foreign_keys=[mentor_user_id])
    mentor_pupil: Mapped[Pupil | None] = relationship(foreign_keys=[mentor_pupil_id])
    created_by: Mapped[User | None] = relationship(foreign_keys="MentoringPairing.created_by_id")
    priorities: Mapped[list[Priority]] = relationship(
        secondary=mentoring_pairing_priorities, order_by=Priority.sort_order
    )
    sessions: Mapped[list["MentoringSession"]] = relationship(
        back_populates="pairing",
        order_by=lambda: (MentoringSession.held_on.desc(), MentoringSession.id.desc()),
        passive_deletes=True,
    )

    @property
    def mentor_label(self) -> str:
        """The mentor as staff read it: a name, plus the relationship for an adult."""
        if self.mentor_kind is MentorKind.STAFF and self.mentor_user is not None:
            return self.mentor_user.full_name
        if self.mentor_kind is MentorKind.PEER and self.mentor_pupil is not None:
            return f"{self.mentor_pupil.display_name} (peer mentor)"
        relationship_label = self.mentor_relationship.label if self.mentor_relationship else ""
        return f"{self.mentor_name} ({relationship_label.lower()})"

    @property
    def is_active(self) -> bool:
        return self.status is PairingStatus.ACTIVE


class MentoringSession(Model):
    """One meeting of a pairing: what happened and what both sides said; correctable briefly."""

    __tablename__ = "mentoring_sessions"
    __table_args__ = (
        sa.CheckConstraint("minutes BETWEEN 1 AND 600", name="minutes_range"),
        sa.CheckConstraint(
            "wellbeing_start IS NULL OR wellbeing_start BETWEEN 1 AND 5", name="wellbeing_start"
        ),
        sa.CheckConstraint(
            "wellbeing_end IS NULL OR wellbeing_end BETWEEN 1 AND 5", name="wellbeing_end"
        ),
        sa.Index("ix_mentoring_sessions_pairing_held", "pairing_id", "held_on"),
        sa.Index("ix_mentoring_sessions_school_held", "school_id", "held_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pairing_id: Mapped[int] = mapped_column(
        sa.ForeignKey("mentoring_pairings.id", ondelete="CASCADE")
    )
    # Denormalised from the pairing so dashboards count a school's sessions by date directly.
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id"))
    held_on: Mapped[date] = mapped_column(sa.Date)
    minutes: Mapped[int] = mapped_column()
    activities: Mapped[str] = mapped_column(sa.Text)
    mentee_voice: Mapped[str | None] = mapped_column(sa.Text)
    mentor_reflection: Mapped[str | None] = mapped_column(sa.Text)
    wellbeing_start: Mapped[int | None] = mapped_column()
    wellbeing_end: Mapped[int | None] = mapped_column()
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A correction (its author or a leader, within 14 days) is a versioned edit (R63, R81).
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version_id: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version_id}

    pairing: Mapped[MentoringPairing] = relationship(back_populates="sessions")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
