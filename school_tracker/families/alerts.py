"""Who hears about a parent conversation: the member of staff who led it, when its follow-up
falls due (issue 14). Registered with the alerts package by `create_app`."""

from datetime import date

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import selectinload

from school_tracker.alerts.targets import AlertTarget, DueAlert, oldest_due
from school_tracker.extensions import db
from school_tracker.families.services import visible_to
from school_tracker.models import AlertKind, ParentConversation, User

CONVERSATION = "parent_conversation"


def _may_see(user: User, conversation_id: int) -> bool:
    found = db.session.scalar(
        sa.select(ParentConversation.id).where(
            ParentConversation.id == conversation_id,
            ParentConversation.school_id == user.school_id,
            visible_to(user),
        )
    )
    return found is not None


def _url(conversation_id: int) -> str:
    return url_for("families.detail", conversation_id=conversation_id)


CONVERSATION_TARGET = AlertTarget("parent conversation", _may_see, _url)


def follow_ups_falling_due(today: date) -> list[DueAlert]:
    """Follow-ups not yet done whose date has come, for the member of staff who led them."""
    records = db.session.scalars(
        sa.select(ParentConversation)
        .where(
            ParentConversation.follow_up_done_on.is_(None),
            ParentConversation.follow_up_on <= today,
            ParentConversation.follow_up_on >= oldest_due(today),
        )
        .options(selectinload(ParentConversation.led_by))
        .order_by(ParentConversation.id)
    )
    return [
        DueAlert(
            record.led_by,
            AlertKind.FOLLOW_UP_DUE,
            CONVERSATION,
            record.id,
            record.follow_up_on,
        )
        for record in records
        if record.follow_up_on is not None
    ]
