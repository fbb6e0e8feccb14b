"""What alerts know about each feature's records, registered by `create_app`.

An alert points at a record by type and id. Its feature says who may see that record (asked
both when the alert is raised and again when it is opened, R21), what to call it and where
its page is, and gives the daily check its records falling due.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from flask import Flask, current_app

from school_tracker.models import User
from school_tracker.models.alert import AlertKind


@dataclass(frozen=True)
class AlertTarget:
    """One record type: who may see record `record_id`, its name and its page."""

    noun: str  # "risk flag": the link reads "Open the risk flag", never the pupil's name
    may_see: Callable[[User, int], bool]
    url: Callable[[int], str]


@dataclass(frozen=True)
class DueAlert:
    """An alert the daily check should raise (once per recipient, record and due date)."""

    recipient: User
    kind: AlertKind
    record_type: str
    record_id: int
    due_on: date


DueCheck = Callable[[date], list[DueAlert]]

# The daily check looks back this far: a worker stopped for a week still catches up, but the
# first run never floods people with every review missed years ago (home pages list those).
DUE_LOOKBACK = timedelta(days=14)


def oldest_due(today: date) -> date:
    """The earliest due date the daily check still alerts about."""
    return today - DUE_LOOKBACK


@dataclass(frozen=True)
class AlertSources:
    targets: Mapping[str, AlertTarget]
    due_checks: tuple[DueCheck, ...]


_EXTENSION = "school_tracker.alert_sources"


def register_alert_sources(
    app: Flask, *, targets: Mapping[str, AlertTarget], due_checks: Iterable[DueCheck]
) -> None:
    """Give the app each record type alerts may point at, and the daily checks."""
    app.extensions[_EXTENSION] = AlertSources(dict(targets), tuple(due_checks))


def _sources() -> AlertSources:
    sources: AlertSources = current_app.extensions[_EXTENSION]
    return sources


def alert_target(record_type: str | None) -> AlertTarget | None:
    return _sources().targets.get(record_type) if record_type else None


def due_checks() -> tuple[DueCheck, ...]:
    return _sources().due_checks


def may_see_record(user: User, record_type: str | None, record_id: int | None) -> bool:
    """True when the alert names no record, or the record's feature says the user may see it.

    A record type nobody registered is seen by no one: an alert must never open a door.
    """
    if record_type is None or record_id is None:
        return True
    target = alert_target(record_type)
    return target is not None and target.may_see(user, record_id)
