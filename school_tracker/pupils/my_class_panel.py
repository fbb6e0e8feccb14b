"""The home page's "My class" panel: a tutor's groups, a click away from their class page."""

import sqlalchemy as sa
from flask import url_for

from school_tracker.extensions import db
from school_tracker.models import Pupil, RegistrationGroupStaff, User
from school_tracker.models.class_staff import group_sort_key
from school_tracker.permissions import STAFF_AND_LEADERS
from school_tracker.records.timeline import HomeItem, HomePanel


def my_class_home(user: User) -> list[HomePanel]:
    """One line per group the person is assigned to, with its pupils on roll; none without."""
    if user.role not in STAFF_AND_LEADERS:
        return []
    on_roll = sa.and_(
        Pupil.school_id == RegistrationGroupStaff.school_id,
        Pupil.registration_group == RegistrationGroupStaff.registration_group,
        Pupil.leaving_date.is_(None),
    )
    counts = db.session.execute(
        sa.select(RegistrationGroupStaff.registration_group, sa.func.count(Pupil.id))
        .outerjoin(Pupil, on_roll)
        .where(
            RegistrationGroupStaff.user_id == user.id,
            RegistrationGroupStaff.school_id == user.school_id,
        )
        .group_by(RegistrationGroupStaff.registration_group)
    ).all()
    if not counts:
        return []  # most staff tutor no group: no empty panel for them
    page = url_for("pupils.my_class_page")
    items = [
        HomeItem(text=f"{group}: {count} pupil{'' if count == 1 else 's'}", url=page)
        for group, count in sorted(counts, key=lambda row: group_sort_key(row[0]))
    ]
    return [HomePanel(title="My class", items=items, order=10)]
