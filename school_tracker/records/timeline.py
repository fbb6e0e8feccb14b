"""Pupil timelines and home-page panels, gathered from every record feature.

The app factory registers each feature's sources by name (`register_sources`); the pupil page
and home page ask every registered source, so adding a record type never edits those views.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from flask import Flask, current_app

from school_tracker.models import Pupil, User
from school_tracker.records.versions import TimelineEntry

TimelineSource = Callable[[Pupil, User], list[TimelineEntry]]


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


@dataclass(frozen=True)
class RecordSources:
    """What the pupil page and the home page ask, in this order (ties keep it)."""

    timeline: tuple[TimelineSource, ...]
    home: tuple[HomeSource, ...]


_EXTENSION = "school_tracker.record_sources"


def register_sources(
    app: Flask, *, timeline: Iterable[TimelineSource], home: Iterable[HomeSource]
) -> None:
    """Give the app the functions returning a pupil's timeline entries and a user's panels."""
    app.extensions[_EXTENSION] = RecordSources(tuple(timeline), tuple(home))


def _sources() -> RecordSources:
    sources: RecordSources = current_app.extensions[_EXTENSION]
    return sources


def pupil_timeline(pupil: Pupil, viewer: User) -> list[TimelineEntry]:
    """Every record about the pupil the viewer may see, newest first."""
    entries = [entry for source in _sources().timeline for entry in source(pupil, viewer)]
    return sorted(entries, key=lambda entry: entry.on, reverse=True)


def home_panels(user: User) -> list[HomePanel]:
    """Every panel for this user's home page, in display order."""
    panels = [panel for source in _sources().home for panel in source(user)]
    return sorted(panels, key=lambda panel: panel.order)
