"""The daily digest: one e-mail per person per school day at 07:00 London time, counting their
alerts by kind, across the clocks changing, once even with two workers or a restart.

The worker's clock is driven with freezegun (never slept); every digest goes through the real
aiosmtpd server and the privacy scan (conftest).
"""

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from school_tracker.alerts.services import raise_alert, raise_due_alerts
from school_tracker.calendar.terms import LONDON, school_today
from school_tracker.extensions import db
from school_tracker.mail.digest import digest_moment, latest_digest_day, make_digests
from school_tracker.mail.sender import send_due_messages
from school_tracker.mail.worker import Worker
from school_tracker.models import (
    Alert,
    AlertDigest,
    AlertKind,
    EmailAlerts,
    OutboxMessage,
    Role,
    User,
)
from tests.conftest import make_config
from tests.factories.risk import MARKER, make_flag, seed_reference
from tests.mail.conftest import SITE_URL
from tests.mail.privacy_scan import protected_values, pupil_details_in

SUBJECT = "School tracker: your daily summary"


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _chooses(app, user: User, choice: EmailAlerts) -> None:
    with app.app_context():
        db.session.get_one(User, user.id).email_alerts = choice
        db.session.commit()


def _alert(app, recipient: User, by: User | None, kind: AlertKind = AlertKind.FLAG_NAMED) -> None:
    with app.app_context():
        raise_alert(
            db.session.get_one(User, recipient.id),
            kind,
            by=db.session.get_one(User, by.id) if by else None,
        )
        db.session.commit()


@pytest.fixture
def digest_reader(app, school, make_user) -> dict:
    """Dee chose the digest; Lena is the leader who raises her alerts."""
    dee = make_user(Role.STAFF, school=school, full_name="Dee Digest")
    _chooses(app, dee, EmailAlerts.DIGEST)
    return {"dee": dee, "leader": make_user(Role.LEADER, school=school, full_name="Lena Leader")}


# --- when the digest is due ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "utc_time"),
    [
        (date(2026, 3, 28), "07:00"),  # GMT, the day before the clocks go forward
        (date(2026, 3, 29), "06:00"),  # the 23-hour day: BST from 01:00 UTC
        (date(2026, 10, 24), "06:00"),  # BST
        (date(2026, 10, 25), "07:00"),  # the 25-hour day: GMT from 01:00 UTC
        (date(2027, 3, 28), "06:00"),  # the next 23-hour day
        (date(2027, 10, 31), "07:00"),  # the next 25-hour day
    ],
)
def test_the_digest_is_due_at_seven_on_the_london_clock(app, day, utc_time):
    with app.app_context():
        moment = digest_moment(day)
    assert moment == _utc(f"{day.isoformat()}T{utc_time}")
    assert moment.astimezone(LONDON).strftime("%H:%M") == "07:00"


def test_the_latest_digest_day_turns_over_at_seven_london_time(app):
    with app.app_context():
        assert latest_digest_day(_utc("2026-10-25T06:59")) == date(2026, 10, 24)
        assert latest_digest_day(_utc("2026-10-25T07:00")) == date(2026, 10, 25)
        assert latest_digest_day(_utc("2027-03-28T05:59")) == date(2027, 3, 27)
        assert latest_digest_day(_utc("2027-03-28T06:00")) == date(2027, 3, 28)


def _turns(start: str, hours: int) -> list[datetime]:
    """Every hour from `start` (UTC), and every 15 minutes from 05:00 to 08:00 UTC, where
    07:00 London falls in summer and in winter time."""
    first = _utc(start)
    turns = []
    for hour in range(hours):
        instant = first + timedelta(hours=hour)
        quarters = 4 if 5 <= instant.hour < 8 else 1
        turns += [instant + timedelta(minutes=15 * q) for q in range(quarters)]
    return turns


