"""What every programme record shares: its school, authorship, timestamps and a version."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from school_tracker.extensions import db
from school_tracker.orm import UTCDateTime, utcnow


class RecordMixin:
    """School, created/updated by and at, and an optimistic-lock version (docs/design.md section 5).

    SQLAlchemy's version counter refuses a flush whose row changed underneath it; services
    also compare the version the form was loaded with, so a stale edit is refused before it
    is applied (R81).
    """

    @declared_attr
    def school_id(cls) -> Mapped[int]:
        return mapped_column(sa.ForeignKey("schools.id"), index=True)

    @declared_attr
    def created_by_id(cls) -> Mapped[int | None]:
        return mapped_column(sa.ForeignKey("users.id"))

    @declared_attr
    def updated_by_id(cls) -> Mapped[int | None]:
        return mapped_column(sa.ForeignKey("users.id"))

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version_id: Mapped[int] = mapped_column(default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:
        return {"version_id_col": cls.version_id}


def priority_link_table(name: str, record_table: str) -> sa.Table:
    """An association table linking one record type to AfA priorities."""
    return sa.Table(
        name,
        db.metadata,
        sa.Column(
            "record_id",
            sa.ForeignKey(f"{record_table}.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("priority_id", sa.ForeignKey("priorities.id"), primary_key=True),
    )
