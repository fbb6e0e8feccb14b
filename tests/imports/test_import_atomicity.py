"""One invalid row in a changed roll leaves every pupil as it was (R84)."""

import pytest
import sqlalchemy as sa

from school_tracker.extensions import db
from school_tracker.models import Pupil
from tests.factories.imports import csv_bytes, roll_csv, row

# --- R84: idempotent imports ------------------------------------------------------------------


def _roll(app) -> dict[str, tuple]:
    with app.app_context():
        return {
            p.upn: (p.legal_surname, p.year_group, p.version_id, p.leaving_date)
            for p in db.session.scalars(sa.select(Pupil))
        }


@pytest.mark.requirement("R84")
def test_r84_an_invalid_row_in_a_changed_roll_leaves_every_pupil_as_it_was(
    app, runner, make_school, tmp_path
):
    make_school("oakfield")
    first = tmp_path / "roll.csv"
    first.write_bytes(roll_csv(3))
    args = ["import-pupils", str(first), "--school", "oakfield"]
    assert runner.invoke(args=args).exit_code == 0
    before = _roll(app)
    changed = tmp_path / "roll2.csv"
    changed.write_bytes(
        csv_bytes([row(1, **{"Legal Surname": "Renamed"}), row(2), row(4), row(5, Year="Y99")])
    )
    result = runner.invoke(args=["import-pupils", str(changed), "--school", "oakfield"])
    assert result.exit_code == 1 and "nothing was imported" in result.output
    assert _roll(app) == before and len(before) == 3
