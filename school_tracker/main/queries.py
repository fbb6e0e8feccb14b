"""Read-only figures for the home page."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from school_tracker.extensions import db
from school_tracker.models import AuditEntry, Pupil, User
from school_tracker.permissions import STAFF_LEADERS_AND_ADMINS

# How each change to someone's sign-in reads on their own home page (R8), and for how
# long it is shown: long enough to be seen after a holiday.
CREDENTIAL_CHANGES = {
    "password_set": "Your password was set or changed",
    "mfa_enrolled": "Two-factor sign-in was turned on",
    "mfa_removed": "Two-factor sign-in was turned off",
    "change_role": "Your role was changed by an admin",
    "end_sessions": "An admin signed you out everywhere",
}
NOTICE_DAYS = 21


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


@dataclass(frozen=True)
class CredentialNotice:
    """A recent change to how this person signs in, so they notice one they did not make."""

    at: datetime
    text: str


def credential_notices(user: User, now: datetime) -> list[CredentialNotice]:
    """The last few changes to this user's password, two-factor sign-in or role."""
    entries = db.session.scalars(
        sa.select(AuditEntry)
        .where(
            AuditEntry.entity_type == "user",
            AuditEntry.entity_id == user.id,
            AuditEntry.action.in_(CREDENTIAL_CHANGES),
            AuditEntry.at >= now - timedelta(days=NOTICE_DAYS),
        )
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(5)
    )
    return [CredentialNotice(entry.at, CREDENTIAL_CHANGES[entry.action]) for entry in entries]
