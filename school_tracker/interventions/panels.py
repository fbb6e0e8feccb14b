"""What interventions add to a pupil's timeline and to staff and leaders' home pages."""

from datetime import date

from flask import url_for

from school_tracker.calendar.terms import school_today
from school_tracker.interventions import queries
from school_tracker.models import Intervention, Pupil, Role, User
from school_tracker.permissions import STAFF_AND_LEADERS
from school_tracker.records.timeline import HomeItem, HomePanel
from school_tracker.records.versions import TimelineEntry
from school_tracker.templating import date_uk


def _impact(value: int | None) -> str:
    return "" if value is None else f"Impact {value:+d}"


def intervention_timeline(pupil: Pupil, viewer: User) -> list[TimelineEntry]:
    """The pupil's interventions the viewer may see (leaders, the lead and the creator)."""
    if viewer.role not in STAFF_AND_LEADERS:
        return []
    entries = []
    for part, record in queries.pupil_participations(pupil.school_id, pupil.id, viewer):
        badges = [record.status.label, record.mode.label]
        if not part.is_taking_part:
            badges.append("Withdrawn")
        if part.impact is not None:
            badges.append(_impact(part.impact))
        entries.append(
            TimelineEntry(
                on=part.start_date,
                kind="Intervention",
                title=record.type.name,
                url=url_for("interventions.detail", intervention_id=record.id),
                detail=f"Review {date_uk(record.review_date)}" if record.status.is_open else "",
                badges=tuple(badges),
            )
        )
    return entries


def _item(record: Intervention, today: date) -> HomeItem:
    overdue = record.review_overdue(today)
    when = f"review {'overdue since' if overdue else 'due'} {date_uk(record.review_date)}"
    return HomeItem(
        text=queries.describe(record),
        url=url_for("interventions.detail", intervention_id=record.id),
        due=when,
    )


def intervention_panels(user: User) -> list[HomePanel]:
    """Overdue reviews (the user's own; for leaders the school's), then what they lead."""
    if user.role not in STAFF_AND_LEADERS or user.school_id is None:
        return []
    today = school_today()
    panels = []
    # Leaders' school-wide panel already holds their own overdue reviews.
    lead_id = None if user.role is Role.LEADER else user.id
    overdue, total = queries.overdue_reviews(user.school_id, today, lead_id=lead_id)
    items = [_item(record, today) for record in overdue]
    if total > len(items):
        items.append(
            HomeItem(
                text=f"See all {total} overdue reviews",
                url=url_for("interventions.index", overdue="1"),
            )
        )
    if items or user.role is Role.LEADER:
        panels.append(
            HomePanel(
                title="Overdue intervention reviews"
                if user.role is Role.LEADER
                else "My intervention reviews overdue",
                items=items,
                empty="No intervention reviews are overdue.",
                order=15,
            )
        )
    coming = queries.led_by(user.school_id, user.id, reviews_from=today)
    if coming or user.role is Role.STAFF:
        panels.append(
            HomePanel(
                title="Interventions I lead",
                items=[_item(record, today) for record in coming],
                empty="No planned or active interventions with a review still to come.",
                order=20,
            )
        )
    return panels
