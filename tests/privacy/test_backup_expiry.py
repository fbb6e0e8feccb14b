"""Backups age out like the records in them (R69, R87): `flask prune-backups`."""

import os
import time
from pathlib import Path

import pytest

DAY = 86_400


def _aged(path: Path, days: float) -> Path:
    stamp = time.time() - days * DAY
    os.utime(path, (stamp, stamp))
    return path


def _folder(tmp_path: Path, runner) -> dict[str, Path]:
    folder = tmp_path / "backups"
    folder.mkdir()
    real = folder / "last-term.backup"
    result = runner.invoke(args=["backup", "--out", str(real)])
    assert result.exit_code == 0, result.output
    files = {
        "real_old": _aged(real, 40),
        "sqlite_old": folder / "old.db",
        "pg_old": folder / "old.dump",
        "sqlite_new": folder / "new.db",
        "notes_old": folder / "notes.txt",
    }
    files["sqlite_old"].write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    files["pg_old"].write_bytes(b"PGDMP" + b"\x00" * 100)
    files["sqlite_new"].write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    files["notes_old"].write_text("Not a backup: never ours to delete.")
    for name in ("sqlite_old", "pg_old", "notes_old"):
        _aged(files[name], 36)
    _aged(files["sqlite_new"], 34)
    files["link_old"] = folder / "link.db"
    files["link_old"].symlink_to(files["sqlite_old"])
    return files


@pytest.mark.requirement("R69", "R87")
def test_only_our_backups_past_the_period_are_deleted(app, runner, tmp_path):
    files = _folder(tmp_path, runner)
    result = runner.invoke(args=["prune-backups", str(files["real_old"].parent)])
    assert result.exit_code == 0, result.output
    assert "3 backup(s) older than 35 days deleted" in result.output
    gone = {name for name, path in files.items() if not path.exists() and not path.is_symlink()}
    assert gone == {"real_old", "sqlite_old", "pg_old"}


@pytest.mark.requirement("R69")
def test_a_dry_run_deletes_nothing_and_a_second_run_finds_nothing(app, runner, tmp_path):
    files = _folder(tmp_path, runner)
    folder = str(files["real_old"].parent)
    dry = runner.invoke(args=["prune-backups", folder, "--dry-run"])
    assert "3 backup(s) older than 35 days would be deleted" in dry.output
    assert all(path.exists() or path.is_symlink() for path in files.values())
    runner.invoke(args=["prune-backups", folder])
    again = runner.invoke(args=["prune-backups", folder])
    assert "0 backup(s) older than 35 days deleted" in again.output


def test_the_period_can_be_given_on_the_command_line(app, runner, tmp_path):
    files = _folder(tmp_path, runner)
    result = runner.invoke(
        args=["prune-backups", str(files["real_old"].parent), "--keep-days", "30"]
    )
    assert "4 backup(s) older than 30 days deleted" in result.output
    assert files["notes_old"].exists()
