"""The governing board's consideration of reinstatement: when the law requires it, the panel,
the parents' representations, the decision, and the dates that follow (docs/exclusions.md)."""

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from school_tracker.audit import record_audit
from school_tracker.calendar.terms import TermCalendar, school_today
from school_tracker.exclusions import deadlines, queries
from school_tracker.exclusions.deadlines import Deadline
from school_tracker.extensions import db
from school_tracker.models import (
    Exclusion,
    ExclusionKind,
    ReinstatementReview,
    ReviewDecision,
    ReviewTrigger,
    Role,
    User,
)
from school_tracker.records.versions import (
    RecordRuleError,
    before_edit,
    check_version,
    finish_edit,
    set_values,
)

ENTITY = "reinstatement_review"
SAFE = frozenset(
    {"meeting_on", "decision", "decided_on", "decision_notified_on", "board_notified_on"}
)


def triggers_for(exclusion: Exclusion) -> list[ReviewTrigger]:
    """The reasons the law requires governors to consider this exclusion, in the app's knowledge.

    A missed public exam cannot be known from the record, so a leader chooses it by hand.
    """
    if exclusion.cancelled_on is not None:
        return []
    if exclusion.kind is ExclusionKind.PERMANENT:
        return [ReviewTrigger.PERMANENT]
    summary = queries.suspension_summary(exclusion.pupil, exclusion.start_date)
    term = queries.school_calendar(exclusion.school_id).term_for(exclusion.start_date)
    total = summary.term_total(term.key)
    if total is not None and total.over_governors_threshold:
        return [ReviewTrigger.OVER_15_DAYS]
    return []


def reviews_for(exclusion: Exclusion) -> list[ReinstatementReview]:
    """The reviews arranged for an exclusion, oldest first."""
    return list(
        db.session.scalars(
            sa.select(ReinstatementReview)
            .where(ReinstatementReview.exclusion_id == exclusion.id)
            .order_by(ReinstatementReview.id)
        )
    )


@dataclass(frozen=True)
class ReviewData:
    """The meeting as a leader arranges it."""

    trigger: ReviewTrigger
    board_notified_on: date
    meeting_on: date | None
    panel_ids: list[int]
    representations: str = ""


def _panel(school_id: int, ids: list[int]) -> list[User]:
    if not ids:
        raise RecordRuleError("Name at least one governor on the panel.", "panel")
    governors = list(
        db.session.scalars(
            sa.select(User).where(
                User.id.in_(ids), User.school_id == school_id, User.role == Role.GOVERNOR
            )
        )
    )
    if len(governors) != len(set(ids)):
        raise RecordRuleError("Choose governors of this school only.", "panel")
    return governors


def _check(exclusion: Exclusion, data: ReviewData) -> None:
    if data.trigger is ReviewTrigger.PERMANENT and exclusion.kind is not ExclusionKind.PERMANENT:
        raise RecordRuleError("This is a suspension, not a permanent exclusion.", "trigger")
    if data.trigger is ReviewTrigger.OVER_15_DAYS and data.trigger not in triggers_for(exclusion):
        raise RecordRuleError("The suspensions this term total 15 school days or fewer.", "trigger")
    if data.board_notified_on < exclusion.start_date:
        raise RecordRuleError("The board can't be told before the exclusion.", "board_notified_on")
    if data.board_notified_on > school_today():
        raise RecordRuleError("This date is in the future.", "board_notified_on")
    if data.meeting_on is not None and data.meeting_on < data.board_notified_on:
        raise RecordRuleError("The meeting can't be before the board was told.", "meeting_on")


def arrange_review(exclusion: Exclusion, data: ReviewData, *, by: User) -> ReinstatementReview:
    """Arrange the governors' consideration of reinstatement for one exclusion (leaders)."""
    if by.role is not Role.LEADER or by.school_id != exclusion.school_id:
        raise RecordRuleError("Only the school's leaders arrange this meeting.", "trigger")
    if exclusion.cancelled_on is not None:
        raise RecordRuleError("This exclusion was cancelled.", "trigger")
    if any(review.decided_on is None for review in reviews_for(exclusion)):
        raise RecordRuleError("A meeting is already arranged for this exclusion.", "trigger")
    _check(exclusion, data)
    review = ReinstatementReview(
        school_id=exclusion.school_id,
        pupil_id=exclusion.pupil_id,
        exclusion=exclusion,
        trigger=data.trigger,
        board_notified_on=data.board_notified_on,
        meeting_on=data.meeting_on,
        representations=data.representations.strip(),
        decision_reasons="",
        panel=_panel(exclusion.school_id, data.panel_ids),
        created_by_id=by.id,
        updated_by_id=by.id,
    )
    db.session.add(review)
    db.session.flush()
    record_audit(
        by,
        "create",
        ENTITY,
        review.id,
        school_id=review.school_id,
        pupil_id=review.pupil_id,
        changes={"trigger": data.trigger.value, "panel": sorted(data.panel_ids)},
    )
    return review


