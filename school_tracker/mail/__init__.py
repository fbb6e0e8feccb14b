"""E-mail (issue 14): content-free messages queued in an outbox and sent by `flask send-mail`.

With no MAIL_SERVER configured e-mail is off: nothing is queued and the app works as before.
"""

from flask import Flask, current_app
from flask_mailman import Mail

mail = Mail()


def register_mail(app: Flask) -> None:
    mail.init_app(app)


def mail_is_on() -> bool:
    """Whether this deployment sends e-mail (a MAIL_SERVER is configured)."""
    return bool(current_app.config.get("MAIL_SERVER"))
