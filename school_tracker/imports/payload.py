"""The parsed rows kept with a preview as plain JSON (ISO dates, enum values), and back again."""

import enum
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from school_tracker.imports.parser import PupilRow, RowError
from school_tracker.models import Gender, PrimaryNeed, SenStatus, YearGroup

PAYLOAD_VERSION = 1
# Rows are stored as lists in this column order: about half the size of a list of dicts.
COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(PupilRow))
_DATES = frozenset({"date_of_birth", "admission_date"})
_ENUMS: dict[str, type[enum.Enum]] = {
    "gender": Gender,
    "year_group": YearGroup,
    "sen_status": SenStatus,
    "primary_need": PrimaryNeed,
}


class PayloadError(ValueError):
    """A stored preview that cannot be read back (an older format); preview the file again."""


@dataclass
class StoredRows:
    """What a preview keeps: the valid rows, the columns the file had, warnings, held UPNs."""

    rows: list[PupilRow]
    present: tuple[str, ...]
    warnings: list[RowError]
    held: list[str]
    hand_set: list[str]


def _plain(value: object) -> object:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    return value


# Any: the column's name decides the type, so each PupilRow field gets its own.
def _typed(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name in _DATES:
        return date.fromisoformat(value)
    if name in _ENUMS:
        return _ENUMS[name](value)
    return value


def to_payload(
    rows: list[PupilRow],
    *,
    present: tuple[str, ...],
    warnings: list[RowError],
    held: list[str],
    hand_set: list[str] | None = None,
) -> dict[str, Any]:
    """A JSON-ready dict of everything needed to apply the import later."""
    return {
        "version": PAYLOAD_VERSION,
        "columns": list(COLUMNS),
        "rows": [[_plain(getattr(row, name)) for name in COLUMNS] for row in rows],
        "present": list(present),
        "warnings": [[w.row, w.column, w.message] for w in warnings],
        "held": list(held),
        "hand_set": list(hand_set or []),
    }


def from_payload(payload: dict[str, Any] | None) -> StoredRows:
    """Turn a stored payload back into typed rows; PayloadError if it is missing or unknown."""
    if not payload or payload.get("version") != PAYLOAD_VERSION:
        raise PayloadError("This preview can no longer be read; upload the file again.")
    columns = payload["columns"]
    rows = [
        PupilRow(**{name: _typed(name, value) for name, value in zip(columns, values, strict=True)})
        for values in payload["rows"]
    ]
    return StoredRows(
        rows=rows,
        present=tuple(payload["present"]),
        warnings=[RowError(row, column, message) for row, column, message in payload["warnings"]],
        held=list(payload["held"]),
        hand_set=list(payload.get("hand_set", [])),
    )
