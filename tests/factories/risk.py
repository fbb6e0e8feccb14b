"""Helpers for risk-flag and exclusion tests (plain functions; fixtures live in the test files)."""

from datetime import date, timedelta

import sqlalchemy as sa

from school_tracker.calendar.terms import school_today
from school_tracker.exclusions.reference import ensure_exclusion_reasons
from school_tracker.extensions import db
from school_tracker.models import (
    Agency,
    ExclusionReason,
    Pupil,
    RiskFactor,
    RiskFlag,
    RiskLevel,
    User,
)
from school_tracker.risk import services
from school_tracker.risk.reference import ensure_agencies, ensure_risk_factors
from tests.factories.reference import coded_ids

MARKER = "ZEBRA-QUOKKA-7731"  # appears only in leader-only fields


def seed_reference(app) -> None:
    """Every school's agencies and risk factors, and the DfE reason codes (create_all does not
    seed them)."""
    with app.app_context():
        ensure_agencies()
        ensure_risk_factors()
        ensure_exclusion_reasons()
        db.session.commit()


def ref_ids(model: type, *codes: str, school_id: int) -> list[int]:
    """Ids of the school's own reference rows by code (inside an app context)."""
    return coded_ids(model, school_id, *codes)


def make_flag(
    app,
    pupil: Pupil,
    by: User,
    *,
    level: RiskLevel = RiskLevel.MEDIUM,
    raised_on: date | None = None,
    review_on: date | None = None,
    named: list[User] | None = None,
    protective: str = f"Loves football. {MARKER}",
    agency_notes: str = f"Early Help worker assigned. {MARKER}",
) -> int:
    """Raise a flag through the service and return its id."""
    raised_on = raised_on or school_today() - timedelta(days=10)
    with app.app_context():
        pupil_row = db.session.get(Pupil, pupil.id)
        user = db.session.get(User, by.id)
        flag = services.raise_flag(
            pupil_row,
            by=user,
            raised_on=raised_on,
            level=level,
            details=services.FlagDetails(
                review_on=review_on or raised_on + timedelta(days=28),
                risk_factor_ids=ref_ids(
                    RiskFactor, "attendance", "peer_conflict", school_id=pupil_row.school_id
                ),
                protective_factors=protective,
                agency_ids=ref_ids(Agency, "early_help", "camhs", school_id=pupil_row.school_id),
                agency_notes=agency_notes,
                named_staff_ids=[u.id for u in (named or [])],
            ),
        )
        db.session.commit()
        return flag.id


def reason_id(code: str) -> int:
    """The id of the current row for a DfE code (inside an app context)."""
    return db.session.scalar(
        sa.select(ExclusionReason.id)
        .where(ExclusionReason.code == code)
        .order_by(ExclusionReason.active_from.desc())
    )


def get_flag(flag_id: int) -> RiskFlag:
    """Load a flag in the current app context."""
    return db.session.get(RiskFlag, flag_id)
