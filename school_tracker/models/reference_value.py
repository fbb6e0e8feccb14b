"""Lists each school keeps for itself: what a value is called and the dates it is offered.

Agencies and risk factors (models/risk.py) use the same mixin in their own tables, because
risk flags and involvements link to them; intervention measures and CPD focus areas are plain
labels of one shape, so they share `reference_values` with a kind (docs/reference-data.md).
"""

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from school_tracker.extensions import Model
from school_tracker.models.labelled import LabelledEnum
from school_tracker.orm import enum_type


class SchoolListMixin:
    """One value of a school's own list, offered from `active_from` until `active_to`.

    Open dates mean "always" on that side. A value in use is retired (given an end date),
    never deleted, so the records that name it keep showing it.
    """

    @declared_attr
    def school_id(cls) -> Mapped[int]:
        return mapped_column(sa.ForeignKey("schools.id"), index=True)

    sort_order: Mapped[int] = mapped_column(default=0)
    active_from: Mapped[date | None] = mapped_column(sa.Date)
    active_to: Mapped[date | None] = mapped_column(sa.Date)

    def is_active_on(self, day: date) -> bool:
        """Offered on `day` (both ends of the range included)."""
        return (self.active_from is None or self.active_from <= day) and (
            self.active_to is None or day <= self.active_to
        )


class ReferenceKind(LabelledEnum):
    """The plain-label lists kept in `reference_values`."""

    MEASURE = "measure"
    CPD_FOCUS = "cpd_focus"

    @property
    def label(self) -> str:
        return {"measure": "Intervention measures", "cpd_focus": "CPD focus areas"}[self.value]


class ReferenceValue(SchoolListMixin, Model):
    """An intervention measure or a CPD focus area the school offers on its forms."""

    __tablename__ = "reference_values"
    __table_args__ = (
        sa.UniqueConstraint("school_id", "kind", "name", name="uq_reference_values_name"),
        sa.CheckConstraint(
            "active_to IS NULL OR active_from IS NULL OR active_to >= active_from",
            name="active_range_ordered",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ReferenceKind] = mapped_column(enum_type(ReferenceKind, "reference_kind"))
    name: Mapped[str] = mapped_column(sa.String(200))