def _digests_sent_while_stepping(app, smtp, dee, leader, start: str, hours: int) -> list[str]:
    """Run one worker at each turn from `start` (UTC) for `hours`, raising Dee an alert each
    hour; the London times at which a digest reached her."""
    worker = Worker(raise_due_alerts)
    sent_at: list[str] = []
    # asyncio (the test SMTP server's loop) keeps real time.
    with app.app_context(), freeze_time(_utc(start), ignore=["asyncio"]) as clock:
        for instant in _turns(start, hours):
            clock.move_to(instant)
            if instant.minute == 0:
                raise_alert(
                    db.session.get_one(User, dee.id),
                    AlertKind.FLAG_NAMED,
                    by=db.session.get_one(User, leader.id),
                )
                db.session.commit()
            before = len(smtp.received)
            worker.run_once()
            new = smtp.received[before:]
            assert all(m.to == [dee.email] and m.subject.startswith(SUBJECT) for m in new)
            sent_at += [instant.astimezone(LONDON).strftime("%Y-%m-%d %H:%M")] * len(new)
        db.session.remove()
    return sent_at


def test_across_the_clocks_going_back_one_digest_a_day_at_seven(app, digest_reader, smtp):
    # 25 October 2026 has 25 hours; the worker runs from 00:00 UTC on the 24th to the 27th.
    sent = _digests_sent_while_stepping(
        app, smtp, digest_reader["dee"], digest_reader["leader"], "2026-10-24T00:00", 72
    )
    assert sent == ["2026-10-24 07:00", "2026-10-25 07:00", "2026-10-26 07:00"]


def test_across_the_clocks_going_forward_one_digest_a_day_at_seven(app, digest_reader, smtp):
    # 28 March 2027 has 23 hours; it still gets its digest, at 07:00 BST (06:00 UTC).
    sent = _digests_sent_while_stepping(
        app, smtp, digest_reader["dee"], digest_reader["leader"], "2027-03-27T00:00", 72
    )
    assert sent == ["2027-03-27 07:00", "2027-03-28 07:00", "2027-03-29 07:00"]


# --- what it says, and when there is nothing to say -----------------------------------------


def test_the_digest_counts_alerts_by_kind_names_who_raised_them_and_links_to_alerts(
    app, school, make_user, make_pupil, digest_reader, smtp
):
    dee, leader = digest_reader["dee"], digest_reader["leader"]
    seed_reference(app)
    other = make_user(Role.LEADER, school=school, full_name="Omar Other")
    with freeze_time("2026-11-10T12:00:00Z", ignore=["asyncio"]):
        make_flag(
            app,
            make_pupil(school, legal_surname="Okafor", legal_forename="Tayo"),
            leader,
            named=[dee],
        )
        make_flag(
            app, make_pupil(school, legal_surname="Nwosu", legal_forename="Ada"), other, named=[dee]
        )
        _alert(app, dee, None, AlertKind.FOLLOW_UP_DUE)
        with app.app_context():
            send_due_messages()
        assert smtp.received == []  # nothing immediate for a digest reader
    worker = Worker(raise_due_alerts)
    with app.app_context(), freeze_time("2026-11-11T07:00:00Z", ignore=["asyncio"]):
        worker.run_once()
    [digest] = smtp.received
    assert digest.to == [dee.email]
    assert digest.subject == f"{SUBJECT} (3 alerts)"
    assert "2 x You were named on an exclusion-risk flag" in digest.body
    assert "1 x A parent follow-up is due" in digest.body
    assert "Raised by: Lena Leader, Omar Other, and the daily check." in digest.body
    assert "Oakfield Primary" in digest.body
    assert f"{SITE_URL}/alerts/" in digest.body
    with app.app_context():  # the autouse scan checks it again, with every other message
        assert pupil_details_in([digest], protected_values()) == []
    assert "Okafor" not in digest.body and MARKER not in digest.body
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).where(Alert.awaits_digest)) == 0
        row = db.session.scalars(sa.select(AlertDigest)).one()
        assert (row.recipient_id, row.digest_day, row.alert_count) == (
            dee.id,
            date(2026, 11, 11),
            3,
        )


def test_nothing_waiting_means_no_digest_and_a_late_alert_waits_for_tomorrow(
    app, digest_reader, smtp
):
    dee, leader = digest_reader["dee"], digest_reader["leader"]
    worker = Worker(raise_due_alerts)
    with app.app_context():
        with freeze_time("2026-11-11T07:00:00Z", ignore=["asyncio"]):
            worker.run_once()
        assert smtp.received == []
        with freeze_time("2026-11-11T07:01:00Z", ignore=["asyncio"]):
            _alert(app, dee, leader)  # after today's digest time
            worker.run_once()
        with freeze_time("2026-11-11T23:00:00Z", ignore=["asyncio"]):
            worker.run_once()
        assert smtp.received == []
        with freeze_time("2026-11-12T07:00:00Z", ignore=["asyncio"]):
            worker.run_once()
    assert [m.subject for m in smtp.received] == [f"{SUBJECT} (1 alert)"]


