"""The append-only audit log: who did what to which record, never the content."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column, relationship

from school_tracker.extensions import db
from school_tracker.models.user import User
from school_tracker.orm import UTCDateTime, utcnow


class AuditEntry(db.Model):
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


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session: Session, _context, _instances) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEntry):
            raise AuditImmutableError("audit entries are append-only")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_audit_changes(state: ORMExecuteState) -> None:
    # Bulk UPDATE/DELETE statements skip the flush above; refuse them too (R64). Only a
    # direct engine connection gets past this, which the PostgreSQL grants close.
    table = getattr(state.statement, "table", None)  # ORM statements hold an annotated copy
    if (state.is_update or state.is_delete) and getattr(table, "name", None) == (
        AuditEntry.__tablename__
    ):
        raise AuditImmutableError("audit entries are append-only")
