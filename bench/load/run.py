"""`make load`: 50 staff for 60 s against gunicorn (4 workers) on 127.0.0.1; nothing may be lost.

Two runs per engine: the staff alone, then the staff while a leader downloads the whole-year
named export every 10 s (issue 11: a long audited read must never make a writer fail).

For SQLite (a copy of the bench's cached trust database) and for PostgreSQL when
BENCH_DATABASE_URL is set (a clone of it): start gunicorn on a free 127.0.0.1 port with
rate limits in Redis (db 15), run Locust headless and bounded, stop gunicorn, then count
every acknowledged write in the database. Exits 1 on any error or any lost write.

The sign-in throttle allows 20 attempts a minute per address; every simulated person signs
in from 127.0.0.1, so the load config raises it (SCHOOL_TRACKER_LOGIN_LIMIT_PER_ADDRESS, read
by the app factory's prefixed-environment config). The per-account limit stays as it is.
"""

import argparse
import csv
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import sqlalchemy as sa

from bench import dataset
from school_tracker import ROOT
from school_tracker.calendar.term_dates import calendar_for
from school_tracker.calendar.terms import school_today
from school_tracker.demo.school import DEMO_PASSWORD
from school_tracker.extensions import db
from school_tracker.models import (
    KindnessMoment,
    MentoringPairing,
    MentoringSession,
    MentorKind,
    PairingStatus,
    Role,
    School,
    User,
)

HOST = "127.0.0.1"
USERS, SPAWN_RATE, DURATION = 50, 10, "60s"
WORKERS = 4
REDIS_URL = "redis://127.0.0.1:6379/15"
RESULTS = ROOT / "bench" / "load_results.json"
BIN = Path(sys.executable).parent


