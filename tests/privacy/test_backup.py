"""Online backups restore cleanly and never overwrite (R87)."""

import sqlite3
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from school_tracker.audit import record_audit
from school_tracker.extensions import db


@pytest.mark.requirement("R87")
def test_backup_while_writing_restores_cleanly(app, runner, make_school, make_pupil, tmp_path):
    school = make_school()
    for _ in range(20):
        make_pupil(school)
    stop = threading.Event()

    def keep_writing() -> None:
        with app.app_context():
            while not stop.is_set():
                record_audit(None, "background_write", "test", school_id=school.id)
                db.session.commit()
            db.session.remove()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    out = tmp_path / "backup.dump"
    try:
        result = runner.invoke(args=["backup", "--out", str(out)])
    finally:
        stop.set()
        writer.join()
    assert result.exit_code == 0, result.output
    with app.app_context():
        engine = db.engine.url.get_backend_name()
    if engine == "sqlite":
        restored = sqlite3.connect(out)
        assert restored.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert restored.execute("SELECT count(*) FROM pupils").fetchone()[0] == 20
        restored.close()
    else:
        _restore_postgres_and_count(app, out)


def _restore_postgres_and_count(app, out: Path) -> None:
    import subprocess
    import uuid

    with app.app_context():
        url = db.engine.url
    name = f"st_restore_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        target = url.set(database=name)
        plain = target.set(drivername="postgresql").render_as_string(hide_password=False)
        subprocess.run(["pg_restore", "--no-owner", f"--dbname={plain}", str(out)], check=True)
        restored = sa.create_engine(target)
        with restored.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM pupils")).scalar() == 20
        restored.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.requirement("R87")
def test_backup_refuses_to_overwrite(app, runner, tmp_path):
    out = tmp_path / "exists.db"
    out.write_bytes(b"keep me")
    result = runner.invoke(args=["backup", "--out", str(out)])
    assert result.exit_code == 1 and "already exists" in result.output
    assert out.read_bytes() == b"keep me"
