"""Who may see which risk flag, and the look-ups for the list, pupil timeline and home page.

Only leaders and the staff named on a flag may see it (docs/design.md section 3); everyone else is
answered 404 so a flag's existence does not leak. Of those, only leaders see the rationale
and agency details (R21).
"""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import abort
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import selectinload

from school_tracker.extensions import db
from school_tracker.models import (
    Pupil,
    RiskAction,
    RiskFlag,
    RiskLevel,
    RiskStatus,
    Role,
    User,
)
from school_tracker.models.risk import risk_flag_staff
from school_tracker.records.history import HistoryEntry, Subject, record_history

LIVE = (RiskStatus.OPEN, RiskStatus.MONITORING)
STATUS_FILTERS = {
    "live": RiskFlag.status.in_(LIVE),
    "open": RiskFlag.status == RiskStatus.OPEN,
    "monitoring": RiskFlag.status == RiskStatus.MONITORING,
    "closed": RiskFlag.status == RiskStatus.CLOSED,
    "all": sa.true(),
}


# A flag's rationale and agency details (R21); what they said earlier is leader-only too.
RESTRICTED_FIELDS = frozenset({"risk_factors", "protective_factors", "agencies", "agency_notes"})


def sees_restricted(user: User) -> bool:
    """Leaders see protective factors, agencies and reasons; named staff do not (R21)."""
    return user.role is Role.LEADER


def flag_history(user: User, flag: RiskFlag) -> list[HistoryEntry]:
    """The flag's earlier versions as this user may see them (R63): no rationale for staff.

    The reason given for an edit may explain the rationale, so it is leader-only as well,
    like the reasons in the level and status histories.
    """
    leader = sees_restricted(user)
    return record_history(
        Subject("risk_flag", flag.id),
        hidden=frozenset() if leader else RESTRICTED_FIELDS,
        show_reason=leader,
    )


def _named(user: User) -> sa.ColumnElement[bool]:
    return RiskFlag.id.in_(
        sa.select(risk_flag_staff.c.flag_id).where(risk_flag_staff.c.user_id == user.id)
    )


def visible_flags(user: User) -> sa.Select:
    """A select of the flags this user may see: leaders all in school, staff those named on."""
    stmt = sa.select(RiskFlag).where(RiskFlag.school_id == user.school_id)
    if user.role is Role.LEADER:
        return stmt
    if user.role is Role.STAFF:
        return stmt.where(_named(user))
    return stmt.where(sa.false())


def can_see_flag(user: User, flag: RiskFlag) -> bool:
    """The same rule as visible_flags, for a loaded flag."""
    if flag.school_id != user.school_id:
        return False
    if user.role is Role.LEADER:
        return True
    return user.role is Role.STAFF and any(s.id == user.id for s in flag.named_staff)


def get_flag_or_404(flag_id: int, *, user: User) -> RiskFlag:
    """The flag if this user may see it; 404 otherwise (missing, other school or not named)."""
    flag: RiskFlag | None = db.session.scalar(visible_flags(user).where(RiskFlag.id == flag_id))
    if flag is None:
        abort(404)
    return flag


def get_action_or_404(flag: RiskFlag, action_id: int) -> RiskAction:
    """One action of a flag already loaded for this user (its scope is the flag's)."""
    for action in flag.actions:
        if action.id == action_id:
            return action
    abort(404)


@dataclass(frozen=True)
class FlagFilters:
    """List filters, each checked against an allowlist by the view."""

    status: str = "live"
    level: RiskLevel | None = None


def flag_page(user: User, filters: FlagFilters, page: int, per_page: int) -> Pagination:
    """One page of the flags the user may see, most urgent review first."""
    stmt = (
        visible_flags(user)
        .where(STATUS_FILTERS[filters.status])
        .options(selectinload(RiskFlag.pupil), selectinload(RiskFlag.actions))
        .order_by(RiskFlag.status == RiskStatus.CLOSED, RiskFlag.review_on, RiskFlag.id)
    )
    if filters.level is not None:
        stmt = stmt.where(RiskFlag.level == filters.level)
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False, count=True)


def pupil_flags(user: User, pupil: Pupil) -> list[RiskFlag]:
    """The pupil's flags this user may see, newest first."""
    return list(
        db.session.scalars(
            visible_flags(user)
            .where(RiskFlag.pupil_id == pupil.id)
            .order_by(RiskFlag.raised_on.desc(), RiskFlag.id.desc())
        )
    )


def live_flags_named_on(user: User) -> list[RiskFlag]:
    """Open and monitoring flags a member of staff is named on, review soonest first."""
    return list(
        db.session.scalars(
            sa.select(RiskFlag)
            .where(RiskFlag.school_id == user.school_id, RiskFlag.status.in_(LIVE), _named(user))
            .options(selectinload(RiskFlag.pupil))
            .order_by(RiskFlag.review_on, RiskFlag.id)
        )
    )


def open_actions_owned_by(user: User) -> list[RiskAction]:
    """Undone actions the user owns, on live flags they may still see."""
    stmt = (
        sa.select(RiskAction)
        .join(RiskFlag, RiskFlag.id == RiskAction.flag_id)
        .where(
            RiskAction.owner_id == user.id,
            RiskAction.done_on.is_(None),
            RiskFlag.status.in_(LIVE),
            RiskFlag.id.in_(visible_flags(user).with_only_columns(RiskFlag.id)),
        )
        .options(selectinload(RiskAction.flag).selectinload(RiskFlag.pupil))
        .order_by(RiskAction.due_on, RiskAction.id)
    )
    return list(db.session.scalars(stmt))


def overdue_reviews(school_id: int, today: date, limit: int = 20) -> list[RiskFlag]:
    """Live flags whose review date has passed (leaders' home page)."""
    return list(
        db.session.scalars(
            sa.select(RiskFlag)
            .where(
                RiskFlag.school_id == school_id,
                RiskFlag.status.in_(LIVE),
                RiskFlag.review_on < today,
            )
            .options(selectinload(RiskFlag.pupil))
            .order_by(RiskFlag.review_on, RiskFlag.id)
            .limit(limit)
        )
    )


def high_flags_without_open_action(school_id: int, limit: int = 20) -> list[RiskFlag]:
    """Live high-level flags with no undone action (leaders' home page)."""
    open_action = sa.exists().where(RiskAction.flag_id == RiskFlag.id, RiskAction.done_on.is_(None))
    return list(
        db.session.scalars(
            sa.select(RiskFlag)
            .where(
                RiskFlag.school_id == school_id,
                RiskFlag.status.in_(LIVE),
                RiskFlag.level == RiskLevel.HIGH,
                ~open_action,
            )
            .options(selectinload(RiskFlag.pupil))
            .order_by(RiskFlag.raised_on, RiskFlag.id)
            .limit(limit)
        )
    )
