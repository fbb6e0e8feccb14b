"""The DfE reason codes for suspensions and permanent exclusions, as data with active dates.

The 15 codes below are the school census set in use since the 2020/21 academic year (which
added OW, LG, DS and MT and replaced the old "other" code). A future change is a new row with
its own `active_from`, and an `active_to` on the row it replaces; nothing is edited in place.
"""

from datetime import date

import sqlalchemy as sa

from school_tracker.extensions import db
from school_tracker.models import ExclusionReason

CODES_FROM = date(2020, 8, 1)  # start of autumn term 2020 in DfE statistics

DFE_REASONS: tuple[tuple[str, str], ...] = (
    ("PP", "Physical assault against a pupil"),
    ("PA", "Physical assault against an adult"),
    ("VP", "Verbal abuse or threatening behaviour against a pupil"),
    ("VA", "Verbal abuse or threatening behaviour against an adult"),
    ("OW", "Use or threat of use of an offensive weapon or prohibited item"),
    ("BU", "Bullying"),
    ("RA", "Racist abuse"),
    ("LG", "Abuse against sexual orientation and gender identity"),
    ("DS", "Abuse relating to disability"),
    ("SM", "Sexual misconduct"),
    ("DA", "Drug and alcohol related"),
    ("DM", "Damage"),
    ("TH", "Theft"),
    ("DB", "Persistent or general disruptive behaviour"),
    ("MT", "Inappropriate use of social media or online technology"),
)


def ensure_exclusion_reasons() -> None:
    """Insert any missing reason code of the current set (idempotent)."""
    existing = set(
        db.session.execute(sa.select(ExclusionReason.code, ExclusionReason.active_from)).all()
    )
    db.session.add_all(
        ExclusionReason(code=code, description=text, active_from=CODES_FROM, sort_order=order)
        for order, (code, text) in enumerate(DFE_REASONS, start=1)
        if (code, CODES_FROM) not in existing
    )


def reasons_active_on(day: date) -> list[ExclusionReason]:
    """The codes that may be used for an exclusion starting on `day`, in census order."""
    return list(
        db.session.scalars(
            sa.select(ExclusionReason)
            .where(
                ExclusionReason.active_from <= day,
                sa.or_(ExclusionReason.active_to.is_(None), ExclusionReason.active_to >= day),
            )
            .order_by(ExclusionReason.sort_order, ExclusionReason.code)
        )
    )


def all_reasons() -> list[ExclusionReason]:
    """Every code ever seeded, current and retired (edit forms show the record's own)."""
    return list(
        db.session.scalars(
            sa.select(ExclusionReason).order_by(
                ExclusionReason.sort_order, ExclusionReason.active_from
            )
        )
    )
