"""What parent conversations add to a pupil's timeline and to the lead's home page."""

from flask import url_for

from school_tracker.calendar.terms import school_today
from school_tracker.families import queries
from school_tracker.models import Pupil, Role, User
from school_tracker.permissions import STAFF_AND_LEADERS
from school_tracker.records.timeline import HomeItem, HomePanel
from school_tracker.records.versions import TimelineEntry
from school_tracker.templating import date_uk


def conversation_timeline(pupil: Pupil, viewer: User) -> list[TimelineEntry]:
    """The pupil's conversations the viewer may see (leaders, the lead and the creator)."""
    if viewer.role not in STAFF_AND_LEADERS:
        return []
    return [
        TimelineEntry(
            on=record.held_on,
            kind="Parent/carer conversation",
            title=f"Conversation with {record.carer_relationship.label.lower()}",
            url=url_for("families.detail", conversation_id=record.id),
            detail=f"Led by {record.led_by.full_name}",
            badges=("Follow-up open",) if record.follow_up_due(school_today()) else (),
        )
        for record in queries.pupil_conversations(pupil.school_id, pupil.id, viewer)
    ]


def follow_up_panel(user: User) -> list[HomePanel]:
    """Follow-ups the signed-in member of staff leads that are due within a week or overdue."""
    if user.role not in STAFF_AND_LEADERS or user.school_id is None:
        return []
    today = school_today()
    due = queries.follow_ups_due(user.school_id, user.id, today)
    if not due and user.role is Role.LEADER:
        return []
    items = [
        HomeItem(
            text=f"Follow up with {record.pupil.display_name}'s "
            f"{record.carer_relationship.label.lower()}",
            url=url_for("families.detail", conversation_id=record.id),
            due=("overdue since " if record.follow_up_on < today else "due ")
            + date_uk(record.follow_up_on),
        )
        for record in due
        if record.follow_up_on is not None  # the query finds only dated follow-ups
    ]
    return [
        HomePanel(
            title="Parent and carer follow-ups due",
            items=items,
            empty="No follow-ups due this week.",
            order=25,
        )
    ]
