"""Mentoring look-ups, always scoped to one school and to what the viewer may see."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import abort
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import selectinload

from school_tracker.extensions import db
from school_tracker.models import (
    MentoringPairing,
    MentoringSession,
    PairingStatus,
    Pupil,
    Role,
    User,
)

_LOAD = (
    selectinload(MentoringPairing.mentee),
    selectinload(MentoringPairing.mentor_user),
    selectinload(MentoringPairing.mentor_pupil),
)


def visible_to(user: User) -> sa.ColumnElement[bool]:
    """SQL condition: pairings this user may see (leaders all; staff mentor or created)."""
    in_school = MentoringPairing.school_id == user.school_id
    if user.role is Role.LEADER:
        return in_school
    if user.role is Role.STAFF:
        mine = sa.or_(
            MentoringPairing.mentor_user_id == user.id,
            MentoringPairing.created_by_id == user.id,
        )
        return sa.and_(in_school, mine)
    return sa.false()


def can_see_pairing(user: User, pairing: MentoringPairing) -> bool:
    """Python twin of `visible_to` for a loaded pairing."""
    if user.school_id is None or pairing.school_id != user.school_id:
        return False
    if user.role is Role.LEADER:
        return True
    return user.role is Role.STAFF and user.id in (pairing.mentor_user_id, pairing.created_by_id)


def get_pairing_or_404(pairing_id: int, *, user: User) -> MentoringPairing:
    """The pairing if the user may see it; 404 otherwise, so existence does not leak."""
    pairing = db.session.scalar(
        sa.select(MentoringPairing)
        .where(MentoringPairing.id == pairing_id, visible_to(user))
        .options(*_LOAD, selectinload(MentoringPairing.priorities))
    )
    if pairing is None:
        abort(404)
    return pairing


def list_pairings(user: User, status: PairingStatus | None, page: int, per_page: int) -> Pagination:
    """One page of the pairings the user may see, newest start first."""
    stmt = sa.select(MentoringPairing).where(visible_to(user)).options(*_LOAD)
    if status is not None:
        stmt = stmt.where(MentoringPairing.status == status)
    stmt = stmt.order_by(MentoringPairing.starts_on.desc(), MentoringPairing.id.desc())
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False, count=True)


def last_session_dates(pairing_ids: list[int]) -> dict[int, date]:
    """{pairing id: date of its latest session} for pairings that have one."""
    if not pairing_ids:
        return {}
    rows = db.session.execute(
        sa.select(MentoringSession.pairing_id, sa.func.max(MentoringSession.held_on))
        .where(MentoringSession.pairing_id.in_(pairing_ids))
        .group_by(MentoringSession.pairing_id)
    ).all()
    return dict(rows)


def session_totals(pairing_ids: list[int]) -> dict[int, int]:
    """{pairing id: sessions ever logged} for pairings that have any."""
    if not pairing_ids:
        return {}
    rows = db.session.execute(
        sa.select(MentoringSession.pairing_id, sa.func.count(MentoringSession.id))
        .where(MentoringSession.pairing_id.in_(pairing_ids))
        .group_by(MentoringSession.pairing_id)
    ).all()
    return dict(rows)


def session_counts(pairing_ids: list[int], starts: date, ends: date) -> dict[int, int]:
    """{pairing id: sessions held between two dates inclusive}."""
    if not pairing_ids:
        return {}
    rows = db.session.execute(
        sa.select(MentoringSession.pairing_id, sa.func.count(MentoringSession.id))
        .where(
            MentoringSession.pairing_id.in_(pairing_ids),
            MentoringSession.held_on.between(starts, ends),
        )
        .group_by(MentoringSession.pairing_id)
    ).all()
    return dict(rows)


@dataclass(frozen=True)
class CaseloadRow:
    """One of my pairings with its recent activity."""

    pairing: MentoringPairing
    sessions_this_term: int
    last_session_on: date | None


def mentor_pairings(user: User, statuses: tuple[PairingStatus, ...]) -> list[MentoringPairing]:
    """Pairings this user mentors, in the given states, oldest start first."""
    return list(
        db.session.scalars(
            sa.select(MentoringPairing)
            .where(
                MentoringPairing.school_id == user.school_id,
                MentoringPairing.mentor_user_id == user.id,
                MentoringPairing.status.in_(statuses),
            )
            .options(*_LOAD)
            .order_by(MentoringPairing.starts_on, MentoringPairing.id)
        )
    )


def caseload(user: User, starts: date, ends: date) -> list[CaseloadRow]:
    """My active and paused pairings with sessions in the term and the last session date."""
    pairings = mentor_pairings(user, (PairingStatus.ACTIVE, PairingStatus.PAUSED))
    ids = [p.id for p in pairings]
    counts, last = session_counts(ids, starts, ends), last_session_dates(ids)
    return [CaseloadRow(p, counts.get(p.id, 0), last.get(p.id)) for p in pairings]


def paused_since(school_id: int, cutoff: date) -> list[MentoringPairing]:
    """The school's pairings paused on or before `cutoff` and still paused."""
    return list(
        db.session.scalars(
            sa.select(MentoringPairing)
            .where(
                MentoringPairing.school_id == school_id,
                MentoringPairing.status == PairingStatus.PAUSED,
                MentoringPairing.paused_on <= cutoff,
            )
            .options(*_LOAD)
            .order_by(MentoringPairing.paused_on, MentoringPairing.id)
        )
    )


def pupil_pairings(pupil: Pupil, user: User) -> list[MentoringPairing]:
    """Pairings where the pupil is mentee or peer mentor, that the user may see."""
    return list(
        db.session.scalars(
            sa.select(MentoringPairing)
            .where(
                visible_to(user),
                sa.or_(
                    MentoringPairing.mentee_id == pupil.id,
                    MentoringPairing.mentor_pupil_id == pupil.id,
                ),
            )
            .options(*_LOAD)
        )
    )
