"""Look-ups for the reinstatement pages, scoped to the signed-in user's school and role."""

from typing import Any

import sqlalchemy as sa
from flask import abort, render_template

from school_tracker.calendar.terms import school_today
from school_tracker.exclusions import lifecycle, queries, reinstatement
from school_tracker.extensions import db
from school_tracker.models import Exclusion, ReinstatementReview, Role, User
from school_tracker.models.exclusion_case import reinstatement_panel


def get_review_or_404(review_id: int, *, user: User) -> ReinstatementReview:
    """A review of the user's school, for its leaders only; 404 otherwise."""
    review = db.session.scalar(
        sa.select(ReinstatementReview).where(
            ReinstatementReview.id == review_id,
            ReinstatementReview.school_id == user.school_id,
        )
    )
    if review is None or user.role is not Role.LEADER:
        abort(404)
    return review


def panels_of(user: User) -> list[ReinstatementReview]:
    """The reviews this governor sits on in their school, newest first."""
    return list(
        db.session.scalars(
            sa.select(ReinstatementReview)
            .join(reinstatement_panel, reinstatement_panel.c.review_id == ReinstatementReview.id)
            .where(
                reinstatement_panel.c.user_id == user.id,
                ReinstatementReview.school_id == user.school_id,
            )
            .order_by(ReinstatementReview.board_notified_on.desc(), ReinstatementReview.id.desc())
        )
    )


def case_context(exclusion: Exclusion) -> dict[str, Any]:
    """What the exclusion page shows of its follow-up, dates due and governors' meetings."""
    calendar = queries.school_calendar(exclusion.school_id)
    follow_up = lifecycle.follow_up_for(exclusion)
    return {
        "follow_up": follow_up,
        "exclusion_deadlines": lifecycle.exclusion_deadlines(exclusion, follow_up, calendar),
        "reviews": reinstatement.reviews_for(exclusion),
        "review_triggers": reinstatement.triggers_for(exclusion),
        "today": school_today(),
    }


def earlier_school_detail(exclusion: Exclusion) -> str:
    """An earlier trust school's suspension of a pupil now on this roll: read-only, its dates,
    length and reasons only (it counts towards the limits here; nothing else crosses)."""
    return render_template(
        "exclusions/earlier_school.html",
        exclusion=exclusion,
        school_name=queries.school_names([exclusion])[exclusion.school_id],
        days_text=queries.days_text,
    )
