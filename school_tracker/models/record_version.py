"""Earlier versions of programme records: what changed fields said before each edit (R63).

A correction never overwrites the record's history: each content edit keeps the earlier
values of the fields it changed, with who, when and an optional reason. Rows are inserted
and never changed, except that retention may blank their earlier values (R69).
"""

from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from school_tracker.extensions import Model, db
from school_tracker.models.user import User
from school_tracker.orm import UTCDateTime, refuse_changes, utcnow

REASON_MAX = 300  # "Reason for this change": a line, not a second narrative


class RecordVersion(Model):
    """The values a record's changed fields held at `version`, before one edit."""

    __tablename__ = "record_versions"
    __table_args__ = (sa.Index("ix_record_versions_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id"))
    # The pupil the record is about, as its audit entries give it (None for staff CPD).
    pupil_id: Mapped[int | None] = mapped_column(sa.ForeignKey("pupils.id"))
    entity_type: Mapped[str] = mapped_column(sa.String(40))  # the audit log's names
    entity_id: Mapped[int] = mapped_column()
    version: Mapped[int] = mapped_column()  # the record's version_id before the edit
    changed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))  # None: CLI
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str | None] = mapped_column(sa.String(REASON_MAX))
    # {field: earlier value} as plain JSON; NULL (not JSON null) once retention blanks it.
    previous: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON(none_as_null=True))

    changed_by: Mapped[User | None] = relationship()


class VersionImmutableError(RuntimeError):
    """Raised when code tries to change or remove a record version."""


# Only blank_previous_for_retention below goes round this, on purpose.
refuse_changes(RecordVersion, VersionImmutableError, "record versions are append-only")


def _expired_versions(entity_type: str, entity_ids: sa.Select) -> sa.ColumnElement[bool]:
    return sa.and_(
        RecordVersion.entity_type == entity_type,
        RecordVersion.entity_id.in_(entity_ids),
        RecordVersion.previous.is_not(None),
    )


def count_previous_for_retention(entity_type: str, entity_ids: sa.Select) -> int:
    """How many versions of these records still hold earlier values (a dry run's count)."""
    return db.session.execute(
        sa.select(sa.func.count(RecordVersion.id)).where(_expired_versions(entity_type, entity_ids))
    ).scalar_one()


def blank_previous_for_retention(entity_type: str, entity_ids: sa.Select) -> int:
    """Retention only: blank the earlier values kept for these records; returns the rows.

    This is the one change a version may undergo (R69: an expired record's text must not
    survive in its history). It runs on the session's connection, so it shares the run's
    transaction but not the session's guard against UPDATE; keeping it here, under a name
    nobody calls by accident, leaves that guard in force for every other code path.
    """
    result = db.session.connection().execute(
        # The Table itself (declared as a FromClause): a core UPDATE, not an ORM one.
        sa.update(cast(sa.Table, RecordVersion.__table__))
        .where(_expired_versions(entity_type, entity_ids))
        .values(previous=None)
    )
    return result.rowcount
