"""Suspension totals against the legal thresholds, and the look-ups behind the pages.

Each suspension counts in full towards the term (and academic year) in which it starts, as
the school census attributes it. Terms come from the school's TermCalendar (its own dates
where set, DfE-statistics defaults otherwise), so a holiday counts with the term just ended.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask import abort
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import selectinload

from school_tracker.calendar.terms import Term, TermCalendar, school_today
from school_tracker.extensions import db
from school_tracker.models import Exclusion, ExclusionKind, Pupil, Role, School, TermDate, User
from school_tracker.templating import date_uk

SESSIONS_PER_DAY = 2
TERM_GOVERNORS_DAYS = 15  # more than this in a term: governors must consider reinstatement
YEAR_MAX_DAYS = 45  # legal maximum of suspension days in a school year
NEAR_TERM_DAYS = 10  # leaders' home page: approaching the term threshold
NEAR_YEAR_DAYS = 35  # ... and the yearly maximum


def school_calendar(school_id: int) -> TermCalendar:
    """The school's terms: its own dates where it has set them."""
    rows = db.session.execute(
        sa.select(TermDate.term_key, TermDate.starts_on, TermDate.ends_on).where(
            TermDate.school_id == school_id
        )
    ).all()
    return TermCalendar({key: (starts, ends) for key, starts, ends in rows})


def year_bounds(calendar: TermCalendar, term_key: str) -> tuple[date, date]:
    """First and last day of the academic year of a term, its summer holiday included."""
    autumn = calendar.academic_year_terms(term_key)[0]
    next_autumn = calendar.term(f"autumn-{autumn.year + 1}")
    return autumn.starts_on, next_autumn.starts_on - timedelta(days=1)


def days_text(sessions: int) -> str:
    """Sessions as school days: 5 → "2.5 days", 2 → "1 day"."""
    days = sessions / SESSIONS_PER_DAY
    number = f"{days:g}"
    return f"{number} day" if days == 1 else f"{number} days"


@dataclass(frozen=True)
class TermTotal:
    """Suspension sessions in one term."""

    term: Term
    sessions: int

    @property
    def days(self) -> float:
        return self.sessions / SESSIONS_PER_DAY

    @property
    def over_governors_threshold(self) -> bool:
        return self.sessions > TERM_GOVERNORS_DAYS * SESSIONS_PER_DAY


@dataclass
class SuspensionSummary:
    """One pupil's suspensions in one academic year, with the warnings they trigger."""

    academic_year: str
    terms: list[TermTotal]
    permanent_on: list[date] = field(default_factory=list)

    @property
    def year_sessions(self) -> int:
        return sum(total.sessions for total in self.terms)

    @property
    def year_days(self) -> float:
        return self.year_sessions / SESSIONS_PER_DAY

    @property
    def at_year_maximum(self) -> bool:
        return self.year_sessions >= YEAR_MAX_DAYS * SESSIONS_PER_DAY

    @property
    def is_empty(self) -> bool:
        return self.year_sessions == 0 and not self.permanent_on

    def warnings(self) -> list[str]:
        """What leaders must act on: the term threshold, the yearly maximum, any exclusion."""
        notes = [
            f"{days_text(total.sessions)} of suspension in {total.term.name}: more than "
            f"{TERM_GOVERNORS_DAYS} school days in a term, so the governing board must consider "
            "reinstatement (meeting within 15 school days of being notified)."
            for total in self.terms
            if total.over_governors_threshold
        ]
        if self.at_year_maximum:
            notes.append(
                f"{days_text(self.year_sessions)} of suspension in {self.academic_year}: the "
                f"legal maximum is {YEAR_MAX_DAYS} school days in a school year, so no further "
                "suspension can be given this year."
            )
        notes.extend(
            f"Permanent exclusion from {date_uk(day)}: the governing board must consider "
            "reinstatement within 15 school days of being notified."
            for day in self.permanent_on
        )
        return notes

    def term_total(self, term_key: str) -> TermTotal | None:
        """The total for one term of this year."""
        return next((t for t in self.terms if t.term.key == term_key), None)


def summarise(exclusions: list[Exclusion], calendar: TermCalendar, day: date) -> SuspensionSummary:
    """Totals for the academic year containing `day` (cancelled suspensions don't count)."""
    year_terms = calendar.academic_year_terms(calendar.term_for(day).key)
    keys = {term.key for term in year_terms}
    sessions: dict[str, int] = defaultdict(int)
    permanent: list[date] = []
    for exclusion in exclusions:
        key = calendar.term_for(exclusion.start_date).key
        if key not in keys or exclusion.cancelled_on is not None:
            continue
        if exclusion.kind is ExclusionKind.PERMANENT:
            permanent.append(exclusion.start_date)
        else:
            sessions[key] += exclusion.sessions or 0
    return SuspensionSummary(
        academic_year=year_terms[0].academic_year,
        terms=[TermTotal(term, sessions[term.key]) for term in year_terms],
        permanent_on=sorted(permanent),
    )


def pupil_exclusions(pupil_id: int) -> list[Exclusion]:
    """Every exclusion of one pupil, newest first."""
    return list(
        db.session.scalars(
            sa.select(Exclusion)
            .where(Exclusion.pupil_id == pupil_id)
            .options(
                selectinload(Exclusion.reason_1),
                selectinload(Exclusion.reason_2),
                selectinload(Exclusion.reason_3),
            )
            .order_by(Exclusion.start_date.desc(), Exclusion.id.desc())
        )
    )


def suspension_summary(pupil: Pupil, day: date | None = None) -> SuspensionSummary:
    """The pupil's running totals for the academic year containing `day` (default today)."""
    calendar = school_calendar(pupil.school_id)
    return summarise(pupil_exclusions(pupil.id), calendar, day or school_today())


