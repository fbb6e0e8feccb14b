"""Backups (R87): a backup taken mid-write restores whole transactions only, and pg_dump gets
its password from the environment, not argv."""

import shutil
import sqlite3
import subprocess
import threading
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from school_tracker.audit import record_audit
from school_tracker.extensions import db
from school_tracker.models import AuditEntry
from school_tracker.privacy import backup
from tests.factories.rows import count_rows

# --- R87: backups -----------------------------------------------------------------------------


def _restored_counts(app, out: Path, tmp_path: Path) -> dict[str, object]:
    """Restore a backup into a fresh database; its integrity verdict and row counts."""
    query = "SELECT (SELECT count(*) FROM pupils), (SELECT count(*) FROM audit_entries)"
    with app.app_context():
        url = db.engine.url
    if url.get_backend_name() == "sqlite":
        fresh = tmp_path / "restored.db"
        shutil.copyfile(out, fresh)  # the backup file is the database
        conn = sqlite3.connect(fresh)
        try:
            verdict = conn.execute("PRAGMA integrity_check").fetchone()[0]
            pupils, audits = conn.execute(query).fetchone()
        finally:
            conn.close()
        return {"integrity": verdict, "pupils": pupils, "audits": audits}
    name = f"st_restore_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        target = url.set(database=name)
        plain = target.set(drivername="postgresql").render_as_string(hide_password=False)
        done = subprocess.run(  # noqa: S603 - fixed program, a URL we built
            ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={plain}", str(out)],
            check=False,
        )
        restored = sa.create_engine(target)
        with restored.connect() as conn:
            pupils, audits = conn.execute(sa.text(query)).one()
        restored.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    return {
        "integrity": "ok" if done.returncode == 0 else "failed",
        "pupils": pupils,
        "audits": audits,
    }


@pytest.mark.requirement("R87")
def test_r87_a_backup_taken_mid_write_restores_whole_transactions_only(
    app, runner, make_school, make_pupil, tmp_path
):
    school = make_school()
    for _ in range(12):
        make_pupil(school)
    stop, started = threading.Event(), threading.Event()

    def writer() -> None:  # each transaction adds a pair, so a torn one would leave an odd count
        with app.app_context():
            while not stop.is_set():
                record_audit(None, "r87_pair", "test", school_id=school.id)
                record_audit(None, "r87_pair", "test", school_id=school.id)
                db.session.commit()
                started.set()
            db.session.remove()

    thread = threading.Thread(target=writer)
    thread.start()
    out = tmp_path / "backup.dump"
    try:
        assert started.wait(30)
        before = count_rows(app, AuditEntry)
        result = runner.invoke(args=["backup", "--out", str(out)])
        after = count_rows(app, AuditEntry)
    finally:
        stop.set()
        thread.join()
    assert result.exit_code == 0, result.output
    restored = _restored_counts(app, out, tmp_path)
    assert restored["integrity"] == "ok" and restored["pupils"] == 12
    assert before <= restored["audits"] <= after and restored["audits"] % 2 == 0


@pytest.mark.requirement("R87")
def test_r87_pg_dump_gets_the_password_from_the_environment_not_argv(monkeypatch, tmp_path):
    seen = {}

    def fake_run(args, **kwargs):
        seen.update(args=args, env=kwargs.get("env") or {})
        return subprocess.CompletedProcess(args, 0, "", "")

    monkeypatch.setattr(backup.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(backup.subprocess, "run", fake_run)
    backup.backup_postgresql("postgresql+psycopg://tracker:s3cret-pw@db:5432/st", tmp_path / "x")
    assert not any("s3cret-pw" in arg for arg in seen["args"])
    assert "postgresql://tracker@db:5432/st" in seen["args"]
    assert seen["env"]["PGPASSWORD"] == "s3cret-pw"
