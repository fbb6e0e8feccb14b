"""Bench scenarios for the dashboard's sections (issue 15 item 1): each ≤ 100 ms.

The summary itself is `scenarios.dashboard` (the page at /dashboard/). Each section is opened
as the largest school's leader, for the current term, with its drill-down links, as it is
used; a section's queries do not grow with the data (its figures are one statement each).
"""

from bench.measure import repeat
from bench.scenarios import LARGEST, MS, PAGE_RUNS, Bench, Result
from school_tracker.dashboard.sections import SECTIONS


def sections(bench: Bench) -> list[Result]:
    """Every section of the largest school's dashboard, and one table of it as CSV."""
    client = bench.client(f"leader@{LARGEST}.school")
    results = []
    for key in SECTIONS:
        path = f"/dashboard/{key}?term={bench.term.key}"
        timings = repeat(lambda path=path: bench.get(client, path), PAGE_RUNS, warmup=2)
        queries, _ = bench.count_and_capture(lambda path=path: bench.get(client, path))
        results.append(
            Result(
                f"dashboard_section_{key}",
                f"Dashboard section {key}, {LARGEST}",
                timings,
                queries,
                100 * MS,
                "≤ 100 ms, bounded queries",
                None,
                "",
            )
        )
    path = f"/dashboard/impact?term={bench.term.key}&format=csv&table=impact_value"
    timings = repeat(lambda: bench.get(client, path), PAGE_RUNS, warmup=2)
    queries, _ = bench.count_and_capture(lambda: bench.get(client, path))
    results.append(
        Result(
            "dashboard_csv_impact",
            f"Dashboard CSV (impact by type), {LARGEST}",
            timings,
            queries,
            100 * MS,
            "≤ 100 ms",
            None,
            "",
        )
    )
    return results
