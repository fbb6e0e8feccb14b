"""ORM foundations kept outside models/ so extensions.py can import them without a cycle."""

import enum
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, ORMExecuteState, Session, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC (SQLite drops tzinfo anyway) and always hands back aware UTC."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC is required")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    """Base for every model."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class TimestampMixin:
    """Created/updated times, set in Python so every engine agrees."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


def enum_type(enum_cls: type[enum.Enum], name: str) -> sa.Enum:
    """A portable enum column storing the members' values, checked by the database."""
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum_cls),
        values_callable=lambda cls: [m.value for m in cls],
        validate_strings=True,
    )


def refuse_changes(model: type[Base], error: type[Exception], message: str) -> None:
    """Make `model`'s table append-only for the application: no update, no delete.

    Both routes are closed: a flush of changed or deleted objects, and bulk UPDATE/DELETE
    statements, which skip the flush. Only a direct engine connection gets past this, which
    the PostgreSQL grants on the deployment checklist close (R64).
    """
    table_name = model.__tablename__

    @event.listens_for(Session, "before_flush")
    def _refuse_flushed_changes(session: Session, _context: object, _instances: object) -> None:
        if any(isinstance(obj, model) for obj in (*session.dirty, *session.deleted)):
            raise error(message)

    @event.listens_for(Session, "do_orm_execute")
    def _refuse_bulk_changes(state: ORMExecuteState) -> None:
        table = getattr(state.statement, "table", None)  # ORM statements hold an annotated copy
        if (state.is_update or state.is_delete) and getattr(table, "name", None) == table_name:
            raise error(message)
