"""Structured conversation look-ups, scoped to one school and to what the viewer may see."""

from datetime import date, timedelta

import sqlalchemy as sa
from flask import abort
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import selectinload

from school_tracker.extensions import db
from school_tracker.families.services import visible_to
from school_tracker.models import ParentConversation, User

DUE_SOON = timedelta(days=7)


def _follow_up_due(today: date) -> sa.ColumnElement[bool]:
    return sa.and_(
        ParentConversation.follow_up_on.is_not(None),
        ParentConversation.follow_up_done_on.is_(None),
        ParentConversation.follow_up_on <= today + DUE_SOON,
    )


def list_conversations(
    school_id: int, user: User, *, due_only: bool, today: date, page: int, per_page: int
) -> Pagination:
    """One page of conversations the user may see, newest first (or follow-ups due first)."""
    stmt = (
        sa.select(ParentConversation)
        .where(ParentConversation.school_id == school_id, visible_to(user))
        .options(selectinload(ParentConversation.pupil), selectinload(ParentConversation.led_by))
    )
    if due_only:
        stmt = stmt.where(_follow_up_due(today)).order_by(
            ParentConversation.follow_up_on, ParentConversation.id
        )
    else:
        stmt = stmt.order_by(ParentConversation.held_on.desc(), ParentConversation.id.desc())
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False, count=True)


def get_conversation_or_404(conversation_id: int, *, user: User) -> ParentConversation:
    """The conversation if it is in the user's school and they may see it; 404 otherwise."""
    record = db.session.scalar(
        sa.select(ParentConversation).where(
            ParentConversation.id == conversation_id,
            ParentConversation.school_id == user.school_id,
            visible_to(user),
        )
    )
    if record is None:
        abort(404)
    return record


def pupil_conversations(school_id: int, pupil_id: int, user: User) -> list[ParentConversation]:
    """A pupil's conversations the user may see."""
    return list(
        db.session.scalars(
            sa.select(ParentConversation).where(
                ParentConversation.school_id == school_id,
                ParentConversation.pupil_id == pupil_id,
                visible_to(user),
            )
        )
    )


def follow_ups_due(
    school_id: int, led_by_id: int, today: date, *, limit: int = 10
) -> list[ParentConversation]:
    """Open follow-ups this member of staff leads that are overdue or due within a week."""
    return list(
        db.session.scalars(
            sa.select(ParentConversation)
            .where(
                ParentConversation.school_id == school_id,
                ParentConversation.led_by_id == led_by_id,
                _follow_up_due(today),
            )
            .options(selectinload(ParentConversation.pupil))
            .order_by(ParentConversation.follow_up_on, ParentConversation.id)
            .limit(limit)
        )
    )
