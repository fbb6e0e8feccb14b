"""Compare parsed roll rows with the database: what an import would create, update, hold or leave.

Two queries whatever the file size: the school's roll, and the pupils elsewhere in the trust
whose UPN is in the file. The plan carries a fingerprint of both, so a confirmation can prove
the roll is still the one the admin previewed (R58).
"""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import date, datetime

import sqlalchemy as sa

from school_tracker.extensions import db
from school_tracker.imports.class_staff import TutorAssignment, plan_tutors
from school_tracker.imports.parser import PupilRow, RowError
from school_tracker.models import Pupil, School, YearGroup

# Every pupil column the import format carries, besides the UPN it is matched on. Previously
# looked after, child in need and the leaving date are not in the format, so an update never
# touches them (except clearing the leaving date of a pupil who is back on the file).
# The tutor's e-mail is no pupil column either: it assigns staff to the group (class_staff.py).
IMPORTED_FIELDS: tuple[str, ...] = tuple(
    f.name for f in fields(PupilRow) if f.name not in ("row_number", "upn", "tutor_email")
)

FIELD_LABELS: dict[str, str] = {
    "legal_surname": "legal surname",
    "legal_forename": "legal forename",
    "preferred_forename": "preferred forename",
    "date_of_birth": "date of birth",
    "gender": "gender",
    "year_group": "year group",
    "registration_group": "reg group",
    "sen_status": "SEN status",
    "primary_need": "primary need",
    "pupil_premium": "pupil premium",
    "fsm": "FSM",
    "eal": "EAL",
    "looked_after": "looked after",
    "young_carer": "young carer",
    "admission_date": "admission date",
    "leaving_date": "back on roll (leaving date cleared)",
}


def row_name(row: PupilRow) -> str:
    """'Surname, Forename' as the file gives it (for pages, never for logs or the audit)."""
    return f"{row.legal_surname}, {row.preferred_forename or row.legal_forename}"


@dataclass(frozen=True)
class PupilUpdate:
    """A pupil already on this school's roll whose file row differs."""

    row: PupilRow
    pupil_id: int
    fields: tuple[str, ...]
    # Changed fields a leader or admin set by hand: kept unless the admin takes the file's.
    hand_set: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return row_name(self.row)

    @property
    def field_labels(self) -> list[str]:
        return [FIELD_LABELS[name] for name in self.fields]

    @property
    def hand_set_labels(self) -> list[str]:
        return [FIELD_LABELS[name] for name in self.hand_set]


@dataclass(frozen=True)
class Leaver:
    """A pupil on this school's roll (no leaving date) who is missing from the file."""

    pupil_id: int
    upn: str
    name: str
    year_group: YearGroup
    registration_group: str | None


@dataclass(frozen=True)
class HeldMove:
    """A file row whose UPN belongs to a pupil of another school: moved only if confirmed."""

    row: PupilRow
    pupil_id: int
    from_school_id: int
    from_school_name: str
    left_on: date | None

    @property
    def name(self) -> str:
        return row_name(self.row)


@dataclass
class ImportPlan:
    """What applying a parsed file to one school's roll would do, and the roll it assumes."""

    school_id: int
    present: tuple[str, ...]
    rows: list[PupilRow]
    creates: list[PupilRow]
    updates: list[PupilUpdate]
    unchanged: int
    leavers: list[Leaver]
    held: list[HeldMove]
    mark_leavers: bool
    fingerprint: str
    warnings: list[RowError] = field(default_factory=list)
    # Staff the file's Tutor column assigns to registration groups (none without the column).
    tutors: list[TutorAssignment] = field(default_factory=list)
    # The school's pupils by UPN, live in the current session, for apply_import to change.
    roll: dict[str, Pupil] = field(default_factory=dict, repr=False)

    @property
    def new_tutors(self) -> list[TutorAssignment]:
        """Assignments to registration groups that confirming would add."""
        return [tutor for tutor in self.tutors if tutor.new]

    @property
    def has_differences(self) -> bool:
        """True when the file would create or update anyone, or assign staff to a group."""
        return bool(self.creates or self.updates or self.new_tutors)

    @property
    def hand_set_updates(self) -> list[PupilUpdate]:
        """Updates where the file disagrees with a value set by hand: the preview asks."""
        return [update for update in self.updates if update.hand_set]

    @property
    def has_choices(self) -> bool:
        """True when there is anything at all to confirm (changes, leavers or moves)."""
        return bool(self.has_differences or self.leavers or self.held)

    def counts(self) -> dict[str, int]:
        """The preview counts shown to the admin and printed by the CLI."""
        return {
            "rows": len(self.rows),
            "created": len(self.creates),
            "updated": len(self.updates),
            "unchanged": self.unchanged,
            "leavers": len(self.leavers),
            "held": len(self.held),
            "warnings": len(self.warnings),
            "staff_assigned": len(self.new_tutors),
        }


