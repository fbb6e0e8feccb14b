"""Who hears about an intervention: its lead when the review falls overdue, and the staff
added to deliver it (issue 14). Registered with the alerts package by `create_app`."""

from datetime import date

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import selectinload

from school_tracker.alerts.targets import AlertTarget, DueAlert, oldest_due
from school_tracker.extensions import db
from school_tracker.interventions.queries import OPEN_STATUSES, can_see
from school_tracker.models import AlertKind, Intervention, User

INTERVENTION = "intervention"


def _may_see(user: User, intervention_id: int) -> bool:
    record = db.session.get(Intervention, intervention_id)
    return record is not None and can_see(record, user)


def _url(intervention_id: int) -> str:
    return url_for("interventions.detail", intervention_id=intervention_id)


INTERVENTION_TARGET = AlertTarget("intervention", _may_see, _url)


def intervention_reviews_overdue(today: date) -> list[DueAlert]:
    """Planned and active interventions past their review date, for their lead."""
    records = db.session.scalars(
        sa.select(Intervention)
        .where(
            Intervention.status.in_(OPEN_STATUSES),
            Intervention.review_date < today,
            Intervention.review_date >= oldest_due(today),
        )
        .options(selectinload(Intervention.lead))
        .order_by(Intervention.id)
    )
    return [
        DueAlert(
            record.lead,
            AlertKind.INTERVENTION_REVIEW_OVERDUE,
            INTERVENTION,
            record.id,
            record.review_date,
        )
        for record in records
    ]
