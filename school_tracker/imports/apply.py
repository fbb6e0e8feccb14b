"""Apply an import plan to the roll: one bulk insert, updates, leavers, confirmed moves, one audit.

Runs inside the caller's transaction and only flushes; the view or CLI command commits, so a
refused or failed import writes nothing (R84).
"""

from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date

import sqlalchemy as sa

from school_tracker.audit import record_audit
from school_tracker.calendar.terms import school_today
from school_tracker.extensions import db
from school_tracker.imports.class_staff import assign_tutors
from school_tracker.imports.parser import PupilRow
from school_tracker.imports.plan import IMPORTED_FIELDS, ImportPlan
from school_tracker.models import Pupil, School, User
from school_tracker.orm import utcnow

MAX_FILE_NAME = 255


class ImportRefused(Exception):
    """A confirmation that cannot go ahead; `status` is the HTTP answer, `message` the reason."""

    status = 409
    title = "This import cannot be confirmed"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ImportSummary:
    """What an applied import did."""

    rows: int
    created: int
    updated: int
    unchanged: int
    marked_left: int
    leavers_kept: int
    moved: int
    held: int
    staff_assigned: int = 0  # (group, member of staff) pairs the Tutor column added

    @property
    def changes(self) -> int:
        return self.created + self.updated + self.marked_left + self.moved + self.staff_assigned

    def as_dict(self) -> dict[str, int]:
        """Plain counts for storage and the audit entry."""
        return asdict(self)


# Longer "extensions" are not extensions, just a dot in a long name.
MAX_EXTENSION = 10


def clean_file_name(name: str | None) -> str:
    """The last path component, without control characters, at most 255 characters.

    A longer name is shortened before its extension, never through it: the extension says
    whether the file is read as CSV or as a workbook (issue 11).
    """
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    if len(base) > MAX_FILE_NAME:
        stem, dot, extension = base.rpartition(".")
        if dot and stem and len(extension) <= MAX_EXTENSION:
            base = stem[: MAX_FILE_NAME - len(extension) - 1].rstrip() + dot + extension
        else:
            base = base[:MAX_FILE_NAME]
    return base or "upload"


def _row_values(row: PupilRow, names: tuple[str, ...]) -> dict[str, object]:
    return {name: getattr(row, name) for name in names}


def _copy_row(
    pupil: Pupil,
    row: PupilRow,
    present: tuple[str, ...],
    by_id: int | None,
    keep: tuple[str, ...] = (),
) -> None:
    for name, value in _row_values(row, present).items():
        if name not in keep and getattr(pupil, name) != value:
            setattr(pupil, name, value)
    pupil.leaving_date = None
    pupil.updated_by_id = by_id


def _insert_pupils(school_id: int, rows: list[PupilRow], by_id: int | None) -> None:
    if not rows:
        return
    now = utcnow()
    fixed = {
        "school_id": school_id,
        "previously_looked_after": False,
        "child_in_need": False,
        "leaving_date": None,
        "version_id": 1,
        "created_by_id": by_id,
        "updated_by_id": by_id,
        "created_at": now,
        "updated_at": now,
    }
    # One executemany for the lot: the statement count does not grow with the file. An ORM
    # bulk insert drops None values by default so column defaults can apply, which gives rows
    # different key sets and splits the batch at every change (about 750 INSERTs for 1,500
    # pupils); every column is given here, so NULLs are sent as they are.
    db.session.execute(
        sa.insert(Pupil).execution_options(render_nulls=True),
        [{"upn": row.upn, **_row_values(row, IMPORTED_FIELDS), **fixed} for row in rows],
    )


def _move_pupils(
    school: School, plan: ImportPlan, moves: set[str], by_id: int | None
) -> dict[int, list[int]]:
    held = {h.row.upn: h for h in plan.held}
    unknown = moves - held.keys()
    if unknown:
        raise ImportRefused("Only pupils listed as held can be moved; preview again.")
    chosen = [held[upn] for upn in sorted(moves)]
    if not chosen:
        return {}
    pupils = {
        p.id: p
        for p in db.session.scalars(
            sa.select(Pupil).where(Pupil.id.in_([h.pupil_id for h in chosen]))
        )
    }
    moved: dict[int, list[int]] = defaultdict(list)
    for move in chosen:
        pupil = pupils[move.pupil_id]
        moved[pupil.school_id].append(pupil.id)
        pupil.school_id = school.id
        _copy_row(pupil, move.row, plan.present, by_id)
    return moved


def apply_import(
    school: School,
    plan: ImportPlan,
    *,
    mark_leavers: bool,
    moves: set[str] | frozenset[str] = frozenset(),
    take_file: set[str] | frozenset[str] = frozenset(),
    by: User | None,
    file_name: str,
    sha256: str,
    import_id: str | None = None,
    today: date | None = None,
) -> ImportSummary:
    """Apply a plan computed in this transaction: inserts, updates, leavers, confirmed moves.

    A value set by hand is kept unless the pupil's UPN is in `take_file` (the admin chose the
    file's values at the preview); taking the file's value ends its "set by hand" mark.
    """
    today = today or school_today()
    by_id = by.id if by else None
    _insert_pupils(school.id, plan.creates, by_id)
    for update in plan.updates:
        pupil = plan.roll[update.row.upn]
        if update.row.upn in take_file:
            pupil.hand_set_fields = [f for f in pupil.hand_set_fields if f not in update.hand_set]
            _copy_row(pupil, update.row, plan.present, by_id)
        else:
            _copy_row(pupil, update.row, plan.present, by_id, keep=update.hand_set)
    if mark_leavers:
        for leaver in plan.leavers:
            pupil = plan.roll[leaver.upn]
            pupil.leaving_date = today
            pupil.updated_by_id = by_id
    moved = _move_pupils(school, plan, set(moves), by_id)
    staff_assigned = assign_tutors(school.id, plan.tutors, by)
    db.session.flush()
    moved_count = sum(len(ids) for ids in moved.values())
    summary = ImportSummary(
        rows=len(plan.rows),
        created=len(plan.creates),
        updated=len(plan.updates),
        unchanged=plan.unchanged,
        marked_left=len(plan.leavers) if mark_leavers else 0,
        leavers_kept=0 if mark_leavers else len(plan.leavers),
        moved=moved_count,
        held=len(plan.held) - moved_count,
        staff_assigned=staff_assigned,
    )
    _audit(school, summary, moved, by=by, file_name=file_name, sha256=sha256, import_id=import_id)
    return summary


def _audit(
    school: School,
    summary: ImportSummary,
    moved: dict[int, list[int]],
    *,
    by: User | None,
    file_name: str,
    sha256: str,
    import_id: str | None,
) -> None:
    changes: dict[str, object] = {
        "file_name": clean_file_name(file_name),
        "sha256": sha256,
        "source": "web" if import_id else "cli",
        **summary.as_dict(),
    }
    if import_id:
        changes["import_id"] = import_id
    if moved:
        changes["moved_pupil_ids"] = sorted(i for ids in moved.values() for i in ids)
    record_audit(by, "import", "pupil_roll", school_id=school.id, changes=changes)
    # The school a pupil left sees the move in its own audit log, by ids only.
    for from_school_id, pupil_ids in sorted(moved.items()):
        record_audit(
            by,
            "move_out",
            "pupil_roll",
            school_id=from_school_id,
            changes={"to_school_id": school.id, "pupil_ids": sorted(pupil_ids)},
        )
