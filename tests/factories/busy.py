"""Helpers for the busy-database tests: a writer holding the lock elsewhere, forms, bulk rows."""

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from html.parser import HTMLParser

import psycopg
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from school_tracker.calendar.term_dates import calendar_for
from school_tracker.calendar.terms import school_today
from school_tracker.extensions import db
from school_tracker.models import KindnessMoment, KindPersonKind
from tests.conftest import PASSWORD

# Tables a save, a sign-in or a page view writes to; PostgreSQL holds these the way SQLite's
# one write lock holds everything.
WRITTEN_TABLES = ("users", "audit_entries", "form_submissions", "kindness_moments")


@contextmanager
def writes_held(url: str) -> Iterator[None]:
    """Another connection holds every write the app would make; reads go on (WAL, MVCC)."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        holder = sqlite3.connect(parsed.database, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    conninfo = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo) as holder:
        holder.execute(f"LOCK TABLE {', '.join(WRITTEN_TABLES)} IN EXCLUSIVE MODE")
        try:
            yield
        finally:
            holder.rollback()


def token(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]


def sign_in(client, email: str, password: str = PASSWORD):
    """Sign in through the form, with its CSRF token when CSRF is on."""
    page = client.get("/login").get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    data = {"email": email, "password": password, **({"csrf_token": match[1]} if match else {})}
    return client.post("/login", data=data)


def moment_form(client, pupil_id: int, description: str) -> MultiDict:
    """The kindness form as the browser would send it, with its token and once-only nonce."""
    page = client.get("/kindness/new").get_data(as_text=True)
    fields = MultiDict(
        {
            "giver_kind": "pupil",
            "giver_pupils": str(pupil_id),
            "giver_name": "",
            "receiver_pupil": "",
            "receiver_name": "",
            "description": description,
            "occurred_on": school_today().isoformat(),
        }
    )
    fields.setlist("values", ["friendship", "patience"])
    fields.setlist("priorities", ["P1"])
    for name in ("csrf_token", "form_nonce"):  # the form's own, not the sign-out button's
        match = re.search(rf'name="{name}" type="hidden" value="([^"]+)"', page)
        if match:
            fields[name] = match[1]
    return fields


class _PostForm(HTMLParser):
    def __init__(self):
        super().__init__()
        self.in_form = False
        self.action: str | None = None
        self.fields: list[tuple[str, str]] = []
        self.inputs: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post" and not self.action:
            self.in_form, self.action = True, attrs.get("action")
        elif tag == "input" and self.in_form:
            self.inputs.append(attrs)
            if attrs.get("type") == "hidden":
                self.fields.append((attrs["name"], attrs.get("value") or ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False


def busy_form(page: str) -> tuple[str, MultiDict, list[dict]]:
    """The busy page's "Send again" form: its action, hidden fields and every input."""
    parser = _PostForm()
    parser.feed(page)
    return parser.action or "", MultiDict(parser.fields), parser.inputs


def year_window(school_id: int) -> tuple[str, date, date]:
    """The current term's key and the academic year's first day up to today."""
    calendar = calendar_for(school_id)
    today = school_today()
    key = calendar.term_for(today).key
    return key, calendar.academic_year_terms(key)[0].starts_on, today


def add_moments(school_id: int, user_id: int, count: int) -> str:
    """`count` kindness moments across this academic year so far, in a few bulk INSERTs.

    Returns the current term's key (the whole-year export of it includes every one).
    """
    key, first, today = year_window(school_id)
    days = max((today - first).days, 1)
    rows = [
        {
            "school_id": school_id,
            "created_by_id": user_id,
            "updated_by_id": user_id,
            "giver_kind": KindPersonKind.STAFF,
            "giver_name": f"Staff member {n % 40}",
            "receiver_name": f"Year {n % 6 + 1} class",
            "description": f"Kindness number {n}: helped with the reading corner at lunchtime.",
            "occurred_on": first + timedelta(days=n % days),
            "hidden": False,
        }
        for n in range(count)
    ]
    for start in range(0, count, 5000):
        db.session.execute(sa.insert(KindnessMoment), rows[start : start + 5000])
    db.session.commit()
    return key