@dataclass(frozen=True)
class NearThreshold:
    """A pupil whose suspensions approach the term or yearly threshold."""

    pupil: Pupil
    term_sessions: int
    year_sessions: int


def near_thresholds(school_id: int, today: date) -> list[NearThreshold]:
    """Pupils with ≥ 10 suspension days this term or ≥ 35 this academic year."""
    calendar = school_calendar(school_id)
    current = calendar.term_for(today)
    year_terms = calendar.academic_year_terms(current.key)
    rows = db.session.execute(
        sa.select(Exclusion.pupil_id, Exclusion.start_date, Exclusion.sessions).where(
            Exclusion.school_id == school_id,
            Exclusion.kind == ExclusionKind.SUSPENSION,
            Exclusion.cancelled_on.is_(None),
            Exclusion.start_date.between(*year_bounds(calendar, current.key)),
        )
    ).all()
    year_keys = {term.key for term in year_terms}
    term_totals: dict[int, int] = defaultdict(int)
    year_totals: dict[int, int] = defaultdict(int)
    for pupil_id, start, sessions in rows:
        key = calendar.term_for(start).key
        if key in year_keys:
            year_totals[pupil_id] += sessions or 0
            if key == current.key:
                term_totals[pupil_id] += sessions or 0
    flagged = [
        pid
        for pid in year_totals
        if term_totals[pid] >= NEAR_TERM_DAYS * SESSIONS_PER_DAY
        or year_totals[pid] >= NEAR_YEAR_DAYS * SESSIONS_PER_DAY
    ]
    if not flagged:
        return []
    pupils = {p.id: p for p in db.session.scalars(sa.select(Pupil).where(Pupil.id.in_(flagged)))}
    found = [NearThreshold(pupils[pid], term_totals[pid], year_totals[pid]) for pid in flagged]
    return sorted(found, key=lambda n: (-n.year_sessions, n.pupil.legal_surname, n.pupil.id))


def exclusion_page(
    school_id: int, bounds: tuple[date, date], page: int, per_page: int
) -> Pagination:
    """One page of the school's exclusions starting within `bounds`, newest first."""
    stmt = (
        sa.select(Exclusion)
        .where(Exclusion.school_id == school_id, Exclusion.start_date.between(*bounds))
        .options(
            selectinload(Exclusion.pupil),
            selectinload(Exclusion.reason_1),
            selectinload(Exclusion.reason_2),
            selectinload(Exclusion.reason_3),
        )
        .order_by(Exclusion.start_date.desc(), Exclusion.id.desc())
    )
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False, count=True)


def get_exclusion_or_404(exclusion_id: int, *, user: User) -> Exclusion:
    """An exclusion of the user's school, for its leaders only; 404 otherwise."""
    exclusion = db.session.scalar(
        sa.select(Exclusion).where(
            Exclusion.id == exclusion_id, Exclusion.school_id == user.school_id
        )
    )
    if exclusion is None or user.role is not Role.LEADER:
        abort(404)
    return exclusion


def _crossed_scope(pupil: Pupil, day: date) -> sa.ColumnElement[bool]:
    """Another school's suspensions of this pupil in the academic year of `day` (issue 16 item 8).

    A pupil who moves between the trust's schools keeps their row; their earlier school's
    suspensions that year count towards the limits here, so the receiving school's leaders see
    them, read-only. Nothing else of the earlier school's records crosses.
    """
    calendar = school_calendar(pupil.school_id)
    same_trust = sa.select(School.id).where(
        School.trust_id
        == sa.select(School.trust_id).where(School.id == pupil.school_id).scalar_subquery()
    )
    return sa.and_(
        Exclusion.pupil_id == pupil.id,
        Exclusion.school_id != pupil.school_id,
        Exclusion.school_id.in_(same_trust),
        Exclusion.kind == ExclusionKind.SUSPENSION,
        Exclusion.start_date.between(*year_bounds(calendar, calendar.term_for(day).key)),
    )


def visible_exclusions(pupil: Pupil, day: date | None = None) -> list[Exclusion]:
    """The pupil's exclusions at their school, and this year's from an earlier trust school."""
    scope = sa.or_(
        sa.and_(Exclusion.pupil_id == pupil.id, Exclusion.school_id == pupil.school_id),
        _crossed_scope(pupil, day or school_today()),
    )
    return list(
        db.session.scalars(
            sa.select(Exclusion)
            .where(scope)
            .options(selectinload(Exclusion.reason_1), selectinload(Exclusion.reason_2))
            .order_by(Exclusion.start_date.desc(), Exclusion.id.desc())
        )
    )


def get_readable_exclusion_or_404(exclusion_id: int, *, user: User) -> Exclusion:
    """An exclusion of the user's school, or an earlier trust school's suspension this year of a
    pupil now on the user's roll (read-only); leaders only, 404 otherwise."""
    if user.role is not Role.LEADER:
        abort(404)
    exclusion = db.session.get(Exclusion, exclusion_id)
    if exclusion is None:
        abort(404)
    if exclusion.school_id == user.school_id:
        return exclusion
    pupil = exclusion.pupil
    crossed = db.session.scalar(
        sa.select(Exclusion.id).where(
            Exclusion.id == exclusion.id, _crossed_scope(pupil, school_today())
        )
    )
    if pupil.school_id != user.school_id or crossed is None:
        abort(404)
    return exclusion


def school_names(exclusions: list[Exclusion]) -> dict[int, str]:
    """School id -> name, to label the suspensions an earlier school recorded."""
    ids = {exclusion.school_id for exclusion in exclusions}
    rows = db.session.execute(sa.select(School.id, School.name).where(School.id.in_(ids)))
    return {school_id: name for school_id, name in rows}