def test_a_restarted_worker_sends_no_second_digest_the_same_day(app, digest_reader, smtp):
    dee, leader = digest_reader["dee"], digest_reader["leader"]
    with freeze_time("2026-11-10T20:00:00Z", ignore=["asyncio"]):
        _alert(app, dee, leader)
    with app.app_context():
        with freeze_time("2026-11-11T07:05:00Z", ignore=["asyncio"]):
            Worker(raise_due_alerts).run_once()
        with freeze_time("2026-11-11T09:00:00Z", ignore=["asyncio"]):
            _alert(app, dee, leader)
        with freeze_time("2026-11-11T10:00:00Z", ignore=["asyncio"]):
            Worker(raise_due_alerts).run_once()  # the restart: today's digest is made
    assert len(smtp.received) == 1


def test_someone_who_since_chose_no_email_gets_no_digest(app, digest_reader, smtp):
    dee, leader = digest_reader["dee"], digest_reader["leader"]
    with freeze_time("2026-11-10T20:00:00Z", ignore=["asyncio"]):
        _alert(app, dee, leader)
    _chooses(app, dee, EmailAlerts.NONE)
    with app.app_context(), freeze_time("2026-11-11T07:00:00Z", ignore=["asyncio"]):
        Worker(raise_due_alerts).run_once()
        assert db.session.scalar(sa.select(sa.func.count()).where(Alert.awaits_digest)) == 0
    assert smtp.received == []


def test_with_email_off_nothing_waits_for_a_digest(database_url, make_app, make_user, smtp):
    off = make_app(make_config(database_url))
    dee = make_user(Role.STAFF, full_name="Dee Digest")
    _chooses(off, dee, EmailAlerts.DIGEST)
    _alert(off, dee, None, AlertKind.FOLLOW_UP_DUE)
    with off.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).where(Alert.awaits_digest)) == 0
        assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0


# --- two workers at once --------------------------------------------------------------------


def test_two_workers_at_once_make_one_digest_per_person(app, school, make_user, smtp):
    readers = [make_user(Role.STAFF, school=school, full_name=f"Reader {n}") for n in range(5)]
    leader = make_user(Role.LEADER, school=school, full_name="Lena Leader")
    for reader in readers:
        _chooses(app, reader, EmailAlerts.DIGEST)
        _alert(app, reader, leader)
        _alert(app, reader, leader, AlertKind.FLAG_ACTION)
    tomorrow = school_today() + timedelta(days=1)  # its 07:00 is after every alert above
    start = threading.Barrier(2)
    made: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            with app.app_context():
                start.wait()
                made.append(make_digests(tomorrow))
                db.session.commit()
                db.session.remove()
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == [] and sorted(made) == [0, 5]
    with app.app_context():
        send_due_messages()
        digests = db.session.execute(sa.select(AlertDigest.recipient_id, AlertDigest.alert_count))
        assert sorted(digests) == sorted((r.id, 2) for r in readers)
    assert sorted(m.to[0] for m in smtp.received) == sorted(r.email for r in readers)


def test_one_send_mail_pass_from_cron_makes_the_digest_once(app, digest_reader, smtp):
    dee, leader = digest_reader["dee"], digest_reader["leader"]
    with freeze_time("2026-11-10T20:00:00Z", ignore=["asyncio"]):
        _alert(app, dee, leader)
    runner = app.test_cli_runner()
    with freeze_time("2026-11-11T07:02:00Z", ignore=["asyncio"]):
        first = runner.invoke(args=["send-mail"])
        second = runner.invoke(args=["send-mail"])
    assert first.exit_code == 0 and first.output.startswith("1 daily digest(s) made. 1 sent")
    assert second.output.startswith("0 sent")
    assert [m.subject for m in smtp.received] == [f"{SUBJECT} (1 alert)"]
