"""The long-running sender (`flask send-mail --watch`): the outbox every few seconds, and the
day's overdue checks once each school day (Europe/London), from the same process.
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
from school_tracker.mail.sender import send_due_messages

log = logging.getLogger(__name__)

DailyCheck = Callable[[date], int]


class Worker:
    """One worker's state: the last school day whose checks it ran."""

    def __init__(self, daily_check: DailyCheck) -> None:
        self.daily_check = daily_check
        self.checked_day: date | None = None

    def run_once(self) -> None:
        """One turn: the daily check if the school day has changed, then one outbox pass."""
        today = school_today()
        if today != self.checked_day:
            # Idempotent: a second worker, or a restart, raises nothing new for the same day.
            raised = self.daily_check(today)
            db.session.commit()
            self.checked_day = today
            log.info("mail.daily_check", extra={"day": today.isoformat(), "raised": raised})
        if mail_is_on():
            summary = send_due_messages()
            if summary.sent or summary.retrying or summary.failed:
                log.info("mail.pass", extra=vars(summary))

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
