"""Migration 0014 carries each typed "sessions attended" forward as the count recorded before
the register, so no figure changes without saying so, and gives it back on downgrade (R88)."""

from datetime import date

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from school_tracker import create_app
from school_tracker.demo.school import seed_demo
from school_tracker.extensions import db
from school_tracker.models import InterventionParticipant, SessionAttendance
from school_tracker.records.attendance import attendance_by_participant
from tests.conftest import make_config

BEFORE = "0013_agencies_reference"


def _participants(name: str) -> sa.TableClause:
    """The table as the database has it now, with the attendance column under `name`."""
    return sa.table("intervention_participants", sa.column("id"), sa.column(name))


def _column(name: str) -> dict[int, int | None]:
    table = _participants(name)
    with db.engine.connect() as conn:
        return dict(conn.execute(sa.select(table.c.id, table.c[name])).all())


def _set(name: str, part_id: int, value: int) -> None:
    table = _participants(name)
    with db.engine.begin() as conn:
        conn.execute(sa.update(table).where(table.c.id == part_id).values({name: value}))


def _refuses_a_negative(name: str, part_id: int) -> bool:
    try:
        _set(name, part_id, -1)
    except sa.exc.IntegrityError:
        return True
    return False


@pytest.mark.requirement("R88")
def test_a_typed_count_is_kept_as_counted_before_the_register(empty_database_url):
    app = create_app(make_config(empty_database_url))
    with app.app_context():
        upgrade()
        seed_demo(today=date(2026, 11, 22))
        db.session.commit()
        # A pupil with register lines, as a school that typed a count and then kept a register.
        part_id = db.session.scalar(sa.select(sa.func.min(SessionAttendance.participant_id)))
        db.session.remove()
        try:
            downgrade(revision=BEFORE)
            _set("sessions_attended", part_id, 9)  # typed on the old outcome form
            typed = _column("sessions_attended")
            assert typed[part_id] == 9 and _refuses_a_negative("sessions_attended", part_id)
            upgrade()
            assert _column("sessions_before_register") == typed
            assert _refuses_a_negative("sessions_before_register", part_id)
            part = db.session.get(InterventionParticipant, part_id)
            attendance = attendance_by_participant([part])[part_id]
            assert attendance.before_register == 9 and attendance.marked > 0
            assert attendance.attended == attendance.present + 9
            assert attendance.parts.endswith("+ 9 recorded as a count before the register")
            db.session.remove()
            downgrade(revision=BEFORE)  # and back: the earlier code reads what it wrote
            assert _column("sessions_attended") == typed
            upgrade()
        finally:
            db.session.remove()
            db.engine.dispose()
