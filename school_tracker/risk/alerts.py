"""Who hears about a risk flag: the staff named on it, an action's owner, and its raiser when
the review falls overdue (issue 14). Registered with the alerts package by `create_app`."""

from collections.abc import Iterable
from datetime import date

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import selectinload

from school_tracker.alerts.services import raise_alert
from school_tracker.alerts.targets import AlertTarget, DueAlert, oldest_due
from school_tracker.extensions import db
from school_tracker.models import AlertKind, RiskAction, RiskFlag, User
from school_tracker.risk.queries import LIVE, can_see_flag

FLAG = "risk_flag"
ACTION = "risk_action"


def _may_see_flag(user: User, flag_id: int) -> bool:
    flag = db.session.get(RiskFlag, flag_id)
    return flag is not None and can_see_flag(user, flag)


def _may_see_action(user: User, action_id: int) -> bool:
    action = db.session.get(RiskAction, action_id)
    return action is not None and can_see_flag(user, action.flag)


def _flag_url(flag_id: int) -> str:
    return url_for("risk.detail", flag_id=flag_id)


def _action_url(action_id: int) -> str:
    action = db.session.get_one(RiskAction, action_id)
    return url_for("risk.detail", flag_id=action.flag_id, _anchor="actions")


FLAG_TARGET = AlertTarget("risk flag", _may_see_flag, _flag_url)
ACTION_TARGET = AlertTarget("risk flag", _may_see_action, _action_url)


def alert_named_staff(flag: RiskFlag, staff: Iterable[User], *, by: User) -> None:
    """Tell each person named on the flag (once per flag; not the person who named them)."""
    for person in staff:
        raise_alert(person, AlertKind.FLAG_NAMED, by=by, record_type=FLAG, record_id=flag.id)


def alert_action_owner(action: RiskAction, *, by: User) -> None:
    """Tell an action's owner it is theirs (once per action)."""
    raise_alert(action.owner, AlertKind.FLAG_ACTION, by=by, record_type=ACTION, record_id=action.id)


def flag_reviews_overdue(today: date) -> list[DueAlert]:
    """Live flags past their review date, for whoever raised them (if they may still see it).

    A flag has no lead of its own; the person who raised it is the one following it. Leaders
    see every overdue review on their home page as well.
    """
    flags = db.session.scalars(
        sa.select(RiskFlag)
        .where(
            RiskFlag.status.in_(LIVE),
            RiskFlag.review_on < today,
            RiskFlag.review_on >= oldest_due(today),
        )
        .options(selectinload(RiskFlag.raised_by), selectinload(RiskFlag.named_staff))
        .order_by(RiskFlag.id)
    )
    return [
        DueAlert(flag.raised_by, AlertKind.FLAG_REVIEW_OVERDUE, FLAG, flag.id, flag.review_on)
        for flag in flags
    ]
