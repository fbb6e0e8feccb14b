"""Jinja filters and the values every template can use."""

from datetime import date, datetime

from flask import Flask
from flask_login import current_user

from school_tracker.calendar.terms import LONDON
from school_tracker.models import PUPIL_GROUPS, Role
from school_tracker.permissions import can


def date_uk(value: date | datetime | None) -> str:
    """`22 Nov 2026`; datetimes in UK local time, `22 Nov 2026 09:15`.

    01:00-02:00 on the last Sunday of October happens twice (BST, then GMT), so a time in
    that hour carries its zone, `25 Oct 2026 01:30 GMT`; every other local time is unique.
    """
    if value is None:
        return ""
    if isinstance(value, datetime):
        local = value.astimezone(LONDON)
        shown = local.strftime("%d %b %Y %H:%M")
        if local.utcoffset() != local.replace(fold=1 - local.fold).utcoffset():
            return f"{shown} {local.tzname()}"
        return shown
    return value.strftime("%d %b %Y")


def yes_no(value: bool | None) -> str:
    """Yes or No for a flag."""
    return "Yes" if value else "No"


def figure_value(value: float | None, unit: str = "pupils") -> str:
    """A dashboard number as people read it; None is a suppressed count."""
    if value is None:
        return "[c]" if unit in ("pupils", "records") else "–"
    if unit == "pounds":
        return f"£{value:,.2f}"
    if unit == "percent":
        return f"{value:.1f}%"
    if unit == "points":
        return f"{value:+.1f} pts"
    if unit == "hours":
        return f"{value:,.1f}"
    return f"{int(value):,}"


def _inject_globals() -> dict:
    return {"Role": Role, "can": can, "current_user": current_user, "PUPIL_GROUPS": PUPIL_GROUPS}


def register_templating(app: Flask) -> None:
    """Filters and context processors."""
    app.add_template_filter(date_uk)
    app.add_template_filter(yes_no)
    app.add_template_filter(figure_value)
    app.context_processor(_inject_globals)
