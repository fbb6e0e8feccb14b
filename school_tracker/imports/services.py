"""Roll import: preview a parsed file, keep it server-side, and apply it in one transaction.

Services add and flush; the view or CLI command commits, so a whole import is one transaction
and a refused one writes nothing. One audit entry per import (who, file name, SHA-256, counts),
never the file's contents or a pupil's name (R58, R60, R84).
"""

import logging
from datetime import date, datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult

from school_tracker.extensions import db
from school_tracker.imports.apply import (
    ImportRefused,
    ImportSummary,
    apply_import,
    clean_file_name,
)
from school_tracker.imports.parser import ParseResult
from school_tracker.imports.payload import PayloadError, from_payload, to_payload
from school_tracker.imports.plan import IMPORTED_FIELDS, ImportPlan, plan_import
from school_tracker.models import RollImport, RollImportStatus, School, User
from school_tracker.orm import utcnow

__all__ = [
    "ImportClosed",
    "ImportRefused",
    "ImportSummary",
    "RollChanged",
    "apply_import",
    "check_open",
    "clean_file_name",
    "confirm_import",
    "current_plan",
    "preview_import",
    "refresh_preview",
    "start_preview",
]

log = logging.getLogger(__name__)

PREVIEW_LIFETIME = timedelta(hours=1)


class ImportClosed(ImportRefused):
    """The preview was already confirmed, replaced by a newer one, or expired."""

    title = "This preview is closed"


class RollChanged(ImportRefused):
    """The roll changed after the preview was computed; nothing was written."""

    title = "The roll changed since this preview"

    def __init__(self) -> None:
        super().__init__(
            "The roll changed since this preview (someone edited, added or imported pupils), "
            "so nothing was imported. Preview again to see what the file would do now."
        )


def present_fields(result: ParseResult) -> tuple[str, ...]:
    """The pupil fields the file has a column for; absent columns are left alone on update."""
    return tuple(name for name in IMPORTED_FIELDS if name in result.headers_matched)


def preview_import(
    school: School, parse_result: ParseResult, *, mark_leavers: bool, by: User | None
) -> ImportPlan:
    """The plan for a valid parse result against the school's roll; writes nothing."""
    if not parse_result.ok:
        raise ValueError("a file with errors cannot be previewed; show its errors instead")
    plan = plan_import(
        school,
        parse_result.rows,
        present=present_fields(parse_result),
        mark_leavers=mark_leavers,
        warnings=parse_result.warnings,
    )
    log.info(
        "roll import previewed for school %s by user %s: %s",
        school.id,
        by.id if by else "-",
        plan.counts(),
    )
    return plan


def _close_stale_previews(school_id: int, now: datetime) -> None:
    # Old previews hold pupil data; drop it as soon as they can no longer be confirmed.
    open_previews = (RollImport.status == RollImportStatus.PREVIEWED,)
    db.session.execute(
        sa.update(RollImport)
        .where(*open_previews, RollImport.created_at < now - PREVIEW_LIFETIME)
        .values(status=RollImportStatus.EXPIRED, payload=None)
    )
    db.session.execute(
        sa.update(RollImport)
        .where(*open_previews, RollImport.school_id == school_id)
        .values(status=RollImportStatus.SUPERSEDED, payload=None)
    )


def _store(
    school: School,
    plan: ImportPlan,
    *,
    kind: str,
    encoding: str | None,
    file_name: str,
    sha256: str,
    by: User,
    now: datetime,
) -> RollImport:
    _close_stale_previews(school.id, now)
    roll_import = RollImport(
        school_id=school.id,
        uploaded_by_id=by.id,
        file_name=clean_file_name(file_name),
        sha256=sha256,
        kind=kind,
        encoding=encoding,
        status=RollImportStatus.PREVIEWED,
        created_at=now,
        roll_fingerprint=plan.fingerprint,
        payload=to_payload(
            plan.rows,
            present=plan.present,
            warnings=plan.warnings,
            held=[h.row.upn for h in plan.held],
            hand_set=[u.row.upn for u in plan.hand_set_updates],
        ),
        counts={"preview": plan.counts()},
    )
    db.session.add(roll_import)
    db.session.flush()
    return roll_import


