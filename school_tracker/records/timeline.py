"""Pupil timelines and home-page panels, gathered from every record feature.

Each feature registers a source at import time of its blueprint; the pupil page and home
page ask every source, so adding a record type never edits the pupil or home views.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from school_tracker.models import Pupil, User
from school_tracker.records.versions import TimelineEntry

TimelineSource = Callable[[Pupil, User], list[TimelineEntry]]
_timeline_sources: list[TimelineSource] = []


@dataclass(frozen=True)
class HomeItem:
    """One line in a home-page panel."""

    text: str
    url: str | None = None
    due: str = ""  # e.g. "overdue since 3 Nov 2026"; never a pupil name in a URL


@dataclass(frozen=True)
class HomePanel:
    """A titled list on a role's home page (e.g. "Reviews due", "My mentoring pairings")."""

    title: str
    items: list[HomeItem] = field(default_factory=list)
    empty: str = "Nothing here."
    order: int = 50


HomeSource = Callable[[User], list[HomePanel]]
_home_sources: list[HomeSource] = []


def timeline_source(func: TimelineSource) -> TimelineSource:
    """Register a function returning the entries a user may see for a pupil."""
    if func not in _timeline_sources:
        _timeline_sources.append(func)
    return func


def home_source(func: HomeSource) -> HomeSource:
    """Register a function returning home-page panels for a user."""
    if func not in _home_sources:
        _home_sources.append(func)
    return func


def pupil_timeline(pupil: Pupil, viewer: User) -> list[TimelineEntry]:
    """Every record about the pupil the viewer may see, newest first."""
    entries = [entry for source in _timeline_sources for entry in source(pupil, viewer)]
    return sorted(entries, key=lambda entry: entry.on, reverse=True)


def home_panels(user: User) -> list[HomePanel]:
    """Every panel for this user's home page, in display order."""
    panels = [panel for source in _home_sources for panel in source(user)]
    return sorted(panels, key=lambda panel: panel.order)
