"""The pupil lookup's server time: `GET /pupils/lookup?q=<3 letters>` on a 1,500-pupil roll.

The Flask test client as the school's leader, 60 calls cycling through the commonest
three-letter surname openings at the school (so the answers are full, up to 20 pupils), and
the SQL of one call replayed raw as its floor.
"""

from itertools import cycle
from typing import Any

import sqlalchemy as sa

from bench import floors_sql
from bench.measure import repeat
from bench.scenarios import MS, Bench, Result
from bench.tasks_setup import LEADER, TaskWorld
from school_tracker.extensions import db
from school_tracker.models import Pupil

CALLS, PREFIXES = 60, 12
TARGET = 50 * MS
PENDING = "the pupil lookup: /pupils/lookup is not built yet"


def _prefixes(bench: Bench, world: TaskWorld) -> list[str]:
    opening = sa.func.lower(sa.func.substr(Pupil.legal_surname, 1, 3))
    with bench.app.app_context():
        rows = db.session.scalars(
            sa.select(opening)
            .where(Pupil.school_id == world.school_id, Pupil.leaving_date.is_(None))
            .group_by(opening)
            .order_by(sa.func.count().desc(), opening)
            .limit(PREFIXES)
        ).all()
        db.session.remove()
    return [world.find_letters, *(r for r in rows if len(r) == 3 and r.isalpha())]


def server_time(bench: Bench, world: TaskWorld) -> Result | None:
    """The lookup's timings, or None (and a line saying so) while it is not built."""
    client = bench.client(LEADER)
    prefixes = _prefixes(bench, world)
    if client.get(f"/pupils/lookup?q={prefixes[0]}").status_code == 404:
        print(f"  PENDING {PENDING}")
        return None
    asked = cycle(prefixes)

    def call() -> None:
        response = client.get(f"/pupils/lookup?q={next(asked)}")
        if response.status_code != 200 or not isinstance(response.get_json(), list):
            raise RuntimeError(f"the pupil lookup gave {response.status_code}")

    timings = repeat(call, CALLS, warmup=len(prefixes))
    queries, statements = bench.count_and_capture(call)
    floor = repeat(lambda: floors_sql.replay(bench.engine, statements), CALLS)
    return Result(
        "pupil_lookup",
        f"Pupil lookup, 3 letters, {world.on_roll:,} on roll",
        timings,
        queries,
        TARGET,
        "≤ 50 ms median",
        floor,
        "replayed SQL",
    )


def as_json(result: Result | None) -> dict[str, Any]:
    """The lookup's figures for tasks.json (results.json has them too, from the report)."""
    if result is None:
        return {"status": "pending", "why": PENDING}
    return {
        "median": round(result.timings.median * 1000, 1),
        "p95": round(result.timings.p95 * 1000, 1),
        "calls": len(result.timings.runs),
        "queries_per_call": result.queries,
        "floor_median": round(result.floor.median * 1000, 2) if result.floor else None,
        "target": 50,
    }