def start_preview(
    school: School,
    parse_result: ParseResult,
    *,
    file_name: str,
    sha256: str,
    by: User,
    now: datetime | None = None,
) -> tuple[RollImport, ImportPlan]:
    """Plan a valid file and keep its rows server-side until the admin confirms (R58)."""
    plan = preview_import(school, parse_result, mark_leavers=False, by=by)
    roll_import = _store(
        school,
        plan,
        kind=parse_result.kind,
        encoding=parse_result.encoding,
        file_name=file_name,
        sha256=sha256,
        by=by,
        now=now or utcnow(),
    )
    return roll_import, plan


def is_expired(roll_import: RollImport, now: datetime | None = None) -> bool:
    """True once a preview is more than an hour old."""
    return roll_import.created_at < (now or utcnow()) - PREVIEW_LIFETIME


def check_open(roll_import: RollImport, now: datetime | None = None) -> None:
    """Raise ImportClosed unless the preview can still be confirmed."""
    if roll_import.status is RollImportStatus.APPLIED:
        raise ImportClosed("This import has already been confirmed; it was applied once.")
    if roll_import.status is RollImportStatus.SUPERSEDED:
        raise ImportClosed("A newer preview replaced this one. Open the latest preview instead.")
    if roll_import.status is RollImportStatus.EXPIRED or is_expired(roll_import, now):
        raise ImportClosed("This preview is more than an hour old. Upload the file again.")


def current_plan(roll_import: RollImport, *, mark_leavers: bool = False) -> ImportPlan:
    """The stored rows planned against the roll as it is now (compare its fingerprint)."""
    try:
        stored = from_payload(roll_import.payload)
    except PayloadError as error:
        raise ImportClosed(str(error)) from error
    school = db.session.get_one(School, roll_import.school_id)
    return plan_import(
        school,
        stored.rows,
        present=stored.present,
        mark_leavers=mark_leavers,
        warnings=stored.warnings,
    )


def refresh_preview(
    roll_import: RollImport, *, by: User, now: datetime | None = None
) -> tuple[RollImport, ImportPlan]:
    """Plan the stored rows again against today's roll, as a new preview replacing this one."""
    now = now or utcnow()
    check_open(roll_import, now)
    plan = current_plan(roll_import)
    school = db.session.get_one(School, roll_import.school_id)
    fresh = _store(
        school,
        plan,
        kind=roll_import.kind,
        encoding=roll_import.encoding,
        file_name=roll_import.file_name,
        sha256=roll_import.sha256,
        by=by,
        now=now,
    )
    return fresh, plan


def confirm_import(
    roll_import: RollImport,
    *,
    mark_leavers: bool,
    moves: set[str],
    take_file: set[str] | None = None,
    by: User,
    now: datetime | None = None,
    today: date | None = None,
) -> ImportSummary:
    """Apply a stored preview once, only if the roll is unchanged since it was computed."""
    now = now or utcnow()
    check_open(roll_import, now)
    # The conditional UPDATE is the lock: of two concurrent confirmations only one changes the
    # row (PostgreSQL makes the second wait for the first, then re-checks the status).
    # A core UPDATE gives a CursorResult; SQLAlchemy 2.1 types Session.execute as Result.
    claimed = cast(
        CursorResult[Any],
        db.session.execute(
            sa.update(RollImport)
            .where(RollImport.id == roll_import.id, RollImport.status == RollImportStatus.PREVIEWED)
            .values(status=RollImportStatus.APPLIED, applied_at=now)
            .execution_options(synchronize_session=False)
        ),
    ).rowcount
    if claimed != 1:
        raise ImportClosed("This import has already been confirmed; it was applied once.")
    plan = current_plan(roll_import, mark_leavers=mark_leavers)
    if plan.fingerprint != roll_import.roll_fingerprint:
        raise RollChanged()
    school = db.session.get_one(School, roll_import.school_id)
    summary = apply_import(
        school,
        plan,
        mark_leavers=mark_leavers,
        moves=moves,
        take_file=take_file or set(),
        by=by,
        file_name=roll_import.file_name,
        sha256=roll_import.sha256,
        import_id=roll_import.id,
        today=today,
    )
    roll_import.status = RollImportStatus.APPLIED
    roll_import.applied_at = now
    roll_import.payload = None
    roll_import.counts = {**roll_import.counts, "applied": summary.as_dict()}
    db.session.flush()
    return summary
