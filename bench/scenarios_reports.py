"""Bench scenarios for the governors' summary PDF and the trust workbook (issue 15 items 8, 9).

Each is a download through the test client, as the person who would take it, timed like the
governors' workbook in scenarios.py and set beside the same hand-written SQL floor.
"""

import time
from tempfile import TemporaryFile

from bench import floors_xlsx
from bench.measure import RssPeak, Timings, repeat
from bench.scenarios import LARGEST, Bench, Result


def governors_summary(bench: Bench) -> Result:
    """The governors' summary PDF for the largest school and the current term."""
    client = bench.client(f"leader@{LARGEST}.school")
    path = f"/reports/governors.pdf?term={bench.term.key}"
    timings = repeat(lambda: bench.get(client, path), 5, warmup=1)
    queries, _ = bench.count_and_capture(lambda: bench.get(client, path))
    with RssPeak() as rss:
        bench.get(client, path)
    # Layout is pure CPU in this process: its CPU time says what a quiet machine would take,
    # where the wall clock also counts whatever else shares the cores.
    started = time.process_time()
    bench.get(client, path)
    cpu = time.process_time() - started
    school_id = bench.school_ids[LARGEST]
    floor = bench.dashboard_floor([(school_id, bench.terms_for(school_id, 6))], 5)
    return Result(
        "governors_summary",
        "Governors' summary PDF",
        timings,
        queries,
        3.0,
        "≤ 3 s",
        floor,
        "hand SQL (the layout has no cheaper equivalent)",
        rss_growth=rss.growth,
        note=f"one download took {cpu:.2f} s of CPU",
    )


def trust_workbook(bench: Bench) -> Result:
    """The trust workbook: every school side by side, as the trust leader downloads it."""
    client = bench.client("trust.leader@demo.school")
    path = f"/reports/trust.xlsx?term={bench.term.key}"
    body = bench.get(client, path).data
    timings = repeat(lambda: bench.get(client, path), 5, warmup=1)
    queries, _ = bench.count_and_capture(lambda: bench.get(client, path))
    shapes = floors_xlsx.sheet_shapes(body)
    sql_floor = bench.dashboard_floor(
        [(sid, bench.terms_for(sid, 2)) for sid in bench.school_ids.values()], 5
    )

    def write_floor() -> None:
        with TemporaryFile() as out:
            floors_xlsx.write_plain(shapes, out)

    xlsx_floor = repeat(write_floor, 5)
    floor = Timings([s + x for s, x in zip(sql_floor.runs, xlsx_floor.runs, strict=True)])
    return Result(
        "trust_workbook",
        f"Trust workbook, {len(bench.school_ids)} schools ({len(shapes)} sheets)",
        timings,
        queries,
        5.0,
        "≤ 5 s",
        floor,
        "hand SQL + write-only cells",
    )
