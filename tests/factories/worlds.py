"""Shared fixtures that build a school and its people or records, loaded by tests/conftest.py.

Each fixture here replaced identical private copies in several test files; a test file that
needs something different keeps its own fixture under its own name.
"""

from datetime import date

import pytest

from school_tracker.extensions import db
from school_tracker.models import Pupil, Role, School
from tests.factories.exports import World, build_world


@pytest.fixture
def school(make_school) -> School:
    """The default school, Oakfield Primary (slug "oakfield")."""
    return make_school()


@pytest.fixture
def people(school, make_user, make_pupil) -> dict:
    """A school's staff member, leader and admin, and one pupil."""
    return {
        "staff": make_user(Role.STAFF, school=school, full_name="Sam Staff"),
        "leader": make_user(Role.LEADER, school=school, full_name="Lena Leader"),
        "admin": make_user(Role.ADMIN, school=school, full_name="Ada Admin"),
        "pupil": make_pupil(school, legal_surname="Okafor", legal_forename="Tayo"),
    }


@pytest.fixture
def export_world(app, make_school, make_user, make_pupil) -> World:
    """Two schools, every record kind about Mia (see tests/factories/exports.py)."""
    return build_world(app, make_school, make_user, make_pupil)


@pytest.fixture
def leavers_world(app, export_world) -> World:
    """The export world after Mia (mentee) and Pip (her peer mentor) have both left."""
    with app.app_context():
        for pupil in (export_world.mentee, export_world.peer):
            db.session.get(Pupil, pupil.id).leaving_date = date(2027, 7, 20)
        db.session.commit()
    return export_world
