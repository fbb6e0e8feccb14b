"""Mentoring pairings: start and edit them (pause, resume and end are in lifecycle.py)."""

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from school_tracker.audit import record_audit
from school_tracker.extensions import db
from school_tracker.models import (
    AdultRelationship,
    MeetingFrequency,
    MentoringPairing,
    MentoringSession,
    MentorKind,
    PairingStatus,
    Priority,
    Pupil,
    User,
)
from school_tracker.permissions import STAFF_AND_LEADERS
from school_tracker.records.priorities import chosen_priorities
from school_tracker.records.versions import RecordRuleError, apply_changes, check_version

ENTITY = "mentoring_pairing"
# Values safe to keep in the audit log: states and choices, never goals, notes or names.
SAFE_FIELDS = frozenset(
    {
        "status",
        "mentor_kind",
        "mentor_user_id",
        "mentor_relationship",
        "frequency",
        "starts_on",
        "planned_end_on",
        "paused_on",
        "ended_on",
        "outcome",
        "priorities",
    }
)


@dataclass(frozen=True)
class MentorSpec:
    """Exactly one mentor: a staff user, a named adult with a relationship, or a peer pupil."""

    kind: MentorKind
    user_id: int | None = None
    pupil_id: int | None = None
    name: str | None = None
    relationship: AdultRelationship | None = None


@dataclass(frozen=True)
class PairingDetails:
    """The editable parts of a pairing."""

    mentor: MentorSpec
    mentee_goals: str
    mentor_goals: str
    priority_codes: tuple[str, ...]
    starts_on: date
    planned_end_on: date | None
    frequency: MeetingFrequency


def _mentor_columns(school_id: int, mentee_id: int, spec: MentorSpec) -> dict[str, Any]:
    """Check the mentor belongs to this school and return the mentor columns to store."""
    columns: dict[str, Any] = {
        "mentor_kind": spec.kind,
        "mentor_user_id": None,
        "mentor_pupil_id": None,
        "mentor_name": None,
        "mentor_relationship": None,
    }
    filled = [v for v in (spec.user_id, spec.pupil_id, spec.name) if v]
    if len(filled) != 1:
        raise RecordRuleError("Choose exactly one mentor.", field="mentor_kind")
    if spec.kind is MentorKind.STAFF:
        user = db.session.get(User, spec.user_id) if spec.user_id else None
        if not user or user.school_id != school_id or not user.active:
            raise RecordRuleError("Choose a member of staff at this school.", "mentor_user")
        if user.role not in STAFF_AND_LEADERS:
            raise RecordRuleError("Only staff and leaders can be staff mentors.", "mentor_user")
        columns["mentor_user_id"] = user.id
    elif spec.kind is MentorKind.PEER:
        pupil = db.session.get(Pupil, spec.pupil_id) if spec.pupil_id else None
        if not pupil or pupil.school_id != school_id:
            raise RecordRuleError("Choose a pupil at this school.", "mentor_pupil")
        if pupil.id == mentee_id:
            raise RecordRuleError("A pupil can't mentor themselves.", "mentor_pupil")
        columns["mentor_pupil_id"] = pupil.id
    else:
        if not spec.name or not spec.name.strip():
            raise RecordRuleError("Give the adult mentor's name.", "mentor_name")
        if spec.relationship is None:
            raise RecordRuleError(
                "Say how the adult mentor knows the school.", "mentor_relationship"
            )
        columns["mentor_name"] = spec.name.strip()
        columns["mentor_relationship"] = spec.relationship
    return columns


def _check_details(details: PairingDetails) -> None:
    if not details.mentee_goals.strip():
        raise RecordRuleError("Say what the mentee wants from mentoring.", "mentee_goals")
    if not details.mentor_goals.strip():
        raise RecordRuleError("Say what the mentor hopes to learn.", "mentor_goals")
    if details.planned_end_on and details.planned_end_on < details.starts_on:
        raise RecordRuleError("The planned end can't be before the start.", "planned_end_on")
    if not details.priority_codes:
        raise RecordRuleError("Link at least one priority.", "priorities")


def _priorities(codes: tuple[str, ...]) -> list[Priority]:
    return chosen_priorities(codes, "Choose priorities from the list.")


def create_pairing(
    school_id: int, mentee: Pupil, details: PairingDetails, *, by: User
) -> MentoringPairing:
    """Start an active pairing for a pupil of this school."""
    if mentee.school_id != school_id:
        raise RecordRuleError("Choose a pupil at this school.", "mentee")
    _check_details(details)
    pairing = MentoringPairing(
        school_id=school_id,
        mentee_id=mentee.id,
        mentee_goals=details.mentee_goals.strip(),
        mentor_goals=details.mentor_goals.strip(),
        starts_on=details.starts_on,
        planned_end_on=details.planned_end_on,
        frequency=details.frequency,
        status=PairingStatus.ACTIVE,
        created_by_id=by.id,
        updated_by_id=by.id,
        **_mentor_columns(school_id, mentee.id, details.mentor),
    )
    pairing.priorities = _priorities(details.priority_codes)
    db.session.add(pairing)
    db.session.flush()
    record_audit(
        by,
        "create",
        ENTITY,
        pairing.id,
        school_id=school_id,
        pupil_id=mentee.id,
        changes={
            "status": [None, "active"],
            "mentor_kind": [None, pairing.mentor_kind.value],
            "priorities": [None, sorted(details.priority_codes)],
            "mentee_goals": "set",
            "mentor_goals": "set",
        },
    )
    return pairing


def _first_session_on(pairing: MentoringPairing) -> date | None:
    return db.session.scalar(
        sa.select(sa.func.min(MentoringSession.held_on)).where(
            MentoringSession.pairing_id == pairing.id
        )
    )


def update_pairing(
    pairing: MentoringPairing,
    details: PairingDetails,
    *,
    by: User,
    expected_version: int | None,
    view_url: str | None = None,
    reason: str | None = None,
) -> dict[str, Any]:
    """Edit a pairing (refused if someone saved first); returns the audited changes."""
    check_version(pairing, expected_version, view_url)
    _check_details(details)
    first = _first_session_on(pairing)
    if first is not None and details.starts_on > first:
        raise RecordRuleError(
            f"A session was logged on {first:%d %b %Y}; the start can't be after it.", "starts_on"
        )
    if pairing.ended_on and pairing.ended_on < details.starts_on:
        raise RecordRuleError("The start can't be after the date the pairing ended.", "starts_on")
    values = {
        **_mentor_columns(pairing.school_id, pairing.mentee_id, details.mentor),
        "mentee_goals": details.mentee_goals.strip(),
        "mentor_goals": details.mentor_goals.strip(),
        "starts_on": details.starts_on,
        "planned_end_on": details.planned_end_on,
        "frequency": details.frequency,
    }
    return apply_changes(
        pairing,
        {**values, "priorities": _priorities(details.priority_codes)},
        by=by,
        entity_type=ENTITY,
        pupil_id=pairing.mentee_id,
        safe_values=SAFE_FIELDS,
        reason=reason,
    )
