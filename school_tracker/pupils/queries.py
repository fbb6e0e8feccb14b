"""Pupil look-ups, always inside one school."""

from dataclasses import dataclass

import sqlalchemy as sa
from flask import abort
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import selectinload

from school_tracker.extensions import db
from school_tracker.models import AuditEntry, Pupil, SenStatus, YearGroup

GROUP_FILTERS = {
    "sen_k": Pupil.sen_status == SenStatus.SUPPORT,
    "sen_e": Pupil.sen_status == SenStatus.EHC_PLAN,
    "disadvantaged": Pupil.pupil_premium.is_(True),
    "eal": Pupil.eal.is_(True),
    "cla": Pupil.looked_after.is_(True),
    "young_carer": Pupil.young_carer.is_(True),
}
STATUS_FILTERS = {
    "on_roll": Pupil.leaving_date.is_(None),
    "left": Pupil.leaving_date.is_not(None),
    "all": sa.true(),
}
SORTS = {
    "name": (Pupil.legal_surname, Pupil.legal_forename, Pupil.id),
    "year": (Pupil.year_group, Pupil.legal_surname, Pupil.legal_forename, Pupil.id),
}


@dataclass(frozen=True)
class PupilFilters:
    """What the list is narrowed to; every value is checked against an allowlist."""

    query: str = ""
    year: YearGroup | None = None
    group: str | None = None
    status: str = "on_roll"
    sort: str = "name"


def search_pupils(school_id: int, filters: PupilFilters, page: int, per_page: int) -> Pagination:
    """One page of the school's pupils matching the filters."""
    stmt = sa.select(Pupil).where(Pupil.school_id == school_id, STATUS_FILTERS[filters.status])
    if filters.query:
        term = filters.query
        stmt = stmt.where(
            sa.or_(
                Pupil.legal_surname.icontains(term, autoescape=True),
                Pupil.legal_forename.icontains(term, autoescape=True),
                Pupil.preferred_forename.icontains(term, autoescape=True),
                Pupil.upn == term.replace(" ", "").upper(),
            )
        )
    if filters.year is not None:
        stmt = stmt.where(Pupil.year_group == filters.year)
    if filters.group:
        stmt = stmt.where(GROUP_FILTERS[filters.group])
    stmt = stmt.order_by(*SORTS[filters.sort])
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False, count=True)


def get_pupil_or_404(school_id: int, pupil_id: int) -> Pupil:
    """The pupil if they belong to this school; 404 otherwise, so existence does not leak."""
    pupil = db.session.scalar(
        sa.select(Pupil).where(Pupil.id == pupil_id, Pupil.school_id == school_id)
    )
    if pupil is None:
        abort(404)
    return pupil


def pupil_access_entries(school_id: int, pupil_id: int, limit: int = 500) -> list[AuditEntry]:
    """The newest audit entries that touch one pupil, with who made them."""
    return list(
        db.session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.school_id == school_id, AuditEntry.pupil_id == pupil_id)
            .options(selectinload(AuditEntry.actor))
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .limit(limit)
        )
    )
