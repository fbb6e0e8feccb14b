"""What follows a suspension or exclusion: the return, and the governors' reinstatement review.

docs/design.md section 5; the dates the law sets are in docs/exclusions.md.
"""

import enum
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from school_tracker.extensions import Model, db
from school_tracker.models.exclusion import Exclusion
from school_tracker.models.pupil import Pupil
from school_tracker.models.record import RecordMixin
from school_tracker.models.user import User
from school_tracker.orm import enum_type


class ExclusionFollowUp(RecordMixin, Model):
    """A suspension's return and reintegration meeting, and education from the sixth day."""

    __tablename__ = "exclusion_follow_ups"
    __table_args__ = (
        sa.CheckConstraint(
            "(provider IS NULL) = (provision_from IS NULL)", name="provision_provider_and_date"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    exclusion_id: Mapped[int] = mapped_column(sa.ForeignKey("exclusions.id"), unique=True)
    return_on: Mapped[date | None] = mapped_column(sa.Date)
    meeting_on: Mapped[date | None] = mapped_column(sa.Date)
    attended: Mapped[str] = mapped_column(sa.Text, default="")
    agreed: Mapped[str] = mapped_column(sa.Text, default="")
    pupil_views: Mapped[str] = mapped_column(sa.Text, default="")
    parent_views: Mapped[str] = mapped_column(sa.Text, default="")
    # Alternative provision from the sixth school day: who provides it, from when.
    provider: Mapped[str | None] = mapped_column(sa.String(200))
    provision_from: Mapped[date | None] = mapped_column(sa.Date)

    exclusion: Mapped[Exclusion] = relationship()


class ReviewTrigger(enum.Enum):
    """Why the law requires governors to consider reinstatement."""

    PERMANENT = "permanent"
    OVER_15_DAYS = "over_15_days"
    PUBLIC_EXAM = "public_exam"

    @property
    def label(self) -> str:
        return TRIGGER_LABELS[self.value]


TRIGGER_LABELS = {
    "permanent": "A permanent exclusion",
    "over_15_days": "More than 15 school days of suspension in a term",
    "public_exam": "A suspension that would cost a public examination",
}


class ReviewDecision(enum.Enum):
    """What the governing board decided."""

    REINSTATE = "reinstate"
    UPHOLD = "uphold"

    @property
    def label(self) -> str:
        if self is ReviewDecision.REINSTATE:
            return "Reinstate the pupil"
        return "Do not reinstate: the exclusion stands"


reinstatement_panel = sa.Table(
    "reinstatement_panel",
    db.metadata,
    sa.Column(
        "review_id", sa.ForeignKey("reinstatement_reviews.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("user_id", sa.ForeignKey("users.id"), primary_key=True),
)


class ReinstatementReview(RecordMixin, Model):
    """The governing board's consideration of reinstatement for one pupil and one exclusion."""

    __tablename__ = "reinstatement_reviews"
    __table_args__ = (
        sa.Index("ix_reinstatement_reviews_pupil", "pupil_id"),
        sa.CheckConstraint(
            "(decision IS NULL AND decided_on IS NULL) OR "
            "(decision IS NOT NULL AND decided_on IS NOT NULL)",
            name="decision_dated",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(sa.ForeignKey("pupils.id"))
    exclusion_id: Mapped[int] = mapped_column(sa.ForeignKey("exclusions.id"))
    trigger: Mapped[ReviewTrigger] = mapped_column(enum_type(ReviewTrigger, "review_trigger"))
    # The day the governing board was told: the 15 school days run from here.
    board_notified_on: Mapped[date] = mapped_column(sa.Date)
    meeting_on: Mapped[date | None] = mapped_column(sa.Date)
    representations: Mapped[str] = mapped_column(sa.Text, default="")
    decision: Mapped[ReviewDecision | None] = mapped_column(
        enum_type(ReviewDecision, "review_decision")
    )
    decision_reasons: Mapped[str] = mapped_column(sa.Text, default="")
    decided_on: Mapped[date | None] = mapped_column(sa.Date)
    # The day the parents were told the decision: an independent review request runs from here.
    decision_notified_on: Mapped[date | None] = mapped_column(sa.Date)

    pupil: Mapped[Pupil] = relationship()
    exclusion: Mapped[Exclusion] = relationship()
    panel: Mapped[list[User]] = relationship(secondary=reinstatement_panel, order_by=User.id)
