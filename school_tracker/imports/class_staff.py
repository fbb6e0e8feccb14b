"""The roll file's optional Tutor column: staff assigned to registration groups (issue 13 item 6).

A row's tutor e-mail must be an active member of staff or leader of the importing school, and
the row must give the pupil's registration group; anything else is an error on that row, as a
bad value is. On confirmation each (group, person) pair not yet assigned is added. Without the
column nothing here runs, and no assignment is ever removed by an import.
"""

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from school_tracker.extensions import db
from school_tracker.imports.parser import HEADER_SYNONYMS, ParseResult, PupilRow, RowError
from school_tracker.models import RegistrationGroupStaff, User
from school_tracker.models.class_staff import group_sort_key
from school_tracker.orm import utcnow
from school_tracker.permissions import STAFF_AND_LEADERS

FIELD = "tutor_email"


@dataclass(frozen=True)
class TutorAssignment:
    """A member of staff the file assigns to a group, and whether that is new."""

    registration_group: str
    user_id: int
    name: str
    new: bool


def _staff_by_email(school_id: int, emails: Iterable[str]) -> dict[str, User]:
    """The school's active staff and leaders among these addresses (one query)."""
    wanted = sorted(set(emails))
    if not wanted:
        return {}
    found = db.session.scalars(
        sa.select(User).where(
            User.email.in_(wanted),
            User.school_id == school_id,
            User.active.is_(True),
            User.role.in_(STAFF_AND_LEADERS),
        )
    )
    return {user.email: user for user in found}


def check_tutor_emails(result: ParseResult, school_id: int) -> None:
    """Turn each row naming someone who cannot be assigned into a row error (and drop the row).

    The same message whether the address is unknown, another school's or not a teaching
    account, so the file cannot be used to learn who has an account elsewhere in the trust.
    """
    named = [row for row in result.rows if row.tutor_email]
    if not named:
        return
    column = result.headers_matched.get(FIELD, HEADER_SYNONYMS[FIELD][0])
    group_column = result.headers_matched.get("registration_group", "registration_group")
    staff = _staff_by_email(school_id, (row.tutor_email or "" for row in named))
    refused: set[int] = set()
    for row in named:
        if row.tutor_email not in staff:
            message = (
                f"{row.tutor_email} is not the e-mail of an active member of staff or leader "
                "at this school; check the address or create their account first"
            )
            result.errors.append(RowError(row.row_number, column, message))
            refused.add(row.row_number)
        elif not row.registration_group:
            message = "names a tutor, so the pupil's registration group is needed in this row"
            result.errors.append(RowError(row.row_number, group_column, message))
            refused.add(row.row_number)
    if refused:
        result.rows = [row for row in result.rows if row.row_number not in refused]
        result.errors.sort(key=lambda error: error.row)


def plan_tutors(school_id: int, rows: list[PupilRow]) -> list[TutorAssignment]:
    """Each (group, person) pair the file names, marked new unless already assigned.

    Rows checked at the upload are planned again at confirmation: someone deactivated since
    is left out rather than assigned.
    """
    pairs = {
        (row.registration_group, row.tutor_email)
        for row in rows
        if row.tutor_email and row.registration_group
    }
    if not pairs:
        return []
    staff = _staff_by_email(school_id, (email for _, email in pairs))
    existing = {
        (group, user_id)
        for group, user_id in db.session.execute(
            sa.select(
                RegistrationGroupStaff.registration_group, RegistrationGroupStaff.user_id
            ).where(RegistrationGroupStaff.school_id == school_id)
        )
    }
    planned = [
        TutorAssignment(group, user.id, user.full_name, (group, user.id) not in existing)
        for group, email in pairs
        if (user := staff.get(email)) is not None
    ]
    return sorted(planned, key=lambda a: (group_sort_key(a.registration_group), a.name))


def assign_tutors(school_id: int, planned: list[TutorAssignment], by: User | None) -> int:
    """Add the new assignments in one statement; the import's own audit entry counts them."""
    rows = [
        {
            "school_id": school_id,
            "registration_group": assignment.registration_group,
            "user_id": assignment.user_id,
            "added_by_id": by.id if by else None,
            "added_at": utcnow(),
        }
        for assignment in planned
        if assignment.new
    ]
    if rows:
        db.session.execute(sa.insert(RegistrationGroupStaff), rows)
    return len(rows)
