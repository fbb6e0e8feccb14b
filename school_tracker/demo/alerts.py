"""The demo's alerts: what its people would have been told about the last month's flags, and
today's daily check, so the Alerts page (and, with mail on, the outbox) is not empty."""

from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from school_tracker.alerts.services import raise_alert, raise_due_alerts
from school_tracker.extensions import db
from school_tracker.models import AlertKind, RiskFlag, RiskStatus, School
from school_tracker.risk.alerts import ACTION, FLAG

RECENT = timedelta(days=30)


def seed_alerts(school: School, day: date) -> int:
    """Alert the staff named on, or given actions on, live flags raised in the last month."""
    flags = db.session.scalars(
        sa.select(RiskFlag)
        .where(
            RiskFlag.school_id == school.id,
            RiskFlag.status != RiskStatus.CLOSED,
            RiskFlag.raised_on >= day - RECENT,
        )
        .options(selectinload(RiskFlag.named_staff), selectinload(RiskFlag.actions))
        .order_by(RiskFlag.raised_on, RiskFlag.id)
    )
    made = 0
    for flag in flags:
        for person in flag.named_staff:
            made += (
                raise_alert(
                    person,
                    AlertKind.FLAG_NAMED,
                    by=flag.raised_by,
                    record_type=FLAG,
                    record_id=flag.id,
                )
                is not None
            )
        for action in flag.actions:
            if action.done_on is None:
                made += (
                    raise_alert(
                        action.owner,
                        AlertKind.FLAG_ACTION,
                        by=flag.raised_by,
                        record_type=ACTION,
                        record_id=action.id,
                    )
                    is not None
                )
    return made + raise_due_alerts(day)
