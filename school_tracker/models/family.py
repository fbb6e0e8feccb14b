"""Structured conversations with parents and carers (AfA priority P5)."""

import enum
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from school_tracker.extensions import Model
from school_tracker.models.priority import Priority
from school_tracker.models.pupil import Pupil
from school_tracker.models.record import RecordMixin, priority_link_table
from school_tracker.models.user import User
from school_tracker.orm import enum_type


class CarerRelationship(enum.Enum):
    """How the parent or carer is related to the pupil."""

    MOTHER = "mother"
    FATHER = "father"
    STEP_PARENT = "step_parent"
    GRANDPARENT = "grandparent"
    FOSTER_CARER = "foster_carer"
    KINSHIP_CARER = "kinship_carer"
    OTHER_RELATIVE = "other_relative"
    OTHER = "other"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize().replace("Step parent", "Step-parent")


parent_conversation_priorities = priority_link_table(
    "parent_conversation_priorities", "parent_conversations"
)


class ParentConversation(RecordMixin, Model):
    """A structured conversation: what the family said, what the school said, what was agreed."""

    __tablename__ = "parent_conversations"
    __table_args__ = (
        sa.Index("ix_parent_conversations_school_held", "school_id", "held_on"),
        sa.Index("ix_parent_conversations_lead_follow_up", "led_by_id", "follow_up_on"),
        sa.CheckConstraint(
            "follow_up_on IS NULL OR follow_up_on >= held_on", name="follow_up_after_held"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(sa.ForeignKey("pupils.id"), index=True)
    carer_name: Mapped[str] = mapped_column(sa.String(120))
    carer_relationship: Mapped[CarerRelationship] = mapped_column(
        enum_type(CarerRelationship, "carer_relationship")
    )
    led_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    held_on: Mapped[date] = mapped_column(sa.Date)
    family_said: Mapped[str] = mapped_column(sa.Text, default="")
    school_said: Mapped[str] = mapped_column(sa.Text, default="")
    agreed_actions: Mapped[str] = mapped_column(sa.Text, default="")
    follow_up_on: Mapped[date | None] = mapped_column(sa.Date)
    follow_up_done_on: Mapped[date | None] = mapped_column(sa.Date)

    pupil: Mapped[Pupil] = relationship()
    led_by: Mapped[User] = relationship(foreign_keys=[led_by_id])
    created_by: Mapped[User | None] = relationship(foreign_keys="ParentConversation.created_by_id")
    priorities: Mapped[list[Priority]] = relationship(
        secondary=parent_conversation_priorities, order_by=Priority.sort_order
    )

    def follow_up_due(self, today: date) -> bool:
        """A follow-up date has arrived and nobody has marked it done."""
        return (
            self.follow_up_on is not None
            and self.follow_up_done_on is None
            and self.follow_up_on <= today
        )
