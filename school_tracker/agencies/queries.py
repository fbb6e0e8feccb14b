"""Agency involvement look-ups, scoped to one school and to what the viewer may see."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import abort
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import selectinload

from school_tracker.agencies.services import visible_to
from school_tracker.extensions import db
from school_tracker.models import Agency, AgencyInvolvement, Pupil, RiskFlag, Role, User
from school_tracker.models.risk import risk_flag_agencies, risk_flag_staff


def list_involvements(
    school_id: int, user: User, *, open_only: bool, page: int, per_page: int
) -> Pagination:
    """One page of involvements the user may see, overdue next steps first, then newest."""
    stmt = (
        sa.select(AgencyInvolvement)
        .where(AgencyInvolvement.school_id == school_id, visible_to(user))
        .options(
            selectinload(AgencyInvolvement.pupil),
            selectinload(AgencyInvolvement.agency),
        )
        .order_by(AgencyInvolvement.referred_on.desc(), AgencyInvolvement.id.desc())
    )
    if open_only:
        stmt = stmt.where(AgencyInvolvement.ended_on.is_(None))
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False, count=True)


def get_involvement_or_404(involvement_id: int, *, user: User) -> AgencyInvolvement:
    """The involvement if it is in the user's school and they may see it; 404 otherwise."""
    record = db.session.scalar(
        sa.select(AgencyInvolvement).where(
            AgencyInvolvement.id == involvement_id,
            AgencyInvolvement.school_id == user.school_id,
            visible_to(user),
        )
    )
    if record is None:
        abort(404)
    return record


def pupil_involvements(pupil: Pupil, user: User) -> list[AgencyInvolvement]:
    """A pupil's involvements the user may see, newest referral first."""
    return list(
        db.session.scalars(
            sa.select(AgencyInvolvement)
            .where(
                AgencyInvolvement.school_id == user.school_id,
                AgencyInvolvement.pupil_id == pupil.id,
                visible_to(user),
            )
            .options(selectinload(AgencyInvolvement.agency))
            .order_by(AgencyInvolvement.referred_on.desc(), AgencyInvolvement.id.desc())
        )
    )


@dataclass(frozen=True)
class FlagAgency:
    """An agency ticked on one of the pupil's risk flags (the older, simpler record of it)."""

    agency: str
    flag_id: int
    raised_on: date


def flag_agencies(pupil: Pupil, user: User) -> list[FlagAgency]:
    """Agencies ticked on the pupil's risk flags the user may see (leaders all, staff named)."""
    if user.role not in (Role.LEADER, Role.STAFF):
        return []
    stmt = (
        sa.select(Agency.name, RiskFlag.id, RiskFlag.raised_on)
        .join(risk_flag_agencies, risk_flag_agencies.c.agency_id == Agency.id)
        .join(RiskFlag, RiskFlag.id == risk_flag_agencies.c.flag_id)
        .where(RiskFlag.school_id == user.school_id, RiskFlag.pupil_id == pupil.id)
        .order_by(RiskFlag.raised_on.desc(), Agency.sort_order)
    )
    if user.role is Role.STAFF:
        stmt = stmt.join(
            risk_flag_staff,
            sa.and_(risk_flag_staff.c.flag_id == RiskFlag.id, risk_flag_staff.c.user_id == user.id),
        )
    return [
        FlagAgency(name, flag_id, raised_on)
        for name, flag_id, raised_on in db.session.execute(stmt)
    ]
