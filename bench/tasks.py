"""`make bench` step "tasks" (issue 13, "Prove it"): everyday jobs today's way and the new way.

In Chromium against the trust's 1,500-pupil school on SQLite, each task is done both ways and
its page loads, submissions, keystrokes, clicks and wall time go to bench/tasks.json. Target:
the new way in at most 2 page loads and 1 submission. The pupil lookup's server time (Flask
test client, median of 60 calls) is measured on every engine, with a 50 ms target.

A today's way the app no longer offers (the typed attendance count, replaced by the register)
keeps its last measured figures from bench/tasks.json, marked as carried with where they came
from; a new way not built yet is "pending".
"""

import json
import os
import subprocess
from dataclasses import dataclass
from datetime import date
from typing import Any

from bench import tasks_flows as flows
from bench import tasks_lookup, tasks_report
from bench.measure import Timings
from bench.scenarios import Bench, Result
from bench.tasks_driver import Tally, live_server, signed_in_page
from bench.tasks_setup import LEADER, SCHOOL, TaskWorld, build_world
from school_tracker import ROOT
from school_tracker.demo.school import DEMO_PASSWORD

TASKS_JSON = ROOT / "bench" / "tasks.json"
MAX_LOADS, MAX_SUBMISSIONS = 2, 1


@dataclass(frozen=True)
class Task:
    key: str
    title: str
    today: flows.Way
    today_how: str
    new: flows.Way | None  # None: not built yet
    new_how: str
    alternatives: tuple[tuple[str, flows.Way, str], ...] = ()


TASKS = (
    Task(
        "group_session",
        "Log a group session for 6 pupils",
        flows.session_today,
        "each pupil's outcome form: type their attended count one higher, save (6 times)",
        flows.session_new,
        "the session register: type the minutes (date today, all present), save",
    ),
    Task(
        "group_outcomes",
        "Record outcomes for 6 pupils",
        flows.outcomes_today,
        "each pupil's outcome form: exit score and impact, save (6 times)",
        flows.outcomes_new,
        "group outcomes: exit score and impact on each row, one save",
    ),
    Task(
        "inset_day",
        "Log an INSET day for 40 staff",
        flows.inset_today,
        "/learning/new for each person: choose them, activity, hours, save (40 times)",
        flows.inset_new,
        "/learning/new-for-staff: the 40 chosen in the staff picker (ticked without it), "
        "activity, hours, one save",
        (
            (
                "new_everyone",
                flows.inset_everyone,
                "/learning/new-for-staff with 'Everyone at this school' (all staff)",
            ),
        ),
    ),
    Task(
        "class_kindness",
        "Record a class's kindness",
        flows.kindness_today,
        "/kindness/new for each pupil of the class, picked from the whole roll (one moment each)",
        flows.kindness_new,
        "one moment given by the whole registration group",
        (
            (
                "new_picker",
                flows.kindness_picked_group,
                "one moment, the class added as 'Whole group' in the kind pupils' picker",
            ),
        ),
    ),
    Task(
        "mentoring_session",
        "Log a mentoring session",
        flows.mentoring_session,
        "the session form: minutes and what we did, save",
        flows.mentoring_session,
        "the same form (issue 13 changed correcting a session, not logging one)",
    ),
    Task(
        "find_pupil",
        "Find a pupil by 3 letters",
        flows.find_today,
        "the pupils list: type 3 letters of the surname, search, read the name in the results",
        flows.find_new,
        "a form's type-ahead picker: type 3 letters, arrow to the name, Enter",
    ),
)


def _git_commit() -> str:
    """This tree's commit (BENCH_COMMIT names it for a tree exported without .git)."""
    if os.environ.get("BENCH_COMMIT"):
        return os.environ["BENCH_COMMIT"]
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return done.stdout.strip()


def _previous() -> dict[str, Any]:
    try:
        return {t["key"]: t for t in json.loads(TASKS_JSON.read_text())["tasks"]}
    except (OSError, ValueError, KeyError):
        return {}


def _way(run: flows.Way, how: str, world: TaskWorld, driver: Any) -> dict[str, Any]:
    print(f"    {how[:70]} ...", flush=True)
    tally: Tally = run(driver, world)
    return {"how": how, **tally.as_json(), "measured_at": _git_commit()}