def free_port() -> int:
    """A port nothing listens on, on the loopback address."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def accounts(url: str, count: int = USERS) -> list[dict]:
    """Distinct staff (outside the demo school, so they have the demo password) who each
    mentor an active pairing they can log sessions on."""
    app = dataset.bench_app(url)
    with app.app_context():
        rows = db.session.execute(
            sa.select(User.email, sa.func.min(MentoringPairing.id))
            .join(MentoringPairing, MentoringPairing.mentor_user_id == User.id)
            .join(School, School.id == User.school_id)
            .where(
                User.role == Role.STAFF,
                School.slug != "demo",
                MentoringPairing.mentor_kind == MentorKind.STAFF,
                MentoringPairing.status == PairingStatus.ACTIVE,
            )
            .group_by(User.email)
            .order_by(User.email)
            .limit(count)
        ).all()
        db.session.remove()
        db.engine.dispose()
    if len(rows) < count:
        raise SystemExit(f"only {len(rows)} staff mentor an active pairing; need {count}")
    return [{"email": email, "pairing_id": pairing} for email, pairing in rows]


def export_leader(url: str) -> dict:
    """A leader (demo password, no second factor) of the school with the most kindness
    moments, and the current term, whose whole year they will download again and again."""
    app = dataset.bench_app(url)
    with app.app_context():
        busiest = (
            sa.select(KindnessMoment.school_id)
            .join(School, School.id == KindnessMoment.school_id)
            .where(School.slug != "demo")
            .group_by(KindnessMoment.school_id)
            .order_by(sa.func.count().desc())
            .limit(1)
            .scalar_subquery()
        )
        email, school_id = db.session.execute(
            sa.select(User.email, User.school_id)
            .where(
                User.role == Role.LEADER,
                User.school_id == busiest,
                User.active.is_(True),
                User.totp_secret_encrypted.is_(None),
            )
            .order_by(User.email)
            .limit(1)
        ).one()
        term = calendar_for(school_id).term_for(school_today()).key
        db.session.remove()
        db.engine.dispose()
    return {"email": email, "term": term}


def flush_rate_limits() -> None:
    """Start from empty limit counters (db 15 is the load test's own Redis database)."""
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def start_gunicorn(url: str, port: int, log: Path) -> subprocess.Popen:
    """gunicorn with 4 sync workers on 127.0.0.1 only; returns once /healthz answers."""
    env = {
        **os.environ,
        "APP_ENV": "development",
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "SCHOOL_TRACKER_LOGIN_LIMIT_PER_ADDRESS": "1000 per minute",
        "LOG_LEVEL": "WARNING",
    }
    handle = log.open("w")
    process = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "--workers",
            str(WORKERS),
            "--bind",
            f"{HOST}:{port}",
            "--timeout",
            "60",
            "--graceful-timeout",
            "10",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited early; see {log}")
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return process
        except OSError:
            time.sleep(0.5)
    stop(process)
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


def stop(process: subprocess.Popen) -> None:
    """Ask gunicorn to finish (SIGTERM: in-flight requests complete), then make sure."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run_locust(
    port: int, workdir: Path, users: list[dict], run_id: str, leader: dict | None
) -> Path:
    """Locust headless and bounded (users, spawn rate, duration); returns the acks file.

    With a leader, one more simulated person (the Leader class) downloads the export.
    """
    acks = workdir / "acks.json"
    classes = ["Staff", "Leader"] if leader else ["Staff"]
    env = {
        **os.environ,
        "LOAD_LEADER": json.dumps(leader or {}),
        "LOAD_ACCOUNTS": json.dumps(users),
        "LOAD_PASSWORD": DEMO_PASSWORD,
        "LOAD_RUN_ID": run_id,
        "LOAD_ACKS_FILE": str(acks),
    }
    subprocess.run(  # noqa: S603 - our own venv's locust, fixed arguments
        [
            str(BIN / "locust"),
            "-f",
            str(ROOT / "bench" / "load" / "locustfile.py"),
            "--headless",
            "--users",
            str(USERS + (1 if leader else 0)),
            "--spawn-rate",
            str(SPAWN_RATE),
            "--run-time",
            DURATION,
            "--stop-timeout",
            "10",
            "--host",
            f"http://{HOST}:{port}",
            "--csv",
            str(workdir / "stats"),
            "--only-summary",
            "--exit-code-on-error",
            "0",
            "--loglevel",
            "WARNING",
            *classes,
        ],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=180,
    )
    return acks


def read_stats(workdir: Path) -> tuple[dict, list[dict]]:
    """The aggregated line and the per-endpoint lines of Locust's CSV."""
    with (workdir / "stats_stats.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    return total, [r for r in rows if r["Name"] != "Aggregated"]


def read_failures(workdir: Path) -> list[dict]:
    """Locust's failures: which request, why, how often."""
    path = workdir / "stats_failures.csv"
    if not path.exists():
        return []
    with path.open(newline="") as handle:
        return [
            {
                "request": f"{r['Method']} {r['Name']}",
                "error": r["Error"],
                "count": int(r["Occurrences"]),
            }
            for r in csv.DictReader(handle)
        ]


def count_writes(url: str, run_id: str, acked: list[dict]) -> dict:
    """Acknowledged writes found in the database (by their unique markers), and any missing."""
    app = dataset.bench_app(url)
    like = f"%[load-{run_id}-%"
    with app.app_context():
        texts = list(
            db.session.scalars(
                sa.select(MentoringSession.activities).where(MentoringSession.activities.like(like))
            )
        )
        texts += list(
            db.session.scalars(
                sa.select(KindnessMoment.description).where(KindnessMoment.description.like(like))
            )
        )
        db.session.remove()
        db.engine.dispose()
    stored = {text.rsplit("[", 1)[1].rstrip("]") for text in texts}
    markers = {ack["marker"] for ack in acked}
    return {
        "acknowledged": len(markers),
        "found": len(markers & stored),
        "lost": sorted(markers - stored),
        "stored_not_acknowledged": len(stored - markers),
    }


def load_one(engine: str, url: str, with_export: bool = False) -> dict:
    """The whole load test on one engine; returns its summary."""
    data = dataset.ensure(engine, url)
    run_url = dataset.working_copy(data)
    run_id = secrets.token_hex(4)
    users = accounts(run_url)
    leader = export_leader(run_url) if with_export else None
    flush_rate_limits()
    with tempfile.TemporaryDirectory(prefix="load-") as tmp:
        workdir = Path(tmp)
        port = free_port()
        extra = f" + a leader's whole-year export every 10 s ({leader['term']})" if leader else ""
        print(
            f"{engine}: gunicorn x{WORKERS} on {HOST}:{port}; Locust {USERS} users{extra}, "
            f"{DURATION}"
        )
        server = start_gunicorn(run_url, port, workdir / "gunicorn.log")
        try:
            acks = run_locust(port, workdir, users, run_id, leader)
        finally:
            stop(server)
        total, endpoints = read_stats(workdir)
        failures = read_failures(workdir)
        acked = json.loads(acks.read_text()) if acks.exists() else []
        server_log = (workdir / "gunicorn.log").read_text()
    writes = count_writes(run_url, run_id, acked)
    if writes["lost"]:
        lost = set(writes["lost"])
        writes["lost_detail"] = [ack for ack in acked if ack["marker"] in lost]
        print(f"Kept {run_url} to look at the lost writes.")
    else:
        dataset.discard(data, run_url)
    summary = {
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "throughput_rps": round(float(total["Requests/s"]), 1),
        "median_ms": float(total["Median Response Time"]),
        "p95_ms": float(total["95%"]),
        "max_ms": round(float(total["Max Response Time"])),
        "endpoints": {
            r["Name"] + (f" {r['Type']}" if r["Type"] != "GET" else ""): {
                "requests": int(r["Request Count"]),
                "failures": int(r["Failure Count"]),
                "p95_ms": float(r["95%"]),
                "max_ms": round(float(r["Max Response Time"])),
            }
            for r in endpoints
        },
        "writes": writes,
        "failure_detail": failures,
        # The app logs a failed database call as "database unavailable" (and answers 503).
        "database_locked_in_log": server_log.count("database is locked")
        + server_log.count("database unavailable"),
        "server_errors_in_log": server_log.count("Traceback"),
    }
    return summary


def print_summary(engine: str, s: dict) -> None:
    """A few readable lines per engine."""
    w = s["writes"]
    print(
        f"\n== {engine} == {s['requests']} requests, {s['throughput_rps']} req/s, "
        f"median {s['median_ms']:.0f} ms, p95 {s['p95_ms']:.0f} ms, max {s['max_ms']} ms, "
        f"{s['failures']} errors"
    )
    for name, e in sorted(s["endpoints"].items()):
        print(
            f"  {name:42} {e['requests']:6}  p95 {e['p95_ms']:6.0f} ms  "
            f"max {e['max_ms']:6} ms  errors {e['failures']}"
        )
    for failure in s["failure_detail"]:
        print(f"  ERROR {failure['count']} x {failure['request']}: {failure['error']}")
    print(
        f"  writes acknowledged {w['acknowledged']}, found in the database {w['found']}, "
        f"lost {len(w['lost'])}; 'database is locked' in the server log: "
        f"{s['database_locked_in_log']}; tracebacks: {s['server_errors_in_log']}"
    )


def main(argv: list[str] | None = None) -> int:
    """SQLite, then PostgreSQL when BENCH_DATABASE_URL is set; 0 only if nothing failed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engine", choices=("sqlite", "postgresql"))
    parser.add_argument(
        "--run",
        choices=("staff", "export"),
        help="only the staff run, or only the run with a leader's whole-year export",
    )
    args = parser.parse_args(argv)
    engines = [("sqlite", f"sqlite:///{dataset.SQLITE_CACHE}")]
    if os.environ.get("BENCH_DATABASE_URL"):
        engines.append(("postgresql", os.environ["BENCH_DATABASE_URL"]))
    results, bad = {}, 0
    for engine, url in engines:
        if args.engine not in (None, engine):
            continue
        for run, with_export in (("staff", False), ("export", True)):
            if args.run not in (None, run):
                continue
            name = f"{engine} with the whole-year export" if with_export else engine
            results[name] = summary = load_one(engine, url, with_export)
            print_summary(name, summary)
            bad += summary["failures"] + len(summary["writes"]["lost"])
            bad += summary["database_locked_in_log"] + summary["server_errors_in_log"]
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    print(f"\nWrote {RESULTS.relative_to(ROOT)}.")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
