"""Kindness look-ups: the wall, counts by value, lists and a pupil's moments."""

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask import abort
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import selectinload

from school_tracker.extensions import db
from school_tracker.models import (
    KindnessGiver,
    KindnessMoment,
    KindnessMomentValue,
    KindnessValue,
    KindPersonKind,
    Pupil,
    Role,
    User,
)
from school_tracker.models.kindness import gave_or_received

WALL_DAYS = 60
_LOAD = (
    selectinload(KindnessMoment.giver_rows).selectinload(KindnessGiver.pupil),
    selectinload(KindnessMoment.receiver_pupil),
    selectinload(KindnessMoment.value_rows),
)


def first_name(pupil: Pupil) -> str:
    """A pupil as the wall shows them: preferred forename only."""
    return pupil.preferred_forename or pupil.legal_forename


@dataclass(frozen=True)
class WallCard:
    """One moment as the wall shows it: first names only, so the wall stays kind and safe."""

    moment_id: int
    occurred_on: date
    giver: str
    receiver: str | None
    description: str
    values: tuple[KindnessValue, ...]
    several: bool = False  # pupils or a class: "were kind"


NAMES_SHOWN = 3  # beyond this, "and 4 others": a card or a table cell stays a line or two


def _pupils(count: int) -> str:
    return "1 pupil" if count == 1 else f"{count} pupils"


def some_names(names: list[str]) -> str:
    """ "Amy", "Amy and Ben", "Amy, Ben and Cal", "Amy, Ben, Cal and 4 others"."""
    if len(names) > NAMES_SHOWN:
        rest = len(names) - NAMES_SHOWN
        return f"{', '.join(names[:NAMES_SHOWN])} and {rest} other{'s' if rest > 1 else ''}"
    if len(names) > 1:
        return f"{', '.join(names[:-1])} and {names[-1]}"
    return names[0] if names else ""


def _giver(moment: KindnessMoment) -> str:
    if moment.giver_group:
        return moment.giver_group  # a class celebrated as a class
    if moment.giver_rows:
        return some_names([first_name(pupil) for pupil in moment.giver_pupils])
    return moment.giver_name or moment.giver_kind.label


def wall_card(moment: KindnessMoment) -> WallCard:
    """The wall's view of a moment."""
    receiver = moment.receiver_name
    if moment.receiver_pupil is not None:
        receiver = first_name(moment.receiver_pupil)
    return WallCard(
        moment.id,
        moment.occurred_on,
        _giver(moment),
        receiver,
        moment.description,
        tuple(moment.values),
        several=len(moment.giver_rows) > 1 or moment.giver_group is not None,
    )


def wall(school_id: int, today: date, page: int, per_page: int) -> Pagination:
    """Shown moments from the last WALL_DAYS days, newest first."""
    stmt = (
        sa.select(KindnessMoment)
        .where(
            KindnessMoment.school_id == school_id,
            KindnessMoment.hidden.is_(False),
            KindnessMoment.occurred_on >= today - timedelta(days=WALL_DAYS),
            KindnessMoment.occurred_on <= today,
        )
        .options(*_LOAD)
        .order_by(KindnessMoment.occurred_on.desc(), KindnessMoment.id.desc())
    )
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False, count=True)


def value_counts(school_id: int, starts: date, ends: date) -> list[tuple[KindnessValue, int]]:
    """Shown moments per value between two dates, every value listed (zeros too)."""
    rows = db.session.execute(
        sa.select(KindnessMomentValue.value, sa.func.count())
        .join(KindnessMoment, KindnessMoment.id == KindnessMomentValue.moment_id)
        .where(
            KindnessMoment.school_id == school_id,
            KindnessMoment.hidden.is_(False),
            KindnessMoment.occurred_on.between(starts, ends),
        )
        .group_by(KindnessMomentValue.value)
    ).all()
    counts = dict(rows)
    return [(value, counts.get(value, 0)) for value in KindnessValue]


def visible_to(user: User) -> sa.ColumnElement[bool]:
    """Moments a user may open: leaders all; staff shown ones and those they recorded."""
    in_school = KindnessMoment.school_id == user.school_id
    if user.role is Role.LEADER:
        return in_school
    if user.role is Role.STAFF:
        return sa.and_(
            in_school,
            sa.or_(KindnessMoment.hidden.is_(False), KindnessMoment.created_by_id == user.id),
        )
    return sa.false()


def can_edit(user: User, moment: KindnessMoment) -> bool:
    """The person who recorded a moment, or a leader, may edit it."""
    return user.role is Role.LEADER or moment.created_by_id == user.id


def get_moment_or_404(moment_id: int, *, user: User) -> KindnessMoment:
    """The moment if the user may open it; 404 otherwise."""
    moment = db.session.scalar(
        sa.select(KindnessMoment)
        .where(KindnessMoment.id == moment_id, visible_to(user))
        .options(*_LOAD, selectinload(KindnessMoment.priorities))
    )
    if moment is None:
        abort(404)
    return moment


def list_moments(user: User, hidden_only: bool, page: int, per_page: int) -> Pagination:
    """Leaders: every moment (or only hidden ones); staff: the moments they recorded."""
    stmt = sa.select(KindnessMoment).where(visible_to(user)).options(*_LOAD)
    if user.role is not Role.LEADER:
        stmt = stmt.where(KindnessMoment.created_by_id == user.id)
    if hidden_only:
        stmt = stmt.where(KindnessMoment.hidden.is_(True))
    stmt = stmt.order_by(KindnessMoment.occurred_on.desc(), KindnessMoment.id.desc())
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False, count=True)


def pupil_moments(pupil: Pupil, user: User) -> list[KindnessMoment]:
    """Moments where the pupil was kind or was shown kindness, that the user may open."""
    return list(
        db.session.scalars(
            sa.select(KindnessMoment)
            .where(
                visible_to(user),
                gave_or_received(pupil.id),
            )
            .options(*_LOAD)
        )
    )


def giver_label(moment: KindnessMoment) -> str:
    """Who was kind as staff pages show them: "7B (28 pupils)", or pupils' full names."""
    if moment.giver_kind is KindPersonKind.PUPIL:
        if moment.giver_group:
            # Every pupil recorded as kind, including any picked besides the group.
            return f"{moment.giver_group} ({_pupils(len(moment.giver_rows))})"
        return some_names([pupil.display_name for pupil in moment.giver_pupils])
    return f"{moment.giver_name} ({moment.giver_kind.label.lower()})"