def _today(task: Task, world: TaskWorld, driver: Any, before: dict[str, Any]) -> dict[str, Any]:
    try:
        return _way(task.today, task.today_how, world, driver)
    except flows.WayGone as gone:
        earlier = before.get(task.key, {}).get("today")
        if not earlier or "page_loads" not in earlier:
            return {"how": task.today_how, "status": "gone", "why": str(gone)}
        return {**earlier, "carried": f"{gone}; figures from the last run that could do it"}


def _new(task: Task, world: TaskWorld, driver: Any) -> dict[str, Any]:
    if task.new is None:
        return {"how": task.new_how, "status": "pending"}
    try:
        return _way(task.new, task.new_how, world, driver)
    except flows.NotBuilt as missing:
        return {"how": task.new_how, "status": "pending", "why": str(missing)}


def _meets(new: dict[str, Any]) -> bool | None:
    if "page_loads" not in new:
        return None
    loads, submissions = int(new["page_loads"]), int(new["submissions"])
    return loads <= MAX_LOADS and submissions <= MAX_SUBMISSIONS


class TaskResult(Result):
    """A task's new way as a line of the bench table; its target is loads and submissions."""

    met: bool | None = None

    @property
    def meets_target(self) -> bool:
        return self.met is not False


def result_line(task: Task, new: dict[str, Any]) -> TaskResult | None:
    """The bench table's line for a task's new way (none while it is pending)."""
    met = _meets(new)
    if met is None:
        print(f"  PENDING {task.title}: {new.get('why', 'not built yet')}")
        return None
    result = TaskResult(
        f"task_{task.key}",
        f"New way: {task.title}",
        Timings([new["wall_seconds"]]),
        None,
        None,
        f"≤ {MAX_LOADS} loads, ≤ {MAX_SUBMISSIONS} POST",
        None,
        "",
        note=f"{new['page_loads']} page loads, {new['submissions']} POST, "
        f"{new['keystrokes']} keystrokes, {new['clicks']} clicks (wall time: one run)",
    )
    result.met = met
    return result


def run_tasks(bench: Bench) -> list[Result]:
    """The lookup's server time on this engine; on SQLite, every task in Chromium too."""
    world = build_world(bench)
    lookup = tasks_lookup.server_time(bench, world)
    results: list[Result] = [lookup] if lookup else []
    if bench.engine.dialect.name != "sqlite":
        return results  # the browser part runs once, on SQLite
    before = _previous()
    measured = []
    # BENCH_TASKS=key,key runs only those (while working on a script); tasks.json is kept.
    keys = [k for k in os.environ.get("BENCH_TASKS", "").split(",") if k]
    chosen = [task for task in TASKS if not keys or task.key in keys]
    with live_server(bench.app) as url, signed_in_page(url, LEADER, DEMO_PASSWORD) as driver:
        for task in chosen:
            print(f"   task: {task.title}", flush=True)
            today = _today(task, world, driver, before)
            new = _new(task, world, driver)
            row: dict[str, Any] = {"key": task.key, "task": task.title, "today": today}
            row["new"] = new
            for key, way, how in task.alternatives:
                row[key] = _new(Task(key, task.title, way, how, way, how), world, driver)
            row["meets_target"] = _meets(new)
            measured.append(row)
            line = result_line(task, new)
            results += [line] if line else []
    if keys:
        print(tasks_report.markdown({"tasks": measured, "school": {"on_roll": world.on_roll}}))
    else:
        _write(world, measured, lookup)
    return results


def _write(world: TaskWorld, measured: list[dict[str, Any]], lookup: Result | None) -> None:
    data = {
        "measured_on": date.today().isoformat(),
        "commit": _git_commit(),
        "machine": f"{os.cpu_count()} cores, shared",
        # Wall times move with what else the cores are doing; this says how busy they were.
        "load_average_1min": round(os.getloadavg()[0], 1),
        "browser": "Debian Chromium through Playwright",
        "engine": "sqlite",
        "school": {
            "slug": SCHOOL,
            "on_roll": world.on_roll,
            "class": world.class_group,
            "class_size": len(world.class_pupils),
            "signed_in_as": "its leader",
        },
        "targets": {"page_loads": MAX_LOADS, "submissions": MAX_SUBMISSIONS, "lookup_ms": 50},
        "tasks": measured,
        "lookup_ms": tasks_lookup.as_json(lookup),
    }
    TASKS_JSON.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    print(f"  wrote {TASKS_JSON.relative_to(ROOT)}:\n\n{tasks_report.markdown(data)}\n")
