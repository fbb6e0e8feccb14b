"""What alerts know about each feature's records, registered by `create_app`.

An alert points at a record by type and id. Its feature says who may see that record (asked
both when the alert is raised and again when it is opened, R21) and where its page is.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from school_tracker.models import User
from school_tracker.models.alert import AlertKind


@dataclass(frozen=True)
class AlertTarget:
    """One record type: may `user` see record `record_id`, and the URL of its page."""

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

_targets: dict[str, AlertTarget] = {}
_due_checks: dict[str, DueCheck] = {}


def register_alert_target(
    record_type: str, *, may_see: Callable[[User, int], bool], url: Callable[[int], str]
) -> None:
    """Say who may see a record type and where its page is (idempotent per type)."""
    _targets[record_type] = AlertTarget(may_see=may_see, url=url)


def register_due_check(name: str, check: DueCheck) -> None:
    """Add a check the daily run asks for alerts falling due (idempotent per name)."""
    _due_checks[name] = check


def alert_target(record_type: str) -> AlertTarget | None:
    return _targets.get(record_type)


def due_checks() -> list[DueCheck]:
    return list(_due_checks.values())


def may_see_record(user: User, record_type: str | None, record_id: int | None) -> bool:
    """True when the alert names no record, or the record's feature says the user may see it.

    A record type nobody registered is seen by no one: an alert must never open a door.
    """
    if record_type is None or record_id is None:
        return True
    target = _targets.get(record_type)
    return target is not None and target.may_see(user, record_id)
