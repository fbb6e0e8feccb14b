"""Kindness moments (P1) and the values they show (docs/design.md sections 2 and 5)."""

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
from school_tracker.orm import UTCDateTime, enum_type


class KindPersonKind(enum.Enum):
    """Who was kind: a pupil, a member of staff, a parent or carer, or a community member."""

    PUPIL = "pupil"
    STAFF = "staff"
    PARENT = "parent"
    COMMUNITY = "community"

    @property
    def label(self) -> str:
        return {
            "pupil": "A pupil",
            "staff": "A member of staff",
            "parent": "A parent or carer",
            "community": "Someone from the community",
        }[self.value]


class KindnessValue(LabelledEnum):
    """The five values (docs/design.md section 2); values equal `reference.KINDNESS_VALUES`."""

    TOLERANCE = "tolerance"
    PATIENCE = "patience"
    FRIENDSHIP = "friendship"
    CREATIVITY = "creativity"
    PROBLEM_SOLVING = "problem solving"


kindness_moment_priorities = priority_link_table("kindness_moment_priorities", "kindness_moments")


class KindnessMoment(RecordMixin, Model):
    """Someone was kind: who, to whom, what happened and which values it showed."""

    __tablename__ = "kindness_moments"
    __table_args__ = (
        # A pupil giver is one or more rows of kindness_moment_givers (checked by the service).
        sa.CheckConstraint(
            "(giver_kind = 'pupil' AND giver_name IS NULL)"
            " OR (giver_kind <> 'pupil' AND giver_name IS NOT NULL AND giver_group IS NULL)",
            name="one_giver",
        ),
        sa.CheckConstraint(
            "receiver_pupil_id IS NULL OR receiver_name IS NULL", name="one_receiver"
        ),
        sa.CheckConstraint(
            "hidden = false OR (hidden_reason IS NOT NULL AND hidden_at IS NOT NULL)",
            name="hidden_has_reason",
        ),
        sa.Index("ix_kindness_moments_school_on", "school_id", "occurred_on"),
        sa.Index("ix_kindness_moments_school_hidden_on", "school_id", "hidden", "occurred_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    giver_kind: Mapped[KindPersonKind] = mapped_column(enum_type(KindPersonKind, "kind_person"))
    # The registration group the moment was given by, as it was called that day ("7B"); its
    # pupils on roll that day are rows of `giver_rows`, like any pupil picked one by one.
    giver_group: Mapped[str | None] = mapped_column(sa.String(20))
    giver_name: Mapped[str | None] = mapped_column(sa.String(120))
    receiver_pupil_id: Mapped[int | None] = mapped_column(sa.ForeignKey("pupils.id"), index=True)
    receiver_name: Mapped[str | None] = mapped_column(sa.String(120))
    description: Mapped[str] = mapped_column(sa.Text)
    occurred_on: Mapped[date] = mapped_column(sa.Date)
    hidden: Mapped[bool] = mapped_column(default=False)
    hidden_reason: Mapped[str | None] = mapped_column(sa.Text)
    hidden_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    giver_rows: Mapped[list["KindnessGiver"]] = relationship(
        back_populates="moment", cascade="all, delete-orphan", passive_deletes=True
    )
    receiver_pupil: Mapped[Pupil | None] = relationship(foreign_keys=[receiver_pupil_id])
    created_by: Mapped[User | None] = relationship(foreign_keys="KindnessMoment.created_by_id")
    hidden_by: Mapped[User | None] = relationship(foreign_keys=[hidden_by_id])
    priorities: Mapped[list[Priority]] = relationship(
        secondary=kindness_moment_priorities, order_by=Priority.sort_order
    )
    value_rows: Mapped[list["KindnessMomentValue"]] = relationship(
        back_populates="moment",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="KindnessMomentValue.value",
    )

    @property
    def values(self) -> list[KindnessValue]:
        """The values shown, in the order docs/design.md lists them."""
        chosen = {row.value for row in self.value_rows}
        return [value for value in KindnessValue if value in chosen]

    @property
    def giver_pupil_ids(self) -> list[int]:
        """The pupils who were kind, by id (how a record version keeps them: never names)."""
        return sorted(row.pupil_id for row in self.giver_rows)

    @property
    def giver_pupils(self) -> list[Pupil]:
        """The pupils who were kind, by surname then forename."""
        pupils = [row.pupil for row in self.giver_rows]
        return sorted(pupils, key=lambda p: (p.legal_surname, p.legal_forename, p.id))


class KindnessMomentValue(Model):
    """One value a moment showed (a row per value, so counts by value are a GROUP BY)."""

    __tablename__ = "kindness_moment_values"

    moment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("kindness_moments.id", ondelete="CASCADE"), primary_key=True
    )
    value: Mapped[KindnessValue] = mapped_column(
        enum_type(KindnessValue, "kindness_value"), primary_key=True
    )

    moment: Mapped[KindnessMoment] = relationship(back_populates="value_rows")


class KindnessGiver(Model):
    """One pupil who was kind in a moment: a row each, so a class counts each pupil once."""

    __tablename__ = "kindness_moment_givers"

    moment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("kindness_moments.id", ondelete="CASCADE"), primary_key=True
    )
    # Indexed on its own: "moments this pupil gave" (timeline, subject access, retention holds).
    pupil_id: Mapped[int] = mapped_column(sa.ForeignKey("pupils.id"), primary_key=True, index=True)

    moment: Mapped[KindnessMoment] = relationship(back_populates="giver_rows")
    pupil: Mapped[Pupil] = relationship()


def gave_or_received(pupil_id: int) -> sa.ColumnElement[bool]:
    """Moments in which this pupil was one of the kind pupils or the one shown kindness."""
    return sa.or_(
        KindnessMoment.receiver_pupil_id == pupil_id,
        KindnessMoment.id.in_(
            sa.select(KindnessGiver.moment_id).where(KindnessGiver.pupil_id == pupil_id)
        ),
    )


def names_a_pupil_where(*conditions: sa.ColumnElement[bool]) -> sa.ColumnElement[bool]:
    """Moments whose receiver or any giver is a pupil meeting `conditions` (on `Pupil`).

    Two EXISTS, each an index lookup per moment, rather than one OR the planner can't use.
    """
    return sa.or_(
        sa.exists().where(Pupil.id == KindnessMoment.receiver_pupil_id, *conditions),
        sa.exists().where(
            KindnessGiver.moment_id == KindnessMoment.id,
            Pupil.id == KindnessGiver.pupil_id,
            *conditions,
        ),
    )
