"""Professional learning look-ups, scoped to one school and to what the viewer may see."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask import abort
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import selectinload

from school_tracker.extensions import db
from school_tracker.learning.services import visible_to
from school_tracker.models import LearningRecord, User


@dataclass(frozen=True)
class LearningFilters:
    """Narrow the list to one member of staff and/or one academic year (starting 1 August)."""

    staff_id: int | None = None
    year: int | None = None


def _where(school_id: int, user: User, filters: LearningFilters) -> list:
    where = [LearningRecord.school_id == school_id, visible_to(user)]
    if filters.staff_id is not None:
        where.append(LearningRecord.staff_id == filters.staff_id)
    if filters.year is not None:
        where.append(
            LearningRecord.held_on.between(date(filters.year, 8, 1), date(filters.year + 1, 7, 31))
        )
    return where


def list_learning(
    school_id: int, user: User, filters: LearningFilters, *, page: int, per_page: int
) -> tuple[Pagination, Decimal]:
    """One page of records, newest first, and the total hours of everything matching."""
    where = _where(school_id, user, filters)
    stmt = (
        sa.select(LearningRecord)
        .where(*where)
        .options(
            selectinload(LearningRecord.staff),
            selectinload(LearningRecord.priorities),
            selectinload(LearningRecord.focus_value),  # the list shows each record's focus
        )
        .order_by(LearningRecord.held_on.desc(), LearningRecord.id.desc())
    )
    pagination = db.paginate(stmt, page=page, per_page=per_page, error_out=False, count=True)
    tenths = db.session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(LearningRecord.hours_tenths), 0)).where(*where)
    ).scalar_one()
    return pagination, (Decimal(int(tenths)) / 10).quantize(Decimal("0.1"))


def get_learning_or_404(record_id: int, *, user: User) -> LearningRecord:
    """The record if it is in the user's school and they may see it; 404 otherwise."""
    record = db.session.scalar(
        sa.select(LearningRecord).where(
            LearningRecord.id == record_id,
            LearningRecord.school_id == user.school_id,
            visible_to(user),
        )
    )
    if record is None:
        abort(404)
    return record
