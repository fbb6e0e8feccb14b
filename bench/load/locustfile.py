"""Locust: staff signed in as themselves browse pupils and log sessions and kindness moments;
in the export run, a leader also downloads the whole-year named export every 10 s (issue 11).

Started by `bench/load/run.py` (which passes the accounts, the run id and where to write the
acknowledged writes); it only ever targets the 127.0.0.1 server the runner started. Every
form is fetched first and posted back with its CSRF token (CSRF stays on). A write counts as
acknowledged only on the 302 that follows a successful save; its unique marker (run id, user,
sequence) goes into the record's text so the runner can find every one in the database.
"""

import itertools
import json
import os
import random
import re
import time
from datetime import date

import gevent
from locust import HttpUser, between, constant_pacing, events, task

ACCOUNTS: list[dict] = json.loads(os.environ.get("LOAD_ACCOUNTS", "[]"))
PASSWORD = os.environ.get("LOAD_PASSWORD", "kindness-demo")
RUN_ID = os.environ.get("LOAD_RUN_ID", "local")
ACKS_FILE = os.environ.get("LOAD_ACKS_FILE", "")
LEADER: dict = json.loads(os.environ.get("LOAD_LEADER", "{}"))
_next_account = itertools.count()
ACKED: list[dict] = []

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
PUPIL_LINK = re.compile(r'href="/pupils/(\d+)"')
# Where a successful save sends you: the record's own page. Anything else is a refusal.
SAVED = {"session": re.compile(r"/mentoring/\d+$"), "kindness": re.compile(r"/kindness/\d+$")}
# Flask-WTF's signed token only changes once a second, and the app refuses a second POST of
# the same token as a double submission (R85), so, like a person, nobody here opens
# two forms within the same second.
FORM_GAP = 1.1


def csrf_token(html: str) -> str:
    """The form's CSRF token, from the hidden field in the page."""
    match = CSRF.search(html)
    if match is None:
        raise ValueError("no CSRF token on the page")
    return match.group(1)


def sign_in(user: HttpUser, email: str) -> None:
    """Sign in through the form with its CSRF token; anything but the redirect is a failure."""
    login = user.client.get("/login", name="/login")
    with user.client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": csrf_token(login.text)},
        allow_redirects=False,
        name="/login [POST]",
        catch_response=True,
    ) as response:
        if response.status_code != 302:
            response.failure(f"sign-in gave {response.status_code}")


class Staff(HttpUser):
    """One member of staff, signed in with their own account for the whole run."""

    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        self.index = next(_next_account)
        self.account = ACCOUNTS[self.index % len(ACCOUNTS)]
        self.sequence = itertools.count(1)
        self.pupils: list[str] = []
        self.last_form = 0.0
        sign_in(self, self.account["email"])
        self.browse_pupils()

    def open_form(self, path: str, name: str):
        """GET a form, at least FORM_GAP after the last one (see FORM_GAP)."""
        wait = self.last_form + FORM_GAP - time.monotonic()
        if wait > 0:
            gevent.sleep(wait)
        self.last_form = time.monotonic()
        return self.client.get(path, name=name)

    def marker(self) -> str:
        return f"load-{RUN_ID}-u{self.index}-n{next(self.sequence)}"

    @task(4)
    def browse_pupils(self) -> None:
        page = random.choice(("", "?page=2", "?page=3", "?sort=year"))
        response = self.client.get(f"/pupils/{page}", name="/pupils/")
        found = PUPIL_LINK.findall(response.text)
        if found:
            self.pupils = found

    @task(4)
    def pupil_page(self) -> None:
        if self.pupils:
            self.client.get(f"/pupils/{random.choice(self.pupils)}", name="/pupils/[id]")

    @task(2)
    def caseload(self) -> None:
        self.client.get("/mentoring/caseload", name="/mentoring/caseload")

    @task(2)
    def log_session(self) -> None:
        path = f"/mentoring/{self.account['pairing_id']}/sessions/new"
        form = self.open_form(path, "/mentoring/[id]/sessions/new")
        if form.status_code != 200:
            return
        marker = self.marker()
        data = {
            "csrf_token": csrf_token(form.text),
            "held_on": date.today().isoformat(),
            "minutes": "30",
            "activities": f"Played a board game and talked about the week. [{marker}]",
            "mentee_voice": "It was a good week.",
            "mentor_reflection": "",
            "wellbeing_start": "3",
            "wellbeing_end": "4",
        }
        self._post(path, data, "/mentoring/[id]/sessions/new [POST]", "session", marker)

    @task(1)
    def kindness(self) -> None:
        form = self.open_form("/kindness/new", "/kindness/new")
        if form.status_code != 200 or not self.pupils:
            return
        marker = self.marker()
        data = {
            "csrf_token": csrf_token(form.text),
            "giver_kind": "pupil",
            "giver_pupils": random.choice(self.pupils),
            "receiver_pupil": "",
            "receiver_name": "the new Year 7 class",
            "giver_name": "",
            "description": f"Helped a new pupil find their way around. [{marker}]",
            "values": ["friendship", "patience"],
            "occurred_on": date.today().isoformat(),
            "priorities": ["P1"],
        }
        self._post("/kindness/new", data, "/kindness/new [POST]", "kindness", marker)

    def _post(self, path: str, data: dict, name: str, kind: str, marker: str) -> None:
        with self.client.post(
            path, data=data, allow_redirects=False, name=name, catch_response=True
        ) as response:
            where = response.headers.get("Location", "")
            if response.status_code == 302 and SAVED[kind].search(where):
                ACKED.append({"kind": kind, "marker": marker, "location": where})
            else:
                response.failure(f"not saved: {response.status_code} {where}")


class Leader(HttpUser):
    """A leader who downloads the whole-year named export every 10 s (run.py picks this class
    only for the export run; `fixed_count` keeps it to one person among the staff)."""

    fixed_count = 1
    wait_time = constant_pacing(10)

    def on_start(self) -> None:
        sign_in(self, LEADER["email"])

    @task
    def whole_year_export(self) -> None:
        path = f"/reports/named.xlsx?term={LEADER['term']}&whole_year=1"
        with self.client.get(
            path, name="/reports/named.xlsx [whole year]", catch_response=True
        ) as response:
            if response.status_code != 200 or not response.content.startswith(b"PK"):
                response.failure(f"no workbook: {response.status_code}")


@events.test_stop.add_listener
def _write_acks(**_kwargs) -> None:
    """Hand the acknowledged writes to the runner, which counts them in the database."""
    if ACKS_FILE:
        with open(ACKS_FILE, "w", encoding="utf-8") as handle:
            json.dump(ACKED, handle)
