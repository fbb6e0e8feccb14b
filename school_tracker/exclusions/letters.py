"""Letters to parents and carers about a suspension or a permanent exclusion (PDF).

What each letter says follows the DfE guidance's list for a head teacher's notice to parents
(docs/exclusions.md): the reasons, the period or that it is permanent, the parents' right to make
representations to the governing board and how, the first five days' duty, and the education
arranged from the sixth day; a permanent exclusion adds the independent review.
"""

from dataclasses import dataclass
from datetime import date

from school_tracker.audit import record_audit
from school_tracker.calendar.terms import school_today
from school_tracker.exclusions import deadlines, lifecycle, queries
from school_tracker.extensions import db
from school_tracker.models import Exclusion, ExclusionFollowUp, ExclusionKind, School, User

ENTITY = "exclusion_letter"


@dataclass(frozen=True)
class Letter:
    """Everything a letter template needs, worked out here rather than in the template."""

    exclusion: Exclusion
    school: School
    written_on: date
    sixth_day: date | None
    last_day: date | None
    follow_up: ExclusionFollowUp | None

    @property
    def permanent(self) -> bool:
        return self.exclusion.kind is ExclusionKind.PERMANENT

    @property
    def head_teacher(self) -> str:
        return self.school.head_teacher or "The head teacher"


def letter_for(exclusion: Exclusion) -> Letter:
    """The letter's content from the record and the school's settings."""
    calendar = queries.school_calendar(exclusion.school_id)
    days = int(exclusion.days + 0.5) if exclusion.sessions else 0
    last_day = deadlines.nth_school_day(calendar, exclusion.start_date, days) if days else None
    sixth = (
        deadlines.nth_school_day(calendar, exclusion.start_date, deadlines.EDUCATION_FROM_DAY)
        if lifecycle.needs_provision(exclusion)
        else None
    )
    return Letter(
        exclusion=exclusion,
        school=db.session.get_one(School, exclusion.school_id),
        written_on=school_today(),
        sixth_day=sixth,
        last_day=last_day,
        follow_up=lifecycle.follow_up_for(exclusion),
    )


def audit_letter(exclusion: Exclusion, user: User) -> None:
    """A letter names the pupil: its download is audited like any view of the record."""
    record_audit(
        user,
        "download",
        ENTITY,
        exclusion.id,
        school_id=exclusion.school_id,
        pupil_id=exclusion.pupil_id,
    )


def letter_filename(exclusion: Exclusion) -> str:
    kind = "permanent-exclusion" if exclusion.kind is ExclusionKind.PERMANENT else "suspension"
    return f"{kind}-letter-{exclusion.id}.pdf"
