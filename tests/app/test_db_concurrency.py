"""A slow audited export never makes a writer fail (issue 11), on SQLite and PostgreSQL.

The export is slow because the year holds many rows (no sleep anywhere in our code): while a
leader downloads the whole-year named export, or `flask export-records --whole-year` runs as
a separate process, five staff keep saving, one person signs in and one opens a pupil page.
Every save succeeds or gets the busy page with the form filled in (sent again afterwards);
nothing is a 500, no row is lost or saved twice, and the sign-in succeeds.
"""

import os
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa

from school_tracker import ROOT
from school_tracker.extensions import db
from school_tracker.models import KindnessMoment, Role
from tests.factories.busy import add_moments, busy_form, moment_form, sign_in

ROWS = int(os.environ.get("BUSY_TEST_ROWS", "12000"))
WRITERS = 5
THINK = 0.1  # seconds between one person's saves
MARK = "Saved during the export"
SAVED = re.compile(r"/kindness/\d+$")  # a save lands on the new moment's page


@pytest.fixture
def app_config_overrides():
    # CSRF on, as in production, so the double-submit claims take part; everyone here signs
    # in from the test client's one address, again and again.
    return {"WTF_CSRF_ENABLED": True, "LOGIN_LIMIT_PER_ADDRESS": "1000 per minute"}


@dataclass
class Export:
    """The export under way: `alive` while it runs, `reading` while it reads the database."""

    alive: Callable[[], bool]
    reading: Callable[[], bool]


@dataclass
class Outcomes:
    """Every response the people got, by kind, and the saves they meant to make."""

    statuses: list[tuple[str, int | str]] = field(default_factory=list)
    during: Counter = field(default_factory=Counter)
    meant: list[str] = field(default_factory=list)
    resend: list[tuple[object, str, object]] = field(default_factory=list)
    slowest_save: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, kind: str, status: int | str, export: Export) -> None:
        """One answer; it counts as "during" if the export was still reading when it came."""
        with self.lock:
            self.statuses.append((kind, status))
            self.during[kind] += export.reading()

    def of(self, kind: str) -> list[int | str]:
        return [status for k, status in self.statuses if k == kind]


@dataclass
class Scene:
    school_id: int
    slug: str
    term: str
    pupil_id: int
    leader: str
    staff: list[str]
    newcomer: str


@pytest.fixture
def scene(app, make_school, make_user, make_pupil) -> Scene:
    school = make_school()
    pupil = make_pupil(school)
    leader = make_user(Role.LEADER, school=school)
    staff = [make_user(Role.STAFF, school=school).email for _ in range(WRITERS + 1)]
    with app.app_context():
        term = add_moments(school.id, leader.id, ROWS)
    return Scene(school.id, school.slug, term, pupil.id, leader.email, staff[:WRITERS], staff[-1])


def _signed_in(app, email: str):
    client = app.test_client()
    assert sign_in(client, email).status_code == 302
    return client


def _save_outcome(response) -> str:
    if response.status_code == 302 and SAVED.search(response.headers["Location"]):
        return "saved"
    if response.status_code == 503:
        return "busy"
    return f"{response.status_code} {response.headers.get('Location', '')}"


def _writer(app, email: str, n: int, scene: Scene, export: Export, outcomes: Outcomes) -> None:
    client = _signed_in(app, email)
    saves = 0
    while export.alive() or saves == 0:
        description = f"{MARK}: writer {n}, save {saves}"
        form = moment_form(client, scene.pupil_id, description)
        started = time.monotonic()
        response = client.post("/kindness/new", data=form)
        took = time.monotonic() - started
        outcomes.note("save", _save_outcome(response), export)
        with outcomes.lock:
            outcomes.meant.append(description)
            outcomes.slowest_save = max(outcomes.slowest_save, took)
            if response.status_code == 503:
                action, again, _ = busy_form(response.get_data(as_text=True))
                outcomes.resend.append((client, action, again))
        saves += 1
        time.sleep(THINK)


def _others(app, scene: Scene, export: Export, outcomes: Outcomes) -> list[threading.Thread]:
    """Someone signs in and someone opens a pupil page, again and again until it ends."""

    def newcomer():
        while True:
            outcomes.note("sign_in", sign_in(app.test_client(), scene.newcomer).status_code, export)
            if not export.alive():
                return
            time.sleep(0.3)

    def reader():
        client = _signed_in(app, scene.staff[0])
        while True:
            page = client.get(f"/pupils/{scene.pupil_id}")
            outcomes.note("pupil_page", page.status_code, export)
            if not export.alive():
                return
            time.sleep(0.3)

    return [threading.Thread(target=newcomer), threading.Thread(target=reader)]


