"""An agency's involvement with a pupil, whether or not the pupil has a risk flag (issue 16)."""

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from school_tracker.extensions import Model, db
from school_tracker.models.labelled import LabelledEnum
from school_tracker.models.pupil import Pupil
from school_tracker.models.record import RecordMixin
from school_tracker.models.risk import Agency
from school_tracker.models.user import User
from school_tracker.orm import enum_type


class InvolvementStatus(LabelledEnum):
    """Where a referral stands: referred, then accepted or declined, active, closed."""

    REFERRED = "referred"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    ACTIVE = "active"
    CLOSED = "closed"

    @property
    def is_finished(self) -> bool:
        """Declined and closed involvements have no next step to chase."""
        return self in (InvolvementStatus.DECLINED, InvolvementStatus.CLOSED)


# Staff named on an involvement are the only non-leaders, beside its referrer, who may see it.
agency_involvement_staff = sa.Table(
    "agency_involvement_staff",
    db.metadata,
    sa.Column(
        "involvement_id",
        sa.ForeignKey("agency_involvements.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("user_id", sa.ForeignKey("users.id"), primary_key=True, index=True),
)


class AgencyInvolvement(RecordMixin, Model):
    """A referral to an agency and what came of it, with the next step and its date."""

    __tablename__ = "agency_involvements"
    __table_args__ = (
        sa.Index("ix_agency_involvements_school_referred", "school_id", "referred_on"),
        sa.Index("ix_agency_involvements_next_step", "next_step_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(sa.ForeignKey("pupils.id"), index=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"))
    referred_on: Mapped[date] = mapped_column(sa.Date)
    referred_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    status: Mapped[InvolvementStatus] = mapped_column(
        enum_type(InvolvementStatus, "involvement_status"), default=InvolvementStatus.REFERRED
    )
    professional_role: Mapped[str] = mapped_column(sa.String(120), default="")
    professional_contact: Mapped[str] = mapped_column(sa.String(200), default="")
    next_step: Mapped[str] = mapped_column(sa.Text, default="")
    next_step_on: Mapped[date | None] = mapped_column(sa.Date)
    outcome_notes: Mapped[str] = mapped_column(sa.Text, default="")
    # Set when the status becomes declined or closed: the involvement counts until then.
    ended_on: Mapped[date | None] = mapped_column(sa.Date)

    pupil: Mapped[Pupil] = relationship()
    agency: Mapped[Agency] = relationship()
    referred_by: Mapped[User] = relationship(foreign_keys=[referred_by_id])
    named_staff: Mapped[list[User]] = relationship(
        secondary=agency_involvement_staff, order_by=User.full_name
    )

    def next_step_overdue(self, today: date) -> bool:
        """A next step whose date has passed on an involvement still open."""
        return (
            not self.status.is_finished
            and self.next_step_on is not None
            and self.next_step_on < today
        )
