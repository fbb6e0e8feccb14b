"""Pupil look-ups, always inside one school."""

from dataclasses import dataclass

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import selectinload

from school_tracker.extensions import db
from school_tracker.models import AuditEntry, Pupil, YearGroup
from school_tracker.models.pupil import PUPIL_GROUP_FILTERS

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
        stmt = stmt.where(PUPIL_GROUP_FILTERS[filters.group])
    stmt = stmt.order_by(*SORTS[filters.sort])
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False, count=True)


# Downloads that name every pupil on roll in their period but are audited once, without a
# pupil id (the audit row names the period and schools, never the pupils).
WHOLE_SCHOOL_EXPORTS = ("named_export",)


def pupil_access_entries(school_id: int, pupil_id: int, limit: int = 500) -> list[AuditEntry]:
    """The newest audit entries that touch one pupil, with who made them.

    Whole-school and trust-wide named exports are listed too (R62: the leader must see every
    export that could have held this child), from the day the pupil's record was created.
    """
    newest_first = (AuditEntry.at.desc(), AuditEntry.id.desc())
    pupil = db.session.get_one(Pupil, pupil_id)
    bulk_export = sa.and_(
        AuditEntry.action == "export",
        AuditEntry.entity_type.in_(WHOLE_SCHOOL_EXPORTS),
        AuditEntry.pupil_id.is_(None),
        AuditEntry.at >= pupil.created_at,
    )
    entries = list(
        db.session.scalars(
            sa.select(AuditEntry)
            .where(
                AuditEntry.school_id == school_id,
                sa.or_(AuditEntry.pupil_id == pupil_id, bulk_export),
            )
            .options(selectinload(AuditEntry.actor))
            .order_by(*newest_first)
            .limit(limit)
        )
    )
    # A trust-wide export has no school id; its row lists the schools' slugs. They are few
    # (run from the command line), so they are matched here rather than inside the JSON.
    slug = pupil.school.slug
    entries += [
        entry
        for entry in db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.school_id.is_(None), bulk_export)
        )
        if slug in (entry.changes or {}).get("schools", ())
    ]
    entries.sort(key=lambda entry: (entry.at, entry.id), reverse=True)
    return entries[:limit]
