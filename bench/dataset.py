"""The trust dataset, built once and cached; each run works on a throwaway copy of it.

SQLite: `bench/cache/trust.db`, copied to `bench/cache/run.db` for a run (the run logs an
intervention and imports pupils, so the cache itself is never written after it is built).
PostgreSQL (BENCH_DATABASE_URL): that database holds the trust; a run clones it with
`CREATE DATABASE <name>_run TEMPLATE <name>` and drops the clone afterwards. Either cache is
rebuilt when the schema or the seed code changes (a fingerprint is kept beside the data).
"""

import hashlib
import json
import shutil
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import psycopg
import sqlalchemy as sa
from flask import Flask

from config import DevelopmentConfig
from school_tracker import ROOT, create_app
from school_tracker.database import normalise_database_url
from school_tracker.extensions import db

CACHE_DIR = ROOT / "bench" / "cache"
SQLITE_CACHE = CACHE_DIR / "trust.db"
META_TABLE = "bench_meta"
SEED_SOURCES = (
    "demo/school.py",
    "demo/trust.py",
    "demo/trust_rows.py",
    "demo/mentoring.py",
    "demo/interventions.py",
    "demo/interventions_data.py",
    "demo/risk.py",
)


def bench_config(url: str, **overrides) -> type:
    """The development app with CSRF and rate limits off (the bench repeats downloads)."""
    values = {
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "LOG_LEVEL": "WARNING",
        **overrides,
    }
    return type("BenchConfig", (DevelopmentConfig,), values)


def bench_app(url: str) -> Flask:
    """An app on the given database (logging quiet: the bench prints its own table)."""
    import logging

    app = create_app(bench_config(url))
    logging.getLogger("school_tracker").setLevel(logging.WARNING)
    app.logger.setLevel(logging.WARNING)
    return app


def fingerprint() -> str:
    """Changes whenever a table, column, index or the seed code changes."""
    digest = hashlib.sha256()
    for table in sorted(db.metadata.tables.values(), key=lambda t: t.name):
        digest.update(table.name.encode())
        for column in table.columns:
            digest.update(f"{column.name}:{column.type!r}".encode())
        for index in sorted(table.indexes, key=lambda i: i.name or ""):
            digest.update(f"{index.name}:{[c.name for c in index.columns]}".encode())
    for name in SEED_SOURCES:
        digest.update((ROOT / "school_tracker" / name).read_bytes())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class Dataset:
    """A database holding the trust, and the day it was seeded for."""

    engine: str  # "sqlite" | "postgresql"
    url: str
    seeded_on: date
    build_seconds: float | None  # set when this run built it


def _read_meta(app: Flask) -> dict | None:
    """The cache's fingerprint and seed day, or None if it holds no (untouched) trust."""
    with app.app_context():
        try:
            if not sa.inspect(db.engine).has_table(META_TABLE):
                return None
            query = sa.text(f"SELECT key, value FROM {META_TABLE}")  # noqa: S608 - a constant
            meta = dict(db.session.execute(query).all())
            pupils = db.session.scalar(sa.text("SELECT COUNT(*) FROM pupils"))
        finally:
            db.session.remove()
            db.engine.dispose()  # a template database must have no other connections
    # A run writes only to a copy; a cache whose roll changed was written to: rebuild it.
    return meta if meta.get("pupils") == str(pupils) else None


def _build(app: Flask, url: str) -> float:
    from school_tracker.demo.trust import seed_trust

    started = time.perf_counter()
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {META_TABLE}"))
        db.create_all()
        print(f"Building the trust dataset in {_safe_url(url)} (once; it is cached) ...")
        seed_trust()
        db.session.execute(
            sa.text(f"CREATE TABLE {META_TABLE} (key VARCHAR(40) PRIMARY KEY, value TEXT)")
        )
        pupils = db.session.scalar(sa.text("SELECT COUNT(*) FROM pupils"))
        values = (
            ("fingerprint", fingerprint()),
            ("seeded_on", date.today().isoformat()),
            ("pupils", str(pupils)),
        )
        for key, value in values:
            db.session.execute(
                sa.text(f"INSERT INTO {META_TABLE} (key, value) VALUES (:k, :v)"),  # noqa: S608
                {"k": key, "v": value},
            )
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("VACUUM ANALYZE"))
        db.session.remove()
        db.engine.dispose()
    return time.perf_counter() - started