def _fingerprint(stamps: Iterable[tuple[int, int, int, datetime | None]]) -> str:
    """A hash of (id, school, version, updated) for every pupil the plan depends on."""
    digest = hashlib.sha256()
    for pupil_id, school_id, version, updated in sorted(stamps, key=lambda s: s[0]):
        stamp = updated.isoformat() if updated else ""
        digest.update(f"{pupil_id}|{school_id}|{version}|{stamp}\n".encode())
    return digest.hexdigest()


def _changed_fields(pupil: Pupil, row: PupilRow, present: tuple[str, ...]) -> tuple[str, ...]:
    changed = [name for name in present if getattr(pupil, name) != getattr(row, name)]
    if pupil.leaving_date is not None:
        changed.append("leaving_date")
    return tuple(changed)


def plan_import(
    school: School,
    rows: list[PupilRow],
    *,
    present: tuple[str, ...],
    mark_leavers: bool,
    warnings: list[RowError] | None = None,
) -> ImportPlan:
    """Compute the plan for these rows against the school's roll as it is now."""
    roll = {
        pupil.upn: pupil
        for pupil in db.session.scalars(sa.select(Pupil).where(Pupil.school_id == school.id))
    }
    file_upns = {row.upn for row in rows}
    # UPNs are unique in the whole deployment (one trust), so look everywhere else.
    elsewhere = {
        found.upn: found
        for found in db.session.execute(
            sa.select(
                Pupil.id,
                Pupil.upn,
                Pupil.school_id,
                Pupil.version_id,
                Pupil.updated_at,
                Pupil.leaving_date,
                School.name.label("school_name"),
            )
            .join(School, School.id == Pupil.school_id)
            .where(Pupil.school_id != school.id, Pupil.upn.in_(file_upns))
        )
    }
    creates: list[PupilRow] = []
    updates: list[PupilUpdate] = []
    held: list[HeldMove] = []
    unchanged = 0
    for row in rows:
        pupil = roll.get(row.upn)
        if pupil is not None:
            changed = _changed_fields(pupil, row, present)
            if changed:
                by_hand = tuple(name for name in changed if name in pupil.hand_set_fields)
                updates.append(PupilUpdate(row, pupil.id, changed, by_hand))
            else:
                unchanged += 1
        elif (other := elsewhere.get(row.upn)) is not None:
            held.append(
                HeldMove(row, other.id, other.school_id, other.school_name, other.leaving_date)
            )
        else:
            creates.append(row)
    leavers = sorted(
        (
            Leaver(
                p.id,
                p.upn,
                f"{p.legal_surname}, {p.preferred_forename or p.legal_forename}",
                p.year_group,
                p.registration_group,
            )
            for upn, p in roll.items()
            if p.leaving_date is None and upn not in file_upns
        ),
        key=lambda leaver: (leaver.year_group.order, leaver.name.casefold()),
    )
    stamps = [(p.id, p.school_id, p.version_id, p.updated_at) for p in roll.values()]
    stamps += [(o.id, o.school_id, o.version_id, o.updated_at) for o in elsewhere.values()]
    return ImportPlan(
        school_id=school.id,
        present=present,
        rows=rows,
        creates=creates,
        updates=updates,
        unchanged=unchanged,
        leavers=leavers,
        held=held,
        mark_leavers=mark_leavers,
        fingerprint=_fingerprint(stamps),
        warnings=list(warnings or []),
        tutors=plan_tutors(school.id, rows),
        roll=roll,
    )