def update_review(
    review: ReinstatementReview, data: ReviewData, *, by: User, expected_version: int | None
) -> dict[str, Any]:
    """Move the meeting, change the panel or add the parents' representations."""
    check_version(review, expected_version)
    if review.decided_on is not None:
        raise RecordRuleError("The decision is recorded; this meeting can't change.", "meeting_on")
    _check(review.exclusion, data)
    before = before_edit(review, ("meeting_on", "representations", "board_notified_on"))
    changes = set_values(
        review,
        {
            "trigger": data.trigger,
            "board_notified_on": data.board_notified_on,
            "meeting_on": data.meeting_on,
            "representations": data.representations.strip(),
        },
        safe_values=SAFE | {"trigger"},
    )
    panel = _panel(review.school_id, data.panel_ids)
    if {user.id for user in panel} != {user.id for user in review.panel}:
        review.panel = panel
        changes["panel"] = sorted(user.id for user in panel)
    finish_edit(review, before, changes, by=by, entity_type=ENTITY, pupil_id=review.pupil_id)
    return changes


@dataclass(frozen=True)
class DecisionData:
    """What the board decided, why, and when the parents were told."""

    decision: ReviewDecision
    reasons: str
    decided_on: date
    notified_on: date | None


def record_decision(
    review: ReinstatementReview, data: DecisionData, *, by: User, expected_version: int | None
) -> dict[str, Any]:
    """Record the board's decision and reasons (a correction keeps the earlier text)."""
    check_version(review, expected_version)
    if not data.reasons.strip():
        raise RecordRuleError("Give the board's reasons.", "reasons")
    if data.decided_on < review.board_notified_on or data.decided_on > school_today():
        raise RecordRuleError(
            "The decision date must be between the board being told and today.", "decided_on"
        )
    if data.notified_on is not None and data.notified_on < data.decided_on:
        raise RecordRuleError("Parents can't be told before the decision.", "notified_on")
    before = before_edit(review, ("decision", "decision_reasons", "decided_on"))
    changes = set_values(
        review,
        {
            "decision": data.decision,
            "decision_reasons": data.reasons.strip(),
            "decided_on": data.decided_on,
            "decision_notified_on": data.notified_on,
            "meeting_on": review.meeting_on or data.decided_on,
        },
        safe_values=SAFE,
    )
    finish_edit(
        review,
        before,
        changes,
        by=by,
        entity_type=ENTITY,
        pupil_id=review.pupil_id,
        action="decide",
    )
    return changes


def review_deadlines(review: ReinstatementReview, calendar: TermCalendar) -> list[Deadline]:
    """The meeting, the decision letter and (after a permanent exclusion) the review request."""
    meet_by = deadlines.add_school_days(
        calendar, review.board_notified_on, deadlines.GOVERNORS_MEET_WITHIN
    )
    found = [
        Deadline(
            "Governors consider reinstatement",
            meet_by,
            review.decided_on,
            "Within 15 school days of the board being notified (guidance, the governing "
            "board's duty to consider reinstatement).",
        ),
        Deadline(
            "Tell the parents the decision and its reasons in writing",
            review.decided_on,
            review.decision_notified_on,
            "Without delay after the meeting (guidance, notifying parents of the decision).",
        ),
    ]
    if review.exclusion.kind is ExclusionKind.PERMANENT:
        request_by = (
            deadlines.add_school_days(
                calendar, review.decision_notified_on, deadlines.REVIEW_REQUEST_WITHIN
            )
            if review.decision_notified_on
            else None
        )
        found.append(
            Deadline(
                "Last day for the parents to ask for an independent review",
                request_by,
                None,
                "Within 15 school days of being told the governors' decision (guidance, "
                "independent review panels).",
                informational=True,
            )
        )
    return found


def pack_open_to_panel(review: ReinstatementReview, today: date | None = None) -> bool:
    """Panel governors may have the pack while the case is open and 30 days after the decision."""
    if review.decided_on is None:
        return True
    return (today or school_today()) <= review.decided_on + deadlines.PACK_OPEN_AFTER_DECISION
