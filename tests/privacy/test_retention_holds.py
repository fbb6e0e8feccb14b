"""Held records stay held on every retention run (R69)."""

from datetime import date

import pytest

from school_tracker.extensions import db
from school_tracker.models import Pupil, RiskFlag
from tests.factories.exports import NOTE

# R69: held records stay held on every run ------------------------------------------------------


@pytest.mark.requirement("R69")
def test_r69_held_category_survives_repeated_runs_far_in_the_future(app, export_world):
    from school_tracker.privacy.retention import apply_retention

    with app.app_context():
        db.session.get(Pupil, export_world.mentee.id).leaving_date = date(2027, 7, 20)
        db.session.commit()
        for today in (date(2044, 1, 1), date(2060, 1, 1), date(2090, 1, 1)):
            counts = apply_retention(today)
            db.session.commit()
            assert "exclusion-risk flags" not in counts  # safeguarding is held by default
        flag = db.session.get(RiskFlag, export_world.ids["flag"])
        assert NOTE in flag.protective_factors
        assert db.session.get(Pupil, export_world.mentee.id).legal_surname == "Menteeson"
