"""Intervention look-ups: scoped to one school and to what the viewer may see."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import abort
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import selectinload

from school_tracker.extensions import db
from school_tracker.models import (
    Intervention,
    InterventionDeliverer,
    InterventionParticipant,
    InterventionStatus,
    Role,
    User,
)

OPEN_STATUSES = (InterventionStatus.PLANNED, InterventionStatus.ACTIVE)


def visible_to(user: User) -> sa.ColumnElement[bool]:
    """Leaders see every intervention in the school; staff those they lead, recorded or
    deliver."""
    if user.role is Role.LEADER:
        return sa.true()
    if user.role is Role.STAFF:
        delivers = sa.select(InterventionDeliverer.intervention_id).where(
            InterventionDeliverer.user_id == user.id
        )
        return sa.or_(
            Intervention.lead_id == user.id,
            Intervention.created_by_id == user.id,
            Intervention.id.in_(delivers),
        )
    return sa.false()  # admins, governors and trust leaders never read interventions


def may_change_plan(intervention: Intervention, user: User) -> bool:
    """The lead, whoever recorded it and leaders change the plan and who takes part; staff who
    only deliver it keep its register (issue 13 item 2)."""
    if intervention.school_id != user.school_id:
        return False
    if user.role is Role.LEADER:
        return True
    return user.role is Role.STAFF and user.id in (intervention.lead_id, intervention.created_by_id)


def delivers(intervention: Intervention, user: User) -> bool:
    """Named as delivery staff on the intervention."""
    return any(row.user_id == user.id for row in intervention.delivery_staff)


def can_see(intervention: Intervention, user: User) -> bool:
    """The same rule as `visible_to`, for a loaded record."""
    if may_change_plan(intervention, user):
        return True
    return (
        intervention.school_id == user.school_id
        and user.role is Role.STAFF
        and delivers(intervention, user)
    )


@dataclass(frozen=True)
class InterventionFilters:
    """What the list is narrowed to (each value checked against an allowlist by the view)."""

    status: InterventionStatus | None = None
    type_id: int | None = None
    overdue: bool = False


def _overdue(today: date) -> sa.ColumnElement[bool]:
    return sa.and_(Intervention.status.in_(OPEN_STATUSES), Intervention.review_date < today)


def list_interventions(
    school_id: int,
    user: User,
    filters: InterventionFilters,
    *,
    today: date,
    page: int,
    per_page: int,
) -> Pagination:
    """One page of the interventions the user may see, newest start first."""
    stmt = (
        sa.select(Intervention)
        .where(Intervention.school_id == school_id, visible_to(user))
        .options(
            selectinload(Intervention.type),
            selectinload(Intervention.lead),
            selectinload(Intervention.participants).selectinload(InterventionParticipant.pupil),
        )
        .order_by(Intervention.start_date.desc(), Intervention.id.desc())
    )
    if filters.status is not None:
        stmt = stmt.where(Intervention.status == filters.status)
    if filters.type_id is not None:
        stmt = stmt.where(Intervention.type_id == filters.type_id)
    if filters.overdue:
        stmt = stmt.where(_overdue(today))
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False, count=True)


def get_intervention_or_404(intervention_id: int, *, user: User) -> Intervention:
    """The intervention if it is in the user's school and they may see it; 404 otherwise."""
    record = db.session.scalar(
        sa.select(Intervention).where(
            Intervention.id == intervention_id,
            Intervention.school_id == user.school_id,
            visible_to(user),
        )
    )
    if record is None:
        abort(404)
    return record


def get_plan_or_404(intervention_id: int, *, user: User) -> Intervention:
    """The intervention for a change to its plan or pupils: 404 if the user may not see it,
    403 if they may see it but only deliver it."""
    record = get_intervention_or_404(intervention_id, user=user)
    if not may_change_plan(record, user):
        abort(403)
    return record


def get_participant_or_404(
    intervention: Intervention, participant_id: int
) -> InterventionParticipant:
    """A participant of an intervention already loaded for this user (its scope is the
    intervention's); ids of other interventions are not found."""
    for part in intervention.participants:
        if part.id == participant_id:
            return part
    abort(404)


def overdue_reviews(
    school_id: int, today: date, *, lead_id: int | None = None, limit: int = 10
) -> tuple[list[Intervention], int]:
    """Open interventions past their review date (optionally one lead's), oldest first."""
    where = [Intervention.school_id == school_id, _overdue(today)]
    if lead_id is not None:
        where.append(Intervention.lead_id == lead_id)
    total = db.session.scalar(sa.select(sa.func.count(Intervention.id)).where(*where))
    rows = db.session.scalars(
        sa.select(Intervention)
        .where(*where)
        .options(
            selectinload(Intervention.type),
            selectinload(Intervention.participants).selectinload(InterventionParticipant.pupil),
        )
        .order_by(Intervention.review_date, Intervention.id)
        .limit(limit)
    )
    return list(rows), total or 0


def led_by(
    school_id: int, lead_id: int, *, reviews_from: date | None = None, limit: int = 10
) -> list[Intervention]:
    """A member of staff's planned and active interventions (reviews from a date), next first."""
    where = [
        Intervention.school_id == school_id,
        Intervention.lead_id == lead_id,
        Intervention.status.in_(OPEN_STATUSES),
    ]
    if reviews_from is not None:
        where.append(Intervention.review_date >= reviews_from)
    return list(
        db.session.scalars(
            sa.select(Intervention)
            .where(*where)
            .options(
                selectinload(Intervention.type),
                selectinload(Intervention.participants).selectinload(InterventionParticipant.pupil),
            )
            .order_by(Intervention.review_date, Intervention.id)
            .limit(limit)
        )
    )


def pupil_participations(
    school_id: int, pupil_id: int, user: User
) -> list[tuple[InterventionParticipant, Intervention]]:
    """A pupil's part in each intervention the user may see."""
    rows = db.session.execute(
        sa.select(InterventionParticipant, Intervention)
        .join(Intervention, InterventionParticipant.intervention_id == Intervention.id)
        .where(
            InterventionParticipant.pupil_id == pupil_id,
            Intervention.school_id == school_id,
            visible_to(user),
        )
        .options(selectinload(Intervention.type))
    ).all()
    return [(part, record) for part, record in rows]


def describe(record: Intervention) -> str:
    """`Reading catch-up for Ella Smith` or `Nurture group (group of 5)`: for staff pages."""
    pupils = record.taking_part
    if record.mode.value == "individual" and pupils:
        return f"{record.type.name} for {pupils[0].pupil.display_name}"
    return f"{record.type.name} (group of {len(pupils)})"
