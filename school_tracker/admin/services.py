"""Account management: every change is checked, audited and scoped to one school."""

import sqlalchemy as sa

from school_tracker.alerts.services import raise_alert
from school_tracker.audit import record_audit
from school_tracker.auth.passwords import UNUSABLE_PASSWORD_HASH, hash_password
from school_tracker.auth.services import issue_activation_code, normalise_email
from school_tracker.extensions import db
from school_tracker.models import AlertKind, Role, School, User


class AccountError(ValueError):
    """A change the rules refuse, with a message for the admin."""


def school_users(school_id: int) -> list[User]:
    """Everyone with an account at this school, active first, then by name."""
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.school_id == school_id)
            .order_by(User.active.desc(), User.full_name)
        )
    )


def get_school_user_or_none(school_id: int, user_id: int) -> User | None:
    """A user of this school, or None (callers answer 404)."""
    return db.session.scalar(sa.select(User).where(User.id == user_id, User.school_id == school_id))


def create_user(
    school: School,
    *,
    email: str,
    full_name: str,
    role: Role,
    by: User | None,
    password: str | None = None,
) -> tuple[User, str | None]:
    """A new account; without a password it gets a one-time activation code instead."""
    email = normalise_email(email)
    if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise AccountError(f"An account with the e-mail {email} already exists.")
    user = User(
        trust_id=school.trust_id,
        school=school,
        email=email,
        full_name=full_name,
        role=role,
        # Unusable until activated: no password hashes to this random value.
        password_hash=hash_password(password) if password else UNUSABLE_PASSWORD_HASH,
    )
    db.session.add(user)
    db.session.flush()
    record_audit(by, "create", "user", user.id, school_id=school.id, changes={"role": role.value})
    code = None if password else issue_activation_code(user, by=by)
    return user, code


def _active_admins(school_id: int | None) -> int:
    return db.session.execute(
        sa.select(sa.func.count(User.id)).where(
            User.school_id == school_id, User.role == Role.ADMIN, User.active
        )
    ).scalar_one()


def change_role(user: User, role: Role, *, by: User) -> None:
    """Change a role; refuses to remove the school's last active admin or your own admin role."""
    if user.role == role:
        return
    if user.id == by.id:
        raise AccountError("You can't change your own role; ask another admin.")
    if user.role is Role.ADMIN and user.active and _active_admins(user.school_id) <= 1:
        raise AccountError("This is the school's only active admin; make another admin first.")
    old = user.role
    user.role = role
    user.end_all_sessions()  # permissions change now, not at the next sign-in
    record_audit(by, "change_role", "user", user.id, changes={"role": [old.value, role.value]})
    raise_alert(user, AlertKind.ROLE_CHANGED, by=by)


def set_active(user: User, active: bool, *, by: User) -> None:
    """Deactivate (ending every session) or reactivate an account."""
    if user.active == active:
        return
    if not active and user.id == by.id:
        raise AccountError("You can't deactivate your own account.")
    if not active and user.role is Role.ADMIN and _active_admins(user.school_id) <= 1:
        raise AccountError("This is the school's only active admin; make another admin first.")
    user.active = active
    user.end_all_sessions()
    record_audit(by, "activate" if active else "deactivate", "user", user.id)


def end_sessions(user: User, *, by: User) -> None:
    """Sign a user out of every browser."""
    user.end_all_sessions()
    record_audit(by, "end_sessions", "user", user.id)
    raise_alert(user, AlertKind.SIGNED_OUT_EVERYWHERE, by=by)


def end_everyones_sessions(school_id: int, *, by: User) -> int:
    """Sign out every account of the school, the admin included; returns how many."""
    users = school_users(school_id)
    for user in users:
        user.end_all_sessions()
    record_audit(by, "end_all_sessions", "school", school_id, changes={"accounts": len(users)})
    return len(users)
