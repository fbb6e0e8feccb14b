"""Engine behaviour per backend: SQLite pragmas and write locks, PostgreSQL driver choice."""

from flask import Flask, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

from school_tracker.extensions import db

_READ_METHODS = {"GET", "HEAD", "OPTIONS"}


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs written the usual way."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _wants_write_lock() -> bool:
    # A deferred SQLite transaction that reads and then writes fails at once with
    # SQLITE_BUSY if another writer got in between (busy_timeout cannot help), so anything
    # that may write starts with BEGIN IMMEDIATE; plain page reads stay concurrent.
    if not has_request_context():
        return True
    if request.method not in _READ_METHODS:
        return True
    from flask import current_app

    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "writes_on_get", False))


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" event issue BEGIN itself (the documented pysqlite recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "PRAGMA foreign_keys=ON",
            "PRAGMA busy_timeout=5000",
            "PRAGMA journal_mode=WAL",
            "PRAGMA synchronous=NORMAL",
        ):
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _wants_write_lock() else "BEGIN")


def configure_engines(app: Flask) -> None:
    """Attach per-backend behaviour to the app's engine."""
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            _configure_sqlite(engine)


def writes_on_get(view):
    """Mark a GET view that writes (e.g. an access audit) so SQLite takes the write lock first."""
    view.writes_on_get = True
    return view
