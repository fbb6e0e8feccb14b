"""Time (R86): stored as UTC, shown in Europe/London across the clock changes, and the school
year turning on the school's own autumn start."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from freezegun import freeze_time
from sqlalchemy.exc import StatementError

from school_tracker.calendar.term_dates import calendar_for, set_term_dates
from school_tracker.calendar.terms import school_today
from school_tracker.extensions import db
from school_tracker.models import AuditEntry, Role, User
from school_tracker.templating import date_uk

LONDON = ZoneInfo("Europe/London")


# --- R86: time --------------------------------------------------------------------------------


@pytest.mark.requirement("R86")
def test_r86_display_skips_the_spring_gap_and_repeats_the_autumn_hour():
    # Last Sunday of March 2026: 01:00 GMT becomes 02:00 BST, so 01:xx never shows.
    assert date_uk(datetime(2026, 3, 29, 0, 59, tzinfo=UTC)) == "29 Mar 2026 00:59"
    assert date_uk(datetime(2026, 3, 29, 1, 0, tzinfo=UTC)) == "29 Mar 2026 02:00"
    # Last Sunday of October 2026: 01:00-02:00 local happens twice, so the zone tells them apart.
    assert date_uk(datetime(2026, 10, 25, 0, 30, tzinfo=UTC)) == "25 Oct 2026 01:30 BST"
    assert date_uk(datetime(2026, 10, 25, 1, 30, tzinfo=UTC)) == "25 Oct 2026 01:30 GMT"


@pytest.mark.requirement("R86")
def test_r86_both_01_30s_of_the_autumn_change_are_stored_as_distinct_utc_instants(app):
    bst = datetime(2026, 10, 25, 1, 30, tzinfo=LONDON)  # fold=0: the first 01:30 (BST)
    with app.app_context():
        for when in (bst.replace(fold=1), bst):
            db.session.add(AuditEntry(action="r86", entity_type="test", at=when))
        db.session.commit()
        stored = db.session.scalars(
            sa.select(AuditEntry.at).where(AuditEntry.action == "r86").order_by(AuditEntry.at)
        ).all()
        raw = db.session.scalars(
            sa.text("SELECT at FROM audit_entries WHERE action = 'r86' ORDER BY at")
        ).all()
    assert stored == [
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
        datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
    ]
    assert all(value.tzinfo is UTC for value in stored)
    assert [str(value)[:16] for value in raw] == ["2026-10-25 00:30", "2026-10-25 01:30"]


def test_r86_a_naive_time_is_refused_rather_than_guessed(app):
    with app.app_context():
        db.session.add(AuditEntry(action="r86", entity_type="test", at=datetime(2026, 3, 29, 1)))
        with pytest.raises(StatementError, match="naive"):
            db.session.commit()
        db.session.rollback()


@pytest.mark.parametrize(
    ("utc_now", "london_date"),
    [
        ("2026-06-30 23:30:00", date(2026, 7, 1)),  # BST: already tomorrow in England
        ("2026-12-31 23:30:00", date(2026, 12, 31)),  # GMT: same day
    ],
)
def test_r86_today_is_the_date_in_england_not_on_the_server(utc_now, london_date):
    with freeze_time(utc_now):
        assert school_today() == london_date


@pytest.mark.requirement("R86")
def test_r86_31_august_and_1_september_with_a_schools_own_autumn_start(app, make_school, make_user):
    own, plain = make_school("own"), make_school("plain")
    admin = make_user(Role.ADMIN, school=own)
    with app.app_context():
        by = db.session.get(User, admin.id)
        set_term_dates(own.id, "autumn-2026", date(2026, 9, 1), date(2026, 12, 18), by=by)
        db.session.commit()
        calendars = calendar_for(own.id), calendar_for(plain.id)
    own_terms = [calendars[0].term_for(date(2026, m, d)) for m, d in ((8, 31), (9, 1))]
    assert [(t.key, t.academic_year) for t in own_terms] == [
        ("summer-2026", "2025/26"),
        ("autumn-2026", "2026/27"),
    ]
    # docs/design.md section 6: by default autumn starts on 1 August, so both days are 2026/27.
    default_terms = [calendars[1].term_for(date(2026, m, d)) for m, d in ((8, 31), (9, 1))]
    assert [(t.key, t.academic_year) for t in default_terms] == [("autumn-2026", "2026/27")] * 2
