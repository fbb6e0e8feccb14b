"""The pupil file's "Record versions" sheet: what edited records said before (R63, R70).

Each changed field of each earlier version is one line, redacted by the same rules as the
record sheets: another child is "another pupil", and what another pupil said or wrote, or
text about a whole group, is withheld.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any, NamedTuple

from school_tracker.models import InterventionMode, MentoringPairing, MentorKind, RecordVersion
from school_tracker.records.history import (
    BLANK,
    PUPIL_LIST_SUFFIX,
    VERSIONED_MODELS,
    field_label,
    pupil_columns,
    shown_value,
)
from school_tracker.reports.subject_access.data import PupilFile
from school_tracker.reports.subject_access.sheets import GROUP_WITHHELD, WITHHELD, Redactor
from school_tracker.reports.tabular import Col, attr

TITLE = "Record versions"
REMOVED = "[removed under the retention policy]"
# Text written about a whole group (withheld from one pupil's file, as on the record sheets).
GROUP_TEXT = frozenset({"pupil_voice", "parent_voice", "notes", "stop_reason"})


class VersionLine(NamedTuple):
    """One changed field of one earlier version."""

    changed_at: datetime
    changed_by: str
    record_type: str
    record_id: int
    version: int
    field: str
    earlier: str
    reason: str | None


COLUMNS = [
    Col("Changed at", 17, attr("changed_at")),
    Col("Changed by", 24, attr("changed_by")),
    Col("Record type", 24, attr("record_type")),
    Col("Record", 9, attr("record_id"), text=False),
    Col("Version replaced", 10, attr("version"), text=False),
    Col("Field", 24, attr("field")),
    Col("Earlier value", 60, attr("earlier")),
    Col("Reason given", 40, attr("reason")),
]


def version_lines(data: PupilFile) -> list[VersionLine]:
    """Every changed field of every earlier version of the records in the file, oldest first."""
    tidies = _tidies(data)
    lines = []
    for row in data.versions:
        line = _line(data, row)
        if row.previous is None:
            lines.append(line("", REMOVED))
            continue
        tidy = tidies.get(row.id, _as_is)
        lines += [
            line(field_label(name), tidy(name, value)) for name, value in row.previous.items()
        ]
    return lines


def _line(data: PupilFile, row: RecordVersion) -> Callable[[str, str], VersionLine]:
    def make(field: str, earlier: str) -> VersionLine:
        return VersionLine(
            row.changed_at,
            data.name(row.changed_by_id) if row.changed_by_id else "the system",
            row.entity_type.replace("_", " ").capitalize(),
            row.entity_id,
            row.version,
            field,
            earlier,
            row.reason,
        )

    return make


Tidy = Callable[[str, Any], str]


def _as_is(name: str, value: Any) -> str:
    return shown_value("", name, value)


def _tidies(data: PupilFile) -> dict[int, Tidy]:
    """How to show each version's earlier values in this pupil's file, by version row id."""
    r = Redactor(data)
    pairings = {p.id: p for p in data.pairings}
    groups = {
        part.intervention_id
        for part in data.participations
        if part.intervention.mode is InterventionMode.GROUP
    }
    tidies: dict[int, Tidy] = {}
    mentors: dict[int, dict[str, Any]] = {}
    # Newest first, so each pairing's mentor can be wound back to who it was at that version.
    for row in sorted(data.versions, key=lambda v: v.version, reverse=True):
        previous = row.previous or {}
        if row.entity_type == "mentoring_pairing" and row.entity_id in pairings:
            pairing = pairings[row.entity_id]
            mentor = mentors.setdefault(
                pairing.id,
                {
                    "mentor_kind": pairing.mentor_kind.value,
                    "mentor_pupil_id": pairing.mentor_pupil_id,
                },
            )
            mentor.update({k: previous[k] for k in mentor if k in previous})
            tidies[row.id] = _pupils_named(r, row.entity_type, _pairing_words(r, pairing, mentor))
        elif row.entity_type == "intervention" and row.entity_id in groups:
            tidies[row.id] = _group_words
        elif row.entity_type == "kindness_moment":
            tidies[row.id] = _pupils_named(r, row.entity_type, _as_is)
    return tidies


def _pupils_named(r: Redactor, entity_type: str, inner: Tidy) -> Tidy:
    """Another child is only ever "another pupil"."""
    linked = pupil_columns(VERSIONED_MODELS[entity_type])

    def tidy(name: str, value: Any) -> str:
        if name in linked and value is not None:
            return r.person(value, None)
        if name.endswith(PUPIL_LIST_SUFFIX) and isinstance(value, list):
            return r.pupils(value) or BLANK
        return inner(name, value)

    return tidy


def _pairing_words(r: Redactor, pairing: MentoringPairing, mentor: dict[str, Any]) -> Tidy:
    """The mentee's and mentor's words, withheld when that person was another pupil then."""
    this_is_mentee = r.is_mentee(pairing)
    mentor_was_peer = mentor["mentor_kind"] == MentorKind.PEER.value
    own_words = {
        "mentee_goals": this_is_mentee,
        "outcome_notes": this_is_mentee,
        "mentor_goals": (this_is_mentee and not mentor_was_peer)
        or mentor["mentor_pupil_id"] == r.pupil_id,
    }

    def tidy(name: str, value: Any) -> str:
        if name in own_words and value and not own_words[name]:
            return WITHHELD
        return _as_is(name, value)

    return tidy


def _group_words(name: str, value: Any) -> str:
    if name in GROUP_TEXT and value:
        return GROUP_WITHHELD
    return _as_is(name, value)
