"""Online, consistent backups: SQLite's backup API, or pg_dump for PostgreSQL (R87)."""

import os
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import URL, make_url

from school_tracker.extensions import db
from school_tracker.web.logging_setup import log_security_event


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
    parsed = make_url(url).set(drivername="postgresql")
    # The password goes in the environment: a command line is readable by every local user.
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    plain = URL.create(
        parsed.drivername,
        username=parsed.username,
        host=parsed.host,
        port=parsed.port,
        database=parsed.database,
        query=parsed.query,
    ).render_as_string(hide_password=False)
    result = subprocess.run(  # noqa: S603 - fixed program, URL from our own configuration
        [pg_dump, "--format=custom", "--no-owner", f"--file={out}", plain],
        capture_output=True,
        text=True,
        check=False,
        env=env,
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


# How each kind of backup file begins, so pruning never deletes anything else in the folder.
BACKUP_SIGNATURES = (b"SQLite format 3\x00", b"PGDMP")


def is_backup_file(path: Path) -> bool:
    """A regular file (not a link) that starts like a SQLite database or a pg_dump archive."""
    if path.is_symlink() or not path.is_file():
        return False
    with path.open("rb") as handle:
        start = handle.read(16)
    return start.startswith(BACKUP_SIGNATURES)


def expired_backups(folder: Path, keep_days: int, now: float) -> list[Path]:
    """Backups in `folder` last written more than `keep_days` ago, oldest first.

    Backups hold records that retention has since blanked, so they must age out on a
    schedule too (R69, R87); anything that is not one of our backups is left alone.
    """
    cutoff = now - keep_days * 86_400
    found = [p for p in folder.iterdir() if is_backup_file(p) and p.stat().st_mtime < cutoff]
    return sorted(found, key=lambda p: p.stat().st_mtime)


@click.command("prune-backups")
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--keep-days", type=click.IntRange(min=1), default=None, help="Default: config.")
@click.option("--dry-run", is_flag=True, help="List what would be deleted; delete nothing.")
@with_appcontext
def prune_backups_command(folder: Path, keep_days: int | None, dry_run: bool) -> None:
    """Delete backups in FOLDER older than the retention period for backups."""
    keep = keep_days or current_app.config["BACKUP_KEEP_DAYS"]
    expired = expired_backups(folder, keep, time.time())
    for path in expired:
        if not dry_run:
            path.unlink()
        click.echo(f"{'Would delete' if dry_run else 'Deleted'} {path.name}")
    verb = "would be deleted" if dry_run else "deleted"
    if not dry_run:
        log_security_event("backups_pruned", "success", f"count={len(expired)} keep_days={keep}")
    click.echo(f"{len(expired)} backup(s) older than {keep} days {verb}.")