def _run_alongside(app, scene: Scene, start_export, export: Export) -> Outcomes:
    outcomes = Outcomes()
    people = [
        threading.Thread(target=_writer, args=(app, email, n, scene, export, outcomes))
        for n, email in enumerate(scene.staff)
    ]
    start_export()
    people += _others(app, scene, export, outcomes)
    for thread in people:
        thread.start()
    for thread in people:
        thread.join(timeout=120)
    return outcomes


def _assert_nothing_lost(app, outcomes: Outcomes) -> None:
    assert set(outcomes.of("save")) <= {"saved", "busy"}, outcomes.statuses
    assert set(outcomes.of("sign_in")) == {302}
    assert set(outcomes.of("pupil_page")) == {200}
    # They really went on while the export read: a lock held by it would make them all wait.
    assert outcomes.during["save"] >= WRITERS, outcomes.during
    assert outcomes.during["sign_in"] and outcomes.during["pupil_page"], outcomes.during
    for client, action, form in outcomes.resend:  # the person presses "Send again"
        again = client.post(action, data=form)
        assert again.status_code == 302 and SAVED.search(again.headers["Location"])
    with app.app_context():
        saved = db.session.scalars(
            sa.select(KindnessMoment.description).where(KindnessMoment.description.like(f"{MARK}%"))
        ).all()
    assert sorted(saved) == sorted(outcomes.meant)  # none lost, none twice


def _report(label: str, export_seconds: float, outcomes: Outcomes) -> None:
    saves = outcomes.of("save")
    print(
        f"\n{label}: export {export_seconds:.1f} s over {ROWS} moments; saves {len(saves)}, "
        f"done while it read {outcomes.during['save']}, busy {saves.count('busy')}, "
        f"other {sum(s not in ('saved', 'busy') for s in saves)}, "
        f"slowest save {outcomes.slowest_save:.2f} s; sign-ins {outcomes.of('sign_in')}, "
        f"pupil pages {outcomes.of('pupil_page')}"
    )


@pytest.mark.requirement("R80", "R89")
def test_writers_carry_on_while_a_leader_downloads_the_whole_year(app, scene):
    leader = _signed_in(app, scene.leader)
    result: dict = {}
    began_reading, done_reading = threading.Event(), threading.Event()

    def download():
        began = time.monotonic()
        response = leader.get(f"/reports/named.xlsx?term={scene.term}&whole_year=1")
        result.update(status=response.status_code, size=len(response.data))
        result["seconds"] = time.monotonic() - began

    exporter = threading.Thread(target=download)

    def watch(_conn, _cursor, statement, *_rest):
        if threading.current_thread() is not exporter:
            return
        if statement.startswith("SELECT") and "kindness_moments" in statement:
            began_reading.set()
        elif statement.startswith("INSERT INTO audit_entries"):
            done_reading.set()

    def start():
        exporter.start()
        assert began_reading.wait(60)

    export = Export(
        alive=exporter.is_alive,
        reading=lambda: began_reading.is_set() and not done_reading.is_set(),
    )
    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", watch)
    try:
        outcomes = _run_alongside(app, scene, start, export)
    finally:
        sa.event.remove(engine, "before_cursor_execute", watch)
    exporter.join()
    _report("download", result["seconds"], outcomes)
    assert result["status"] == 200 and result["size"] > 100_000
    assert done_reading.is_set()  # and the download was audited
    _assert_nothing_lost(app, outcomes)


@pytest.mark.requirement("R80", "R89")
def test_writers_carry_on_while_export_records_runs_as_a_command(app, scene, tmp_path):
    out = tmp_path / "year.xlsx"
    env = {
        **os.environ,
        "APP_ENV": "development",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "export-records"]
    args = ["--school", scene.slug, "--term", scene.term, "--whole-year", "--out", str(out)]
    process: dict = {}

    def start():
        process["began"] = time.monotonic()
        process["run"] = subprocess.Popen(  # noqa: S603 - our own command, fixed arguments
            [*command, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )

    def alive() -> bool:
        return process["run"].poll() is None

    # The command opens its output file once it has found the school, before it reads.
    outcomes = _run_alongside(app, scene, start, Export(alive, lambda: out.exists() and alive()))
    stdout, stderr = process["run"].communicate(timeout=120)
    _report("command", time.monotonic() - process["began"], outcomes)
    assert process["run"].returncode == 0, stderr.decode()[-2000:]
    assert int(stdout.decode().split()[1]) > ROWS  # "Wrote N rows ...": every moment
    _assert_nothing_lost(app, outcomes)
