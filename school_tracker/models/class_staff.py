"""Staff assigned to a registration group: who sees that class on "My class" (issue 13 item 6)."""

import re
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from school_tracker.extensions import Model
from school_tracker.models.user import User
from school_tracker.orm import UTCDateTime, utcnow

# pupils.registration_group's size: an assignment names a group exactly as the roll spells it.
REGISTRATION_GROUP_LENGTH = 20


class RegistrationGroupStaff(Model):
    """One member of staff (a tutor, class teacher or TA) assigned to one registration group.

    The group is the roll's free string (e.g. "7B"), not a table of its own: the MIS owns the
    groups, and an assignment whose group no longer has pupils simply shows nobody.
    """

    __tablename__ = "registration_group_staff"
    __table_args__ = (
        sa.UniqueConstraint(
            "school_id", "registration_group", "user_id", name="uq_registration_group_staff"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id"), index=True)
    registration_group: Mapped[str] = mapped_column(sa.String(REGISTRATION_GROUP_LENGTH))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    # None when the roll import ran from the command line.
    added_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


def group_sort_key(name: str) -> tuple[tuple[int, str], ...]:
    """Natural order for group names, so "10A" follows "9B" rather than "1A"."""
    parts = re.split(r"(\d+)", name.casefold())
    return tuple((int(part), "") if part.isdigit() else (-1, part) for part in parts if part)
