"""What agency involvement adds to a pupil's timeline."""

from flask import url_for

from school_tracker.agencies import queries
from school_tracker.calendar.terms import school_today
from school_tracker.models import Pupil, User
from school_tracker.permissions import STAFF_AND_LEADERS
from school_tracker.records.versions import TimelineEntry
from school_tracker.templating import date_uk


def involvement_timeline(pupil: Pupil, viewer: User) -> list[TimelineEntry]:
    """The pupil's involvements the viewer may see (leaders, the referrer and named staff)."""
    if viewer.role not in STAFF_AND_LEADERS or viewer.school_id != pupil.school_id:
        return []
    today = school_today()
    entries = []
    for record in queries.pupil_involvements(pupil, viewer):
        detail = f"Referred by {record.referred_by.full_name}"
        if record.next_step_on is not None and not record.status.is_finished:
            detail += f"; next step by {date_uk(record.next_step_on)}"
        entries.append(
            TimelineEntry(
                on=record.referred_on,
                kind="Agency involvement",
                title=f"Referral to {record.agency.name}",
                url=url_for("agencies.detail", involvement_id=record.id),
                detail=detail,
                badges=(record.status.label,)
                + (("Next step overdue",) if record.next_step_overdue(today) else ()),
            )
        )
    return entries
