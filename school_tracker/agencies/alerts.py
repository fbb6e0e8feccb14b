"""Who hears about an agency involvement: its referrer and named staff, when the next step
falls due (issue 16 item 5). Registered with the alerts package by `create_app`."""

from datetime import date

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import selectinload

from school_tracker.agencies.services import visible_to
from school_tracker.alerts.targets import AlertTarget, DueAlert, oldest_due
from school_tracker.extensions import db
from school_tracker.models import AgencyInvolvement, AlertKind, User

INVOLVEMENT = "agency_involvement"


def _may_see(user: User, involvement_id: int) -> bool:
    found = db.session.scalar(
        sa.select(AgencyInvolvement.id).where(
            AgencyInvolvement.id == involvement_id,
            AgencyInvolvement.school_id == user.school_id,
            visible_to(user),
        )
    )
    return found is not None


def _url(involvement_id: int) -> str:
    return url_for("agencies.detail", involvement_id=involvement_id)


INVOLVEMENT_TARGET = AlertTarget("agency involvement", _may_see, _url)


def next_steps_falling_due(today: date) -> list[DueAlert]:
    """Next steps whose date has come on involvements still open, for the referrer and the
    staff named on it (each once per date: a moved date is a new alert)."""
    records = db.session.scalars(
        sa.select(AgencyInvolvement)
        .where(
            AgencyInvolvement.ended_on.is_(None),
            AgencyInvolvement.next_step_on <= today,
            AgencyInvolvement.next_step_on >= oldest_due(today),
        )
        .options(
            selectinload(AgencyInvolvement.referred_by),
            selectinload(AgencyInvolvement.named_staff),
        )
        .order_by(AgencyInvolvement.id)
    )
    due: list[DueAlert] = []
    for record in records:
        if record.next_step_on is None:
            continue
        people = {user.id: user for user in [record.referred_by, *record.named_staff]}
        due.extend(
            DueAlert(person, AlertKind.AGENCY_STEP_DUE, INVOLVEMENT, record.id, record.next_step_on)
            for person in people.values()
        )
    return due
