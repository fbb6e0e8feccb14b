"""Read-only figures for the home page."""

from dataclasses import dataclass

import sqlalchemy as sa

from school_tracker.extensions import db
from school_tracker.models import Pupil, User
from school_tracker.permissions import STAFF_LEADERS_AND_ADMINS


@dataclass(frozen=True)
class HomeSummary:
    """Headline counts for the signed-in user's school (None where the role sees none)."""

    school_name: str | None
    pupils_on_roll: int | None
    active_users: int | None


def home_summary(user: User) -> HomeSummary:
    """Counts scoped to the user's own school; governors and trust leaders get no pupil counts."""
    if user.school_id is None:
        return HomeSummary(None, None, None)
    school_name = user.school.name if user.school else None
    if user.role not in STAFF_LEADERS_AND_ADMINS:
        return HomeSummary(school_name, None, None)
    on_roll = db.session.scalar(
        sa.select(sa.func.count(Pupil.id)).where(
            Pupil.school_id == user.school_id, Pupil.leaving_date.is_(None)
        )
    )
    users = db.session.scalar(
        sa.select(sa.func.count(User.id)).where(User.school_id == user.school_id, User.active)
    )
    return HomeSummary(school_name, on_roll, users)
