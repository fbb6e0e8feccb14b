"""What an e-mail says: the kind of alert, who raised it, the school and a sign-in link; no more.

No pupil's name, initials, UPN, date of birth or record text is ever passed to these
templates, so no message can carry them (docs/security.md, issue 14 item 2).
"""

from dataclasses import dataclass

from flask import current_app, render_template

from school_tracker.extensions import db
from school_tracker.models import Alert, School, Trust, User


@dataclass(frozen=True)
class MessageText:
    subject: str
    body: str


def site_address() -> str | None:
    """The configured address of the site, never the request's Host header (which a client sets)."""
    config = current_app.config
    if config.get("SITE_URL"):
        return str(config["SITE_URL"]).rstrip("/")
    if config.get("SERVER_NAME"):
        return f"{config.get('PREFERRED_URL_SCHEME') or 'https'}://{config['SERVER_NAME']}"
    return None


def site_link(endpoint: str, **values: str) -> str | None:
    """An absolute link to `endpoint` on the configured site address (None if none is set)."""
    address = site_address()
    if address is None:
        return None
    # Bound to a placeholder host: only the path is used, so no request's Host can leak in.
    path = current_app.url_map.bind("site.invalid").build(endpoint, values)
    return f"{address}{path}"


def organisation_name(person: User, school_id: int | None = None) -> str:
    """Where an e-mail comes from: the school (by default the person's), else their trust."""
    school_id = school_id if school_id is not None else person.school_id
    if school_id is not None:
        return db.session.get_one(School, school_id).name
    return db.session.get_one(Trust, person.trust_id).name


def alert_message(alert: Alert) -> MessageText:
    """The subject and body of the e-mail for one alert."""
    raised_by = alert.raised_by.full_name if alert.raised_by is not None else None
    body = render_template(
        "mail/alert.txt",
        kind=alert.kind.label,
        raised_by=raised_by,
        organisation=organisation_name(alert.recipient, alert.school_id),
        sign_in_link=site_link("auth.login"),
    )
    return MessageText(subject=f"School tracker: {alert.kind.label}", body=body)
