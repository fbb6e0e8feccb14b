"""Kindness moments on the pupil timeline."""

from flask import url_for

from school_tracker.kindness import queries
from school_tracker.models import Pupil, User
from school_tracker.permissions import STAFF_AND_LEADERS
from school_tracker.records.versions import TimelineEntry


def kindness_timeline(pupil: Pupil, viewer: User) -> list[TimelineEntry]:
    """Moments where the pupil was kind or was shown kindness, for staff and leaders."""
    if viewer.role not in STAFF_AND_LEADERS:
        return []
    entries = []
    for moment in queries.pupil_moments(pupil, viewer):
        values = ", ".join(value.label.lower() for value in moment.values)
        if pupil.id in moment.giver_pupil_ids:
            title = f"Was kind: showed {values}"
        else:
            title = f"Was shown kindness by {queries.giver_label(moment)}"
        badges = ("Hidden from the wall",) if moment.hidden else ()
        entries.append(
            TimelineEntry(
                on=moment.occurred_on,
                kind="Kindness",
                title=title,
                url=url_for("kindness.detail", moment_id=moment.id),
                badges=badges,
            )
        )
    return entries
