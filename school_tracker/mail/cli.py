"""`flask send-mail`: one pass over the outbox (after making any daily digests due), or
`--watch` to keep sending (and run the daily checks). The daily check is passed in by the CLI
layer, which may import the alerts.
"""

import click
from flask.cli import with_appcontext

from school_tracker.extensions import db
from school_tracker.mail import mail_is_on
from school_tracker.mail.digest import latest_digest_day, make_digests
from school_tracker.mail.sender import send_due_messages
from school_tracker.mail.worker import DailyCheck, Worker
from school_tracker.orm import utcnow


def send_mail_command(daily_check: DailyCheck) -> click.Command:
    """The `send-mail` command, running `daily_check(school_today)` once a day under --watch."""

    @click.command("send-mail")
    @click.option(
        "--watch",
        is_flag=True,
        help="Keep running: send every few seconds and run the overdue checks once a day.",
    )
    @with_appcontext
    def command(watch: bool) -> None:
        """Send the e-mails waiting in the outbox (retrying failures later, each sent once)."""
        if watch:
            click.echo("Sending mail and running the daily checks; Ctrl+C stops.")
            if not mail_is_on():
                click.echo("E-mail is off (no MAIL_SERVER): only the daily checks run.")
            Worker(daily_check).run_forever()
            return
        if not mail_is_on():
            raise click.ClickException("E-mail is off: set MAIL_SERVER to send the outbox.")
        # The latest digests due, so a cron job running this every few minutes sends them too;
        # made once per person and day however often it runs.
        digests = make_digests(latest_digest_day(utcnow()))
        db.session.commit()
        summary = send_due_messages()
        click.echo(
            (f"{digests} daily digest(s) made. " if digests else "")
            + f"{summary.sent} sent, {summary.retrying} to retry, {summary.failed} given up."
            + (" The mail server could not be reached." if summary.server_down else "")
        )

    return command
