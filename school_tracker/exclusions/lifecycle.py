"""A suspension after it starts: the return, the reintegration meeting, education from day six,
and the notifications, each with the date the law sets (docs/exclusions.md)."""

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from school_tracker.calendar.terms import TermCalendar
from school_tracker.exclusions import deadlines, queries
from school_tracker.exclusions.deadlines import Deadline
from school_tracker.extensions import db
from school_tracker.models import Exclusion, ExclusionFollowUp, ExclusionKind, User
from school_tracker.records.versions import (
    RecordRuleError,
    before_edit,
    check_version,
    finish_edit,
    set_values,
)

ENTITY = "exclusion_follow_up"
FIELDS = (
    "return_on",
    "meeting_on",
    "attended",
    "agreed",
    "pupil_views",
    "parent_views",
    "provider",
    "provision_from",
)
SAFE = frozenset({"return_on", "meeting_on", "provision_from"})
DAYS_BEFORE_PROVISION = 5  # school days the school sets and marks work itself


@dataclass(frozen=True)
class FollowUpData:
    """What a leader records after the exclusion starts."""

    return_on: date | None = None
    meeting_on: date | None = None
    attended: str = ""
    agreed: str = ""
    pupil_views: str = ""
    parent_views: str = ""
    provider: str | None = None
    provision_from: date | None = None


def follow_up_for(exclusion: Exclusion) -> ExclusionFollowUp | None:
    """The follow-up recorded for an exclusion, if any."""
    return db.session.scalar(
        sa.select(ExclusionFollowUp).where(ExclusionFollowUp.exclusion_id == exclusion.id)
    )


def _check(exclusion: Exclusion, data: FollowUpData) -> None:
    start = exclusion.start_date
    if exclusion.kind is ExclusionKind.PERMANENT and data.return_on is not None:
        raise RecordRuleError("A permanently excluded pupil has no return date.", "return_on")
    for name in ("return_on", "meeting_on", "provision_from"):
        day = getattr(data, name)
        if day is not None and day < start:
            raise RecordRuleError("This date can't be before the exclusion started.", name)
    if (data.provider or None) is None and data.provision_from is not None:
        raise RecordRuleError("Name who provides the education.", "provider")
    if (data.provider or None) is not None and data.provision_from is None:
        raise RecordRuleError("Give the date the education starts.", "provision_from")


def save_follow_up(
    exclusion: Exclusion, data: FollowUpData, *, by: User, expected_version: int | None
) -> ExclusionFollowUp:
    """Record or correct the return, meeting and provision; earlier values are kept."""
    if exclusion.cancelled_on is not None:
        raise RecordRuleError("This exclusion was cancelled.", "return_on")
    _check(exclusion, data)
    follow_up = follow_up_for(exclusion)
    values: dict[str, Any] = {name: getattr(data, name) for name in FIELDS}
    values["provider"] = (values["provider"] or "").strip() or None
    if follow_up is None:
        follow_up = ExclusionFollowUp(
            exclusion=exclusion,
            school_id=exclusion.school_id,
            created_by_id=by.id,
            **{name: "" for name in ("attended", "agreed", "pupil_views", "parent_views")},
        )
        db.session.add(follow_up)
        db.session.flush()
        before = None
    else:
        check_version(follow_up, expected_version)
        before = before_edit(follow_up, FIELDS)
    changes = set_values(follow_up, values, safe_values=SAFE)
    finish_edit(
        follow_up,
        before,
        changes or {"exclusion_id": exclusion.id},
        by=by,
        entity_type=ENTITY,
        pupil_id=exclusion.pupil_id,
        action="update" if before is not None else "create",
    )
    return follow_up


def needs_provision(exclusion: Exclusion) -> bool:
    """A permanent exclusion, or a suspension longer than five school days."""
    if exclusion.kind is ExclusionKind.PERMANENT:
        return True
    return (exclusion.sessions or 0) > DAYS_BEFORE_PROVISION * queries.SESSIONS_PER_DAY


def exclusion_deadlines(
    exclusion: Exclusion, follow_up: ExclusionFollowUp | None, calendar: TermCalendar
) -> list[Deadline]:
    """The notifications and education the law asks for, each due date beside what was done."""
    start = exclusion.start_date
    found = [
        Deadline(
            "Tell the parents in writing, with the reasons and their rights",
            start,
            exclusion.parents_notified_on,
            "Without delay, once the decision is made (guidance, notification of parents).",
        ),
        Deadline(
            "Tell the local authority",
            start,
            exclusion.la_notified_on,
            "Without delay for a permanent exclusion or more than 5 days in a term; at least "
            "termly otherwise (guidance, notifying the LA).",
        ),
    ]
    pupil = exclusion.pupil
    if pupil.looked_after or pupil.child_in_need or pupil.previously_looked_after:
        found.append(
            Deadline(
                "Tell the social worker, or the Virtual School Head for a looked-after child",
                start,
                exclusion.social_worker_notified_on,
                "Without delay, where the pupil has a social worker or is (or was) looked after "
                "(guidance, notifying the social worker and VSH).",
            )
        )
    if needs_provision(exclusion):
        who = (
            "The local authority arranges"
            if exclusion.kind is ExclusionKind.PERMANENT
            else ("The school arranges")
        )
        found.append(
            Deadline(
                f"{who} suitable full-time education from the sixth school day",
                deadlines.nth_school_day(calendar, start, deadlines.EDUCATION_FROM_DAY),
                follow_up.provision_from if follow_up else None,
                "Education (Pupil Registration) and Education Act 1996 s.19 / 2002 s.100.",
            )
        )
    return found
