"""Online, consistent backups: SQLite's backup API, or pg_dump for PostgreSQL (SECURITY R87)."""

import shutil
import sqlite3
import subprocess
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy.engine import make_url

from school_tracker.extensions import db


class BackupError(RuntimeError):
    """A backup that could not be taken, with a message for the operator."""


def backup_sqlite(database: str, out: Path) -> None:
    """Copy a live SQLite database page by page; never copy the file (the WAL may be missed)."""
    source = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    target = sqlite3.connect(out)
    try:
        with target:
            source.backup(target)
    finally:
        target.close()
        source.close()


def backup_postgresql(url: str, out: Path) -> None:
    """Run pg_dump in custom format (restore with pg_restore)."""
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise BackupError("pg_dump is not installed; install postgresql-client.")
    plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    result = subprocess.run(  # noqa: S603 - fixed program, URL from our own configuration
        [pg_dump, "--format=custom", "--no-owner", f"--file={out}", plain],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()[:500]}")


def take_backup(out: Path) -> str:
    """Back up the configured database to `out`; returns which engine was backed up."""
    if out.exists():
        raise BackupError(f"{out} already exists; choose a new file name.")
    out.parent.mkdir(parents=True, exist_ok=True)
    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            raise BackupError("An in-memory database cannot be backed up.")
        backup_sqlite(url.database, out)
        return "sqlite"
    if url.get_backend_name() == "postgresql":
        backup_postgresql(url.render_as_string(hide_password=False), out)
        return "postgresql"
    raise BackupError(f"No backup method for {url.get_backend_name()}.")


@click.command("backup")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path, dir_okay=False))
@with_appcontext
def backup_command(out: Path) -> None:
    """Take an online, consistent backup of the database to a new file."""
    try:
        engine = take_backup(out)
    except (BackupError, sqlite3.Error) as error:
        raise click.ClickException(str(error)) from error
    hint = "restore by copying it into place" if engine == "sqlite" else "restore with pg_restore"
    click.echo(f"Backed up the {engine} database to {out} ({hint}).")
