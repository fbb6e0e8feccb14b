"""Staff professional learning (AfA priority P3): who learned what, when, and for how long."""

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from school_tracker.extensions import Model
from school_tracker.models.priority import Priority
from school_tracker.models.record import RecordMixin, priority_link_table
from school_tracker.models.reference_value import ReferenceValue
from school_tracker.models.user import User

learning_record_priorities = priority_link_table("learning_record_priorities", "learning_records")


class LearningRecord(RecordMixin, Model):
    """One piece of CPD a member of staff took part in, with their reflection."""

    __tablename__ = "learning_records"
    __table_args__ = (
        sa.Index("ix_learning_records_school_held", "school_id", "held_on"),
        sa.Index("ix_learning_records_staff_held", "staff_id", "held_on"),
        # Hours are kept as whole tenths so totals add up exactly (0.5 to 100 hours).
        sa.CheckConstraint("hours_tenths BETWEEN 5 AND 1000", name="hours_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    held_on: Mapped[date] = mapped_column(sa.Date)
    activity: Mapped[str] = mapped_column(sa.String(200))
    hours_tenths: Mapped[int] = mapped_column()
    focus_id: Mapped[int | None] = mapped_column(sa.ForeignKey("reference_values.id"))
    reflection: Mapped[str] = mapped_column(sa.Text, default="")

    staff: Mapped[User] = relationship(foreign_keys=[staff_id])
    # The school's own list of CPD focus areas; the record keeps a retired one.
    focus_value: Mapped[ReferenceValue | None] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys="LearningRecord.created_by_id")
    priorities: Mapped[list[Priority]] = relationship(
        secondary=learning_record_priorities, order_by=Priority.sort_order
    )

    @property
    def focus(self) -> str:
        """The focus area's name, or "" when none was chosen."""
        return self.focus_value.name if self.focus_value else ""

    @property
    def hours(self) -> Decimal:
        """Hours with one decimal place, e.g. Decimal('1.5')."""
        return (Decimal(self.hours_tenths) / 10).quantize(Decimal("0.1"))
