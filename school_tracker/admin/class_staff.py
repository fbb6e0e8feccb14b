"""Staff assigned to registration groups (issue 13 item 6): the groups, and audited changes.

Admins assign; the assigned staff and leaders see the group's pupils on "My class". Only
active staff and leaders can be assigned, the same people every staff picker offers, because
admins and governors may not read pupils' records (R24, R25).
"""

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import joinedload

from school_tracker.audit import record_audit
from school_tracker.extensions import db
from school_tracker.models import Pupil, RegistrationGroupStaff, User
from school_tracker.models.class_staff import group_sort_key
from school_tracker.records.pickers import school_staff


class ClassStaffError(ValueError):
    """An assignment the rules refuse, with the form field to show the message beside."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name


@dataclass
class GroupStaff:
    """One registration group: how many pupils on roll are in it, and who is assigned."""

    name: str
    pupils: int = 0
    assignments: list[RegistrationGroupStaff] = field(default_factory=list)


def on_roll_group_counts(school_id: int) -> dict[str, int]:
    """Each registration group of the school's on-roll pupils, with how many are in it."""
    rows = db.session.execute(
        sa.select(Pupil.registration_group, sa.func.count(Pupil.id))
        .where(
            Pupil.school_id == school_id,
            Pupil.leaving_date.is_(None),
            Pupil.registration_group.is_not(None),
        )
        .group_by(Pupil.registration_group)
    )
    return {group: count for group, count in rows if group}


def registration_groups(school_id: int) -> list[GroupStaff]:
    """Every group on the roll, and any group that still has staff but no pupils on roll.

    Two queries whatever the school's size: the roll's groups and the school's assignments.
    """
    groups = {
        name: GroupStaff(name, count) for name, count in on_roll_group_counts(school_id).items()
    }
    assignments = db.session.scalars(
        sa.select(RegistrationGroupStaff)
        .join(User, User.id == RegistrationGroupStaff.user_id)
        .where(RegistrationGroupStaff.school_id == school_id)
        .options(joinedload(RegistrationGroupStaff.user))
        .order_by(User.full_name, RegistrationGroupStaff.id)
    )
    for assignment in assignments:
        name = assignment.registration_group
        groups.setdefault(name, GroupStaff(name)).assignments.append(assignment)
    return sorted(groups.values(), key=lambda group: group_sort_key(group.name))


def get_assignment_or_404(assignment_id: int, *, school_id: int) -> RegistrationGroupStaff:
    """An assignment of this school; 404 for another school's or a missing one."""
    assignment = db.session.scalar(
        sa.select(RegistrationGroupStaff).where(
            RegistrationGroupStaff.id == assignment_id,
            RegistrationGroupStaff.school_id == school_id,
        )
    )
    if assignment is None:
        abort(404)
    return assignment


def assign_staff(
    school_id: int, group: str, user_id: int | None, *, by: User
) -> RegistrationGroupStaff:
    """Assign a member of staff to a group on the roll; refused if either is not this school's."""
    if group not in on_roll_group_counts(school_id):
        raise ClassStaffError(
            "registration_group",
            "No pupil on roll is in this group; import the roll or check the group's spelling.",
        )
    user = school_staff(school_id, user_id)
    if user is None:
        raise ClassStaffError("user_id", "Choose an active member of staff or leader.")
    already = db.session.scalar(
        sa.select(RegistrationGroupStaff.id).where(
            RegistrationGroupStaff.school_id == school_id,
            RegistrationGroupStaff.registration_group == group,
            RegistrationGroupStaff.user_id == user.id,
        )
    )
    if already is not None:
        raise ClassStaffError("user_id", f"{user.full_name} is already assigned to this group.")
    assignment = RegistrationGroupStaff(
        school_id=school_id, registration_group=group, user_id=user.id, added_by_id=by.id
    )
    db.session.add(assignment)
    db.session.flush()
    # By ids only: the group's name is classified like the pupil's own; the row holds it.
    record_audit(
        by,
        "assign",
        "class_staff",
        assignment.id,
        school_id=school_id,
        changes={"user_id": user.id},
    )
    return assignment


def remove_staff(assignment: RegistrationGroupStaff, *, by: User) -> None:
    """End an assignment: the person no longer sees that group on "My class"."""
    record_audit(
        by,
        "remove",
        "class_staff",
        assignment.id,
        school_id=assignment.school_id,
        changes={"user_id": assignment.user_id},
    )
    db.session.delete(assignment)
    db.session.flush()
