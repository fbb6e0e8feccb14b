"""`flask raise-due-alerts`: the daily check on its own, for cron or when no worker runs it."""

from datetime import datetime

import click
from flask.cli import with_appcontext

from school_tracker.alerts.services import raise_due_alerts
from school_tracker.calendar.terms import school_today
from school_tracker.extensions import db


@click.command("raise-due-alerts")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The school day to check as (YYYY-MM-DD); today in Europe/London if not given.",
)
@with_appcontext
def raise_due_alerts_command(today: datetime | None) -> None:
    """Alert leads of overdue reviews and staff of follow-ups due; safe to run again."""
    day = today.date() if today is not None else school_today()
    raised = raise_due_alerts(day)
    db.session.commit()
    click.echo(f"{raised} new alert(s) for {day.isoformat()}.")
