"""The worker (`flask send-mail --watch`): the daily checks once per school day, Europe/London,
across the clocks changing; the outbox sent on every turn."""

from datetime import date

from freezegun import freeze_time

from school_tracker.alerts.services import raise_alert, raise_due_alerts
from school_tracker.extensions import db
from school_tracker.mail.worker import Worker
from school_tracker.models import AlertKind, Role, User


def _days_checked_at(app, instants: list[str]) -> list[date]:
    checked: list[date] = []

    def daily_check(today: date) -> int:
        checked.append(today)
        return 0

    worker = Worker(daily_check)
    with app.app_context():
        for instant in instants:
            # asyncio (the test SMTP server's loop) keeps real time.
            with freeze_time(instant, ignore=["asyncio"]):
                worker.run_once()
    return checked


def test_the_daily_check_runs_once_per_london_day_across_the_clocks_going_back(app):
    # 25 October 2026: BST (UTC+1) ends at 01:00 UTC.
    assert _days_checked_at(
        app,
        [
            "2026-10-24T22:59:00Z",  # 23:59 BST on the 24th
            "2026-10-24T23:00:00Z",  # midnight BST: the 25th begins an hour before UTC's
            "2026-10-25T12:00:00Z",
            "2026-10-25T23:59:00Z",  # 23:59 GMT, still the 25th
            "2026-10-26T00:00:00Z",  # midnight GMT: the 26th
        ],
    ) == [date(2026, 10, 24), date(2026, 10, 25), date(2026, 10, 26)]


def test_the_daily_check_runs_once_per_london_day_across_the_clocks_going_forward(app):
    # 28 March 2027: BST begins at 01:00 UTC.
    assert _days_checked_at(
        app,
        [
            "2027-03-27T23:59:00Z",  # 23:59 GMT on the 27th
            "2027-03-28T00:00:00Z",  # midnight GMT: the 28th
            "2027-03-28T22:59:00Z",  # 23:59 BST, still the 28th
            "2027-03-28T23:00:00Z",  # midnight BST: the 29th
        ],
    ) == [date(2027, 3, 27), date(2027, 3, 28), date(2027, 3, 29)]


def test_a_turn_runs_the_real_daily_check_and_sends_the_outbox(app, school, make_user, smtp):
    amy = make_user(Role.STAFF, school=school)
    with app.app_context():
        raise_alert(db.session.get_one(User, amy.id), AlertKind.PASSWORD_CHANGED, by=None)
        db.session.commit()
        worker = Worker(raise_due_alerts)
        worker.run_once()
        worker.run_once()
    assert [m.to for m in smtp.received] == [[amy.email]]
