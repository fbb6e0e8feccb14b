"""A previewed roll import: the parsed rows kept server-side until an admin confirms them."""

import secrets
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from school_tracker.extensions import Model
from school_tracker.models.labelled import LabelledEnum
from school_tracker.models.user import User
from school_tracker.orm import UTCDateTime, enum_type, utcnow


class RollImportStatus(LabelledEnum):
    """Where a preview stands; only a previewed import can be confirmed, and only once."""

    PREVIEWED = "previewed"
    APPLIED = "applied"
    EXPIRED = "expired"
    SUPERSEDED = "superseded"


def new_import_id() -> str:
    """An opaque, unguessable id (the URL names the import, never a pupil)."""
    return secrets.token_urlsafe(24)


class RollImport(Model):
    """One uploaded roll file, parsed; the file itself is never kept (R56, R58)."""

    __tablename__ = "roll_imports"
    __table_args__ = (
        sa.Index("ix_roll_imports_school_status", "school_id", "status", "created_at"),
    )

    id: Mapped[str] = mapped_column(sa.String(40), primary_key=True, default=new_import_id)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id"))
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    # Shown escaped, never used as a path.
    file_name: Mapped[str] = mapped_column(sa.String(255))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    kind: Mapped[str] = mapped_column(sa.String(4))  # csv or xlsx
    encoding: Mapped[str | None] = mapped_column(sa.String(10))  # utf-8 or cp1252 for CSV
    status: Mapped[RollImportStatus] = mapped_column(
        enum_type(RollImportStatus, "roll_import_status"), default=RollImportStatus.PREVIEWED
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Hash of the roll the preview was computed against: confirm refuses if it has changed.
    roll_fingerprint: Mapped[str] = mapped_column(sa.String(64))
    # Parsed rows (ISO dates, enum values) and warnings; cleared once the import is closed so
    # pupil data is not kept twice.
    payload: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON(none_as_null=True))
    # The preview's counts, replaced by what was actually done once applied.
    counts: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)

    uploaded_by: Mapped[User] = relationship()
