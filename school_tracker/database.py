"""Engine behaviour per backend: SQLite pragmas and write locks, PostgreSQL driver choice.

SQLite lets one connection write at a time. In WAL mode readers never wait for that writer
and it never waits for them, so the write lock is taken only where something is written
(issue 11: a 30 s export that held it made staff saves, sign-ins and pupil pages fail):

- A request that may write (POST and the like) begins with BEGIN IMMEDIATE. A deferred
  transaction that reads and then writes fails at once with SQLITE_BUSY_SNAPSHOT when another
  writer committed in between (busy_timeout cannot help), and these requests are short.
- Page views, downloads and reading commands (`reads_without_write_lock`) begin a plain,
  deferred BEGIN. Their one write, the audit row, calls `begin_write()` first: the read
  transaction ends, and the write runs in a short transaction of its own, begun IMMEDIATE.

PostgreSQL never makes a reader block a writer; there, lock waits are bounded by the same
timeout (`lock_timeout`), so a genuinely busy database is a "try again" page, not a hang.
"""

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from flask import Flask, current_app, g, has_app_context, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from school_tracker.extensions import db

log = logging.getLogger(__name__)

_READ_METHODS = {"GET", "HEAD", "OPTIONS"}
BUSY_TIMEOUT_MS = 5000
# connection.info[_LOCK]: "immediate" (holds the write lock), "read" (deferred, nothing written
# yet) or "written" (a deferred transaction that wrote without begin_write()).
_LOCK = "sqlite_lock"
_WRITE_NEXT = "sqlite_write_next"
_READS_ONLY = "sqlite_reads_only"
_READ_VERBS = ("SELECT", "PRAGMA", "BEGIN")

CommandParams = ParamSpec("CommandParams")
Result = TypeVar("Result")


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs written the usual way."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def busy_timeout_ms() -> int:
    """How long a statement waits for another writer before the database says it is busy."""
    if has_app_context():
        return int(current_app.config.get("DATABASE_BUSY_TIMEOUT_MS", BUSY_TIMEOUT_MS))
    return BUSY_TIMEOUT_MS


def _wants_write_lock() -> bool:
    if has_app_context():
        if g.pop(_WRITE_NEXT, False):
            return True
        if g.get(_READS_ONLY):
            return False
    if not has_request_context():
        return True  # commands write unless they say they only read
    return request.method not in _READ_METHODS


def _configure_sqlite(engine: Engine, timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: object) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself (the documented pysqlite recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "PRAGMA foreign_keys=ON",
            f"PRAGMA busy_timeout={int(timeout_ms)}",  # PRAGMA takes no parameters; int only
            "PRAGMA journal_mode=WAL",
            "PRAGMA synchronous=NORMAL",
        ):
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        immediate = _wants_write_lock()
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
        connection.info[_LOCK] = "immediate" if immediate else "read"

    @event.listens_for(engine, "before_cursor_execute")
    def _note_writes(
        connection: Connection,
        _cursor: object,
        statement: str,
        _params: object,
        _context: object,
        _many: bool,
    ) -> None:
        if connection.info.get(_LOCK) == "read" and not statement.lstrip().upper().startswith(
            _READ_VERBS
        ):
            # Legal, but it may fail at once under load (SQLITE_BUSY_SNAPSHOT): a write in a
            # view or reading command belongs after begin_write().
            connection.info[_LOCK] = "written"
            log.warning("a read transaction wrote without begin_write(): %s", statement[:40])


def _configure_postgresql(engine: Engine, timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: object) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SELECT set_config('lock_timeout', %s, false)", (f"{timeout_ms}ms",))
        dbapi_connection.commit()


def configure_engines(app: Flask) -> None:
    """Attach per-backend behaviour to the app's engine."""
    timeout_ms = int(app.config.get("DATABASE_BUSY_TIMEOUT_MS", BUSY_TIMEOUT_MS))
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            _configure_sqlite(engine, timeout_ms)
        elif engine.dialect.name == "postgresql":
            _configure_postgresql(engine, timeout_ms)


def begin_write() -> None:
    """Let what the session writes next hold SQLite's write lock only for its own commit.

    In a read (a page view, a download, a reading command) the transaction so far has only
    read, so it ends here and the write begins a fresh one with BEGIN IMMEDIATE, waiting its
    turn behind other writers instead of failing. A transaction that already holds the lock
    or has changes pending is left as it is: its reads and writes belong together.
    """
    session = db.session()  # the request's own Session behind the scoped proxy
    if session.get_bind().dialect.name != "sqlite":
        return
    if session.in_transaction():
        if session.in_nested_transaction() or session.new or session.dirty or session.deleted:
            return
        if session.connection().info.get(_LOCK) != "read":
            return
        session.commit()
    setattr(g, _WRITE_NEXT, True)


def reads_without_write_lock(
    command: Callable[CommandParams, Result],
) -> Callable[CommandParams, Result]:
    """Run a CLI command in deferred transactions: it reads (and audits via begin_write)."""

    @wraps(command)
    def wrapper(*args: CommandParams.args, **kwargs: CommandParams.kwargs) -> Result:
        previous = g.get(_READS_ONLY, False)
        setattr(g, _READS_ONLY, True)
        try:
            return command(*args, **kwargs)
        finally:
            setattr(g, _READS_ONLY, previous)

    return wrapper
