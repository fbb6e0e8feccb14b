"""`flask --app wsgi import-pupils FILE --school SLUG [--dry-run] [--mark-leavers]`.

One of the contract points of docs/design.md section 11.
"""

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from school_tracker.extensions import db
from school_tracker.models import AuditEntry, Pupil
from tests.factories.imports import SAMPLE_PUPILS, csv_bytes, roll_csv, row, sample_bytes, upn


def pupil_count(app, school_id: int | None = None) -> int:
    with app.app_context():
        stmt = sa.select(sa.func.count()).select_from(Pupil)
        if school_id is not None:
            stmt = stmt.where(Pupil.school_id == school_id)
        return db.session.scalar(stmt)


def counts(output: str) -> dict[str, int]:
    return {name: int(n) for name, n in re.findall(r"^(\w+): (\d+)$", output, re.MULTILINE)}


def write(tmp_path: Path, data: bytes, name: str = "roll.csv") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def invoke(runner, path: str, *args: str):
    return runner.invoke(args=["import-pupils", path, "--school", "oakfield", *args])


@pytest.mark.requirement("R84")
def test_sample_export_imports_40_pupils_then_again_as_a_no_op(app, runner, school, tmp_path):
    path = write(tmp_path, sample_bytes(), "sample_mis_export.csv")
    first = invoke(runner, path)
    assert first.exit_code == 0, first.output
    assert counts(first.output) == {
        "created": SAMPLE_PUPILS,
        "updated": 0,
        "unchanged": 0,
        "leavers": 0,
        "held": 0,
    }
    assert pupil_count(app, school.id) == SAMPLE_PUPILS
    again = invoke(runner, path)
    assert again.exit_code == 0, again.output
    assert counts(again.output)["unchanged"] == SAMPLE_PUPILS
    assert counts(again.output)["created"] == counts(again.output)["updated"] == 0
    assert "No changes: the roll already matches this file." in again.output
    with app.app_context():
        entries = list(db.session.scalars(sa.select(AuditEntry)))
    assert [(e.action, e.actor_id, e.school_id) for e in entries] == [
        ("import", None, school.id),
        ("import", None, school.id),
    ]
    assert entries[0].changes["file_name"] == "sample_mis_export.csv"
    assert entries[0].changes["source"] == "cli" and len(entries[0].changes["sha256"]) == 64


def test_dry_run_writes_nothing(app, runner, school, tmp_path):
    result = invoke(runner, write(tmp_path, roll_csv(3)), "--dry-run")
    assert result.exit_code == 0, result.output
    assert counts(result.output)["created"] == 3 and "Dry run" in result.output
    assert pupil_count(app) == 0
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 0


def test_every_invalid_row_is_printed_and_nothing_is_written(app, runner, school, tmp_path):
    data = csv_bytes(
        [
            row(1),
            row(2, UPN="A801200005001"),
            row(3),
            row(4, **{"Date of Birth": "31/02/2018", "Year": "Year 14"}),
        ]
    )
    result = invoke(runner, write(tmp_path, data))
    assert result.exit_code == 1
    assert "row 3, column UPN: The check letter does not match" in result.output
    assert "row 5, column Date of Birth: '31/02/2018' is not a real date" in result.output
    assert "row 5, column Year: 'Year 14' is not a year group" in result.output
    assert "nothing was imported" in result.output
    assert pupil_count(app) == 0


def test_file_level_refusal_exits_1_with_the_message(app, runner, school, tmp_path):
    result = invoke(runner, write(tmp_path, b"\x89PNG\r\n\x1a\n" + b"\0" * 50, "roll.csv"))
    assert result.exit_code == 1 and "PNG image" in result.output
    big = invoke(runner, write(tmp_path, b"a" * (5 * 1024 * 1024 + 10)))
    assert big.exit_code == 1 and "limit is 5 MB" in big.output
    assert pupil_count(app) == 0


def test_unknown_school_exits_1(app, runner, school, tmp_path):
    result = runner.invoke(
        args=["import-pupils", write(tmp_path, roll_csv(1)), "--school", "nowhere"]
    )
    assert result.exit_code == 1 and "No school with the slug 'nowhere'" in result.output


def test_missing_file_is_a_usage_error(app, runner, school, tmp_path):
    result = invoke(runner, str(tmp_path / "absent.csv"))
    assert result.exit_code == 2 and pupil_count(app) == 0


def test_mark_leavers_and_held_pupils(app, runner, school, make_school, tmp_path):
    other = make_school("elm", "Elm Academy")
    assert invoke(runner, write(tmp_path, roll_csv(3))).exit_code == 0
    elsewhere = runner.invoke(
        args=["import-pupils", write(tmp_path, roll_csv(1, start=10), "elm.csv"), "--school", "elm"]
    )
    assert elsewhere.exit_code == 0, elsewhere.output
    # Pupil 3 has left; pupil 10 is on Elm's roll and is held, never moved by the CLI.
    data = csv_bytes([row(1), row(2), row(10)])
    kept = invoke(runner, write(tmp_path, data, "next.csv"))
    assert counts(kept.output) == {
        "created": 0,
        "updated": 0,
        "unchanged": 2,
        "leavers": 1,
        "held": 1,
    }
    assert "another school's roll" in kept.output
    marked = invoke(runner, write(tmp_path, data, "next.csv"), "--mark-leavers")
    assert marked.exit_code == 0 and "marked as left: 1" in marked.output
    with app.app_context():
        left = db.session.scalar(sa.select(Pupil).where(Pupil.upn == upn(3)))
        held = db.session.scalar(sa.select(Pupil).where(Pupil.upn == upn(10)))
        assert left.leaving_date is not None and held.school_id == other.id
    assert pupil_count(app) == 4
