"""Helpers for the alert tests: who was alerted about what (detached tuples), and flag edits."""

import sqlalchemy as sa

from school_tracker.extensions import db
from school_tracker.models import Alert, AlertKind, RiskFlag, User
from school_tracker.risk import services as risk_services


def alerts_of(
    app, kind: AlertKind | None = None
) -> list[tuple[int, AlertKind, str | None, int | None]]:
    """Every alert (of a kind) as (recipient id, kind, record type, record id), in id order."""
    with app.app_context():
        stmt = sa.select(Alert).order_by(Alert.id)
        if kind is not None:
            stmt = stmt.where(Alert.kind == kind)
        rows = [
            (a.recipient_id, a.kind, a.record_type, a.record_id) for a in db.session.scalars(stmt)
        ]
        db.session.remove()
    return rows


def recipients(app, kind: AlertKind) -> list[int]:
    """The ids of everyone alerted of a kind, in the order they were alerted."""
    return [row[0] for row in alerts_of(app, kind)]


def update_named(app, flag_id: int, leader: User, named: list[User], review_on=None) -> None:
    """Edit a flag through the service, naming exactly `named` (and moving its review)."""
    with app.app_context():
        flag = db.session.get(RiskFlag, flag_id)
        details = risk_services.FlagDetails(
            review_on=review_on or flag.review_on,
            risk_factor_ids=[f.id for f in flag.risk_factors],
            protective_factors=flag.protective_factors,
            agency_ids=[a.id for a in flag.agencies],
            agency_notes=flag.agency_notes,
            named_staff_ids=[u.id for u in named],
        )
        risk_services.update_flag(
            flag, details, by=db.session.get(User, leader.id), expected_version=None
        )
        db.session.commit()
