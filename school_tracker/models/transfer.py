"""Pupil transfer packs sent to a receiving school, and their confirmed receipt (R71)."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from school_tracker.extensions import Model
from school_tracker.models.user import User
from school_tracker.orm import UTCDateTime, utcnow


class TransferRecord(Model):
    """One transfer pack produced for a leaver: where it went, and when receipt was confirmed."""

    __tablename__ = "transfer_records"
    __table_args__ = (
        sa.Index("ix_transfer_records_school_pupil", "school_id", "pupil_id"),
        sa.CheckConstraint(
            "(receipt_confirmed_at IS NULL AND receipt_confirmed_by_id IS NULL) OR "
            "(receipt_confirmed_at IS NOT NULL AND receipt_confirmed_by_id IS NOT NULL)",
            name="receipt_has_who_and_when",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id"))
    pupil_id: Mapped[int] = mapped_column(sa.ForeignKey("pupils.id"))
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The receiving school's name (a school, not a person; validated like a name).
    sent_to: Mapped[str] = mapped_column(sa.String(200))
    receipt_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    receipt_confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    receipt_confirmed_by: Mapped[User | None] = relationship(foreign_keys=[receipt_confirmed_by_id])

    @property
    def is_received(self) -> bool:
        return self.receipt_confirmed_at is not None
