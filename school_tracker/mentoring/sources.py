"""Mentoring on the pupil timeline and on staff and leaders' home pages."""

from datetime import timedelta

from flask import url_for

from school_tracker.calendar.terms import school_today
from school_tracker.mentoring import queries
from school_tracker.models import PairingStatus, Pupil, Role, User
from school_tracker.permissions import STAFF_AND_LEADERS
from school_tracker.records.timeline import HomeItem, HomePanel
from school_tracker.records.versions import TimelineEntry

STALE_AFTER_DAYS = 14  # an active pairing with no session for this long is flagged
PAUSED_TOO_LONG_DAYS = 30


def mentoring_timeline(pupil: Pupil, viewer: User) -> list[TimelineEntry]:
    """The pupil's pairings, as mentee or as a peer mentor, that the viewer may open."""
    if viewer.role not in STAFF_AND_LEADERS:
        return []
    pairings = queries.pupil_pairings(pupil, viewer)
    ids = [p.id for p in pairings]
    counts = queries.session_totals(ids)
    last = queries.last_session_dates(ids)
    entries = []
    for pairing in pairings:
        if pairing.mentee_id == pupil.id:
            title = f"Mentored by {pairing.mentor_label}"
        else:
            title = f"Peer mentor to {pairing.mentee.display_name}"
        n = counts.get(pairing.id, 0)
        detail = f"{n} session{'s' if n != 1 else ''}"
        if pairing.id in last:
            detail += f", last on {last[pairing.id]:%d %b %Y}"
        badges = [pairing.status.label]
        if pairing.outcome is not None:
            badges.append(pairing.outcome.label)
        entries.append(
            TimelineEntry(
                on=pairing.starts_on,
                kind="Mentoring",
                title=title,
                url=url_for("mentoring.detail", pairing_id=pairing.id),
                detail=detail,
                badges=tuple(badges),
            )
        )
    return entries


def _my_mentoring(user: User) -> HomePanel | None:
    pairings = queries.mentor_pairings(user, (PairingStatus.ACTIVE,))
    if not pairings and user.role is not Role.STAFF:
        return None
    today = school_today()
    last = queries.last_session_dates([p.id for p in pairings])
    items = []
    for pairing in pairings:
        last_on = last.get(pairing.id)
        since = last_on or pairing.starts_on
        quiet_days = (today - since).days
        due = ""
        if quiet_days >= STALE_AFTER_DAYS:
            due = f"no session logged for {quiet_days} days"
        when = f"last session {last_on:%d %b %Y}" if last_on else "no sessions yet"
        items.append(
            HomeItem(
                text=f"{pairing.mentee.display_name}: {when}",
                url=url_for("mentoring.detail", pairing_id=pairing.id),
                due=due,
            )
        )
    return HomePanel(
        title="My mentoring",
        items=items,
        empty="You are not mentoring anyone at the moment.",
        order=20,
    )


def _paused_too_long(school_id: int) -> HomePanel:
    today = school_today()
    cutoff = today - timedelta(days=PAUSED_TOO_LONG_DAYS + 1)
    items = [
        HomeItem(
            text=f"{pairing.mentee.display_name} with {pairing.mentor_label}",
            url=url_for("mentoring.detail", pairing_id=pairing.id),
            due=f"paused since {pairing.paused_on:%d %b %Y}",
        )
        for pairing in queries.paused_since(school_id, cutoff)
    ]
    return HomePanel(
        title="Mentoring paused for over 30 days",
        items=items,
        empty="No mentoring pairing has been paused for more than 30 days.",
        order=40,
    )


def mentoring_home(user: User) -> list[HomePanel]:
    """Staff: their own pairings; leaders: also pairings paused too long."""
    if user.role not in STAFF_AND_LEADERS or user.school_id is None:
        return []
    panels = [panel for panel in (_my_mentoring(user),) if panel is not None]
    if user.role is Role.LEADER:
        panels.append(_paused_too_long(user.school_id))
    return panels
