"""Demo class staff: a teacher for every registration group, so "My class" has pupils at once.

Draws nothing from the seed's random stream, so the records seeded before and after it stay
the same as they were without it.
"""

import sqlalchemy as sa

from school_tracker.extensions import db
from school_tracker.models import Pupil, RegistrationGroupStaff, Role, School, User
from school_tracker.models.class_staff import group_sort_key

# The demo sign-ins who also teach a class: the staff sign-in a Year 3 class, the leader a
# Year 6 one (so a leader's class page shows its flags column).
SIGN_IN_CLASSES = {"staff@demo.school": "3A", "leader@demo.school": "6A"}


def seed_class_staff(school: School) -> int:
    """Assign the school's staff to its registration groups, one teacher each, in turn."""
    named = db.session.scalars(
        sa.select(Pupil.registration_group).where(Pupil.school_id == school.id).distinct()
    )
    groups = sorted({group for group in named if group}, key=group_sort_key)
    people = {
        user.email: user
        for user in db.session.scalars(
            sa.select(User).where(
                User.school_id == school.id, User.role.in_([Role.STAFF, Role.LEADER])
            )
        )
    }
    teachers = [
        user
        for email, user in sorted(people.items())
        if user.role is Role.STAFF and email not in SIGN_IN_CLASSES
    ]
    pairs = {(group, teachers[index % len(teachers)].id) for index, group in enumerate(groups)}
    for email, group in SIGN_IN_CLASSES.items():
        if email in people and group in groups:
            pairs.add((group, people[email].id))
    db.session.add_all(
        RegistrationGroupStaff(school_id=school.id, registration_group=group, user_id=user_id)
        for group, user_id in sorted(pairs)
    )
    return len(pairs)
