"""`.venv/bin/python -m bench.run [--only KEYS [--record]] [--engine sqlite|postgresql]`.

Builds (once) and measures the trust dataset on SQLite, and on PostgreSQL when
BENCH_DATABASE_URL is set; prints a table per engine and writes bench/results.json.
Exits 1 if any target is missed.
"""

import argparse
import json
import os
import sys
from collections.abc import Callable

from bench import (
    dataset,
    report,
    scenarios,
    scenarios_dashboard,
    scenarios_mail,
    scenarios_reports,
    tasks,
)
from bench.scenarios import Bench, Result
from school_tracker import ROOT
from school_tracker.extensions import db

RESULTS = ROOT / "bench" / "results.json"
STEPS: dict[str, Callable[[Bench], Result | list[Result]]] = {
    "dashboard": lambda b: [
        scenarios.dashboard(b, "demo"),
        scenarios.dashboard(b, scenarios.LARGEST),
    ],
    "sections": scenarios_dashboard.sections,
    "trust": scenarios.trust,
    "lists": scenarios.list_pages,
    "timeline": scenarios.timeline,
    "intervention": scenarios.log_intervention,
    "workbook": scenarios.governors_workbook,
    "summary_pdf": scenarios_reports.governors_summary,
    "trust_workbook": scenarios_reports.trust_workbook,
    "export": scenarios.named_export,
    "import": scenarios.import_roll,
    "flag_mail": scenarios_mail.raise_flag_with_and_without_mail,
    "tasks": tasks.run_tasks,
}


def _engines(only: str | None) -> list[tuple[str, str]]:
    engines = [("sqlite", f"sqlite:///{dataset.SQLITE_CACHE}")]
    if os.environ.get("BENCH_DATABASE_URL"):
        engines.append(("postgresql", os.environ["BENCH_DATABASE_URL"]))
    return [e for e in engines if only in (None, e[0])]


def measure(engine: str, url: str, steps: list[str]) -> tuple[list[Result], float | None]:
    """Every chosen step on a throwaway copy of the engine's cached trust database."""
    data = dataset.ensure(engine, url)
    if data.build_seconds is not None:
        print(f"Built the trust dataset on {engine} in {data.build_seconds:.0f} s.")
    counts = dataset.describe(data)
    print(f"{engine}: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    run_url = dataset.working_copy(data)
    app = dataset.bench_app(run_url)
    results: list[Result] = []
    try:
        bench = Bench(app, data.seeded_on)
        print(f"Term {bench.term.key}; named export year from {bench.year_key}.")
        for step in steps:
            print(f"  measuring {step} ...", flush=True)
            made = STEPS[step](bench)
            results += made if isinstance(made, list) else [made]
        bench.log.close()
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        dataset.discard(data, run_url)
    return results, data.build_seconds


def main(argv: list[str] | None = None) -> int:
    """Run the bench; 0 when every target is met."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", help=f"comma-separated steps: {', '.join(STEPS)}")
    parser.add_argument("--engine", choices=("sqlite", "postgresql"))
    parser.add_argument(
        "--record",
        action="store_true",
        help="with --only: replace those steps' lines in bench/results.json, keeping the rest",
    )
    args = parser.parse_args(argv)
    steps = args.only.split(",") if args.only else list(STEPS)
    unknown = set(steps) - set(STEPS)
    if unknown:
        parser.error(f"unknown steps: {', '.join(sorted(unknown))}")
    metrics: dict[str, dict] = {}
    tables, missed = [], 0
    for engine, url in _engines(args.engine):
        results, built = measure(engine, url, steps)
        tables.append(report.table(engine, results))
        metrics.update(report.metrics(engine, results, built))
        missed += sum(not r.meets_target for r in results)
    print("\n\n".join(tables))
    if args.only is None and args.engine is None:
        report.write_json(RESULTS, metrics)
        print(f"\nWrote {RESULTS.relative_to(ROOT)}.")
    elif args.record:
        # A step added or re-measured on its own; every other line stays from the last full run.
        report.write_json(RESULTS, {**json.loads(RESULTS.read_text()), **metrics})
        print(f"\nUpdated {', '.join(steps)} in {RESULTS.relative_to(ROOT)}.")
    if missed:
        print(f"{missed} target(s) missed.")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
