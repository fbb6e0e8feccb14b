"""The append-only audit log: who did what to which record, never the content."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from school_tracker.extensions import Model
from school_tracker.models.user import User
from school_tracker.orm import UTCDateTime, refuse_changes, utcnow


class AuditEntry(Model):
    """One audited action. Rows are inserted, never updated or deleted."""

    __tablename__ = "audit_entries"
    __table_args__ = (
        sa.Index("ix_audit_entries_school_at", "school_id", "at"),
        sa.Index("ix_audit_entries_pupil", "pupil_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    school_id: Mapped[int | None] = mapped_column(sa.ForeignKey("schools.id"))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(sa.String(60))
    entity_type: Mapped[str] = mapped_column(sa.String(40))
    entity_id: Mapped[int | None] = mapped_column()
    pupil_id: Mapped[int | None] = mapped_column(sa.ForeignKey("pupils.id"))
    # Field names (and, for non-sensitive fields only, old/new values); never free text.
    changes: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    ip_address: Mapped[str | None] = mapped_column(sa.String(45))

    actor: Mapped[User | None] = relationship()


class AuditImmutableError(RuntimeError):
    """Raised when code tries to change or remove an audit entry."""


refuse_changes(AuditEntry, AuditImmutableError, "audit entries are append-only")
