"""The long-running sender (`flask send-mail --watch`): the outbox every few seconds, the
day's overdue checks once each school day (Europe/London), and the daily digests once their
time (MAIL_DIGEST_TIME, school time) has come, from the same process.
"""

import logging
import time
from collections.abc import Callable
from datetime import date

from flask import current_app
from sqlalchemy.exc import SQLAlchemyError

from school_tracker.calendar.terms import school_today
from school_tracker.extensions import db
from school_tracker.mail import mail_is_on
from school_tracker.mail.digest import latest_digest_day, make_digests
from school_tracker.mail.sender import send_due_messages
from school_tracker.orm import utcnow

log = logging.getLogger(__name__)

DailyCheck = Callable[[date], int]


class Worker:
    """One worker's state: the last school day whose checks it ran, and whose digests."""

    def __init__(self, daily_check: DailyCheck) -> None:
        self.daily_check = daily_check
        self.checked_day: date | None = None
        self.digest_day: date | None = None

    def run_once(self) -> None:
        """One turn: the daily check if the school day has changed, the digests once their
        time has come, then one outbox pass."""
        today = school_today()
        if today != self.checked_day:
            # Idempotent: a second worker, or a restart, raises nothing new for the same day.
            raised = self.daily_check(today)
            db.session.commit()
            self.checked_day = today
            log.info("mail.daily_check", extra={"day": today.isoformat(), "raised": raised})
        if mail_is_on():
            self._make_digests_when_due()
            summary = send_due_messages()
            if summary.sent or summary.retrying or summary.failed:
                log.info("mail.pass", extra=vars(summary))

    def _make_digests_when_due(self) -> None:
        # A worker started after the digest time makes that day's digests at once (catching up
        # on a stop); the unique digest row per person and day makes a second run harmless.
        day = latest_digest_day(utcnow())
        if day != self.digest_day:
            made = make_digests(day)
            db.session.commit()
            self.digest_day = day
            log.info("mail.digests", extra={"day": day.isoformat(), "made": made})

    def run_forever(self, sleep: Callable[[float], None] = time.sleep) -> None:
        poll_seconds = float(current_app.config["MAIL_POLL_SECONDS"])
        while True:
            try:
                self.run_once()
            except SQLAlchemyError:
                # A database that is briefly away (restart, failover) must not end the worker.
                db.session.rollback()
                log.exception("mail.worker_database_error")
            finally:
                db.session.remove()
            sleep(poll_seconds)