def _safe_url(url: str) -> str:
    return sa.engine.make_url(normalise_database_url(url)).render_as_string(hide_password=True)


def ensure(engine: str, url: str) -> Dataset:
    """The cached trust database, built if missing or stale."""
    if engine == "sqlite":
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
    app = bench_app(url)
    meta = _read_meta(app)
    built = None
    if meta is None or meta.get("fingerprint") != _fingerprint_in(app):
        if engine == "postgresql" and meta is None and _foreign_tables(app):
            raise SystemExit(
                f"{_safe_url(url)} holds tables that are not the bench's; point "
                "BENCH_DATABASE_URL at a database of its own."
            )
        if engine == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{SQLITE_CACHE}{suffix}").unlink(missing_ok=True)
            app = bench_app(url)
        built = _build(app, url)
        meta = _read_meta(bench_app(url))
    with app.app_context():
        db.engine.dispose()
    return Dataset(engine, url, date.fromisoformat(meta["seeded_on"]), built)


def _fingerprint_in(app: Flask) -> str:
    with app.app_context():
        return fingerprint()


def _foreign_tables(app: Flask) -> bool:
    """Tables, but not the bench's own (its meta table marks a database the bench made)."""
    with app.app_context():
        try:
            names = sa.inspect(db.engine).get_table_names()
        finally:
            db.engine.dispose()
    return bool(names) and META_TABLE not in names


def working_copy(dataset: Dataset) -> str:
    """A throwaway copy of the cached database for one run; returns its URL."""
    if dataset.engine == "sqlite":
        target = CACHE_DIR / "run.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(SQLITE_CACHE, target)
        return f"sqlite:///{target}"
    url = sa.engine.make_url(normalise_database_url(dataset.url))
    clone = f"{url.database}_run"
    try:
        with _maintenance(url) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{clone}"')
            conn.execute(f'CREATE DATABASE "{clone}" TEMPLATE "{url.database}"')
    except psycopg.Error as error:
        # Never fall back to the cache itself: a run logs interventions and imports pupils.
        raise SystemExit(
            f"Could not copy {url.database} to {clone} ({error}). The bench needs a role that "
            "may CREATE DATABASE, and no other session connected to the bench database."
        ) from error
    return url.set(database=clone).render_as_string(hide_password=False)


def discard(dataset: Dataset, run_url: str) -> None:
    """Remove a run's copy."""
    if dataset.engine == "sqlite":
        path = Path(sa.engine.make_url(run_url).database)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    url = sa.engine.make_url(normalise_database_url(run_url))
    if run_url != dataset.url:
        with _maintenance(url) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{url.database}"')


def _maintenance(url: sa.engine.URL) -> psycopg.Connection:
    params = {
        "host": url.host or "127.0.0.1",
        "port": url.port or 5432,
        "user": url.username or "postgres",
        "dbname": "postgres",
    }
    if url.password:
        params["password"] = url.password
    return psycopg.connect(**params, autocommit=True)


def describe(dataset: Dataset) -> dict:
    """Row counts of the main tables, for the report."""
    app = bench_app(dataset.url)
    tables = (
        "schools",
        "pupils",
        "users",
        "mentoring_pairings",
        "mentoring_sessions",
        "interventions",
        "intervention_participants",
        "risk_flags",
        "exclusions",
        "learning_records",
        "parent_conversations",
        "kindness_moments",
        "audit_entries",
    )
    with app.app_context():
        counts = {
            name: db.session.scalar(sa.text(f"SELECT COUNT(*) FROM {name}"))  # noqa: S608
            for name in tables
        }
        db.session.remove()
        db.engine.dispose()
    return counts


def dump_meta(dataset: Dataset) -> str:
    """A one-line description for the report."""
    return json.dumps({"engine": dataset.engine, "seeded_on": dataset.seeded_on.isoformat()})
