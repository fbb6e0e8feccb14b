"""How each kind of record looks in a dashboard drill-down list: its date, what it is, a link."""

from dataclasses import dataclass
from datetime import date

from flask import url_for

from school_tracker.models import (
    Exclusion,
    Intervention,
    KindnessMoment,
    LearningRecord,
    MentoringPairing,
    ParentConversation,
    Pupil,
    User,
)
from school_tracker.models.mentoring import MentoringSession


@dataclass(frozen=True)
class RecordLine:
    """One record as its drill-down list shows it."""

    on: date | None
    what: str
    href: str | None


def _pupil_name(pupil: Pupil) -> str:
    return f"{pupil.legal_surname}, {pupil.preferred_forename or pupil.legal_forename}"


def intervention_line(row: Intervention) -> RecordLine:
    return RecordLine(
        row.start_date,
        f"{row.type.name}: {row.status.label.lower()}, £{row.cost}",
        url_for("interventions.detail", intervention_id=row.id),
    )


def pairing_line(row: MentoringPairing) -> RecordLine:
    return RecordLine(
        row.starts_on,
        f"Mentoring for {_pupil_name(row.mentee)}",
        url_for("mentoring.detail", pairing_id=row.id),
    )


def session_line(row: MentoringSession) -> RecordLine:
    return RecordLine(
        row.held_on,
        f"Session with {_pupil_name(row.pairing.mentee)}, {row.minutes} minutes",
        url_for("mentoring.detail", pairing_id=row.pairing_id),
    )


def exclusion_line(row: Exclusion) -> RecordLine:
    return RecordLine(
        row.start_date,
        f"{_pupil_name(row.pupil)}: {row.kind.label.lower()}, {row.sessions} sessions",
        url_for("exclusions.detail", exclusion_id=row.id),
    )


def learning_line(row: LearningRecord) -> RecordLine:
    return RecordLine(
        row.held_on,
        f"{row.staff.full_name}: {row.activity}, {row.hours_tenths / 10:.1f} hours",
        url_for("learning.edit", record_id=row.id),
    )


def staff_line(row: User) -> RecordLine:
    return RecordLine(None, row.full_name, url_for("learning.index", staff=row.id))


def conversation_line(row: ParentConversation) -> RecordLine:
    return RecordLine(
        row.held_on,
        f"Conversation with the family of {_pupil_name(row.pupil)}",
        url_for("families.detail", conversation_id=row.id),
    )


def moment_line(row: KindnessMoment) -> RecordLine:
    return RecordLine(
        row.occurred_on, "Kindness moment", url_for("kindness.detail", moment_id=row.id)
    )
