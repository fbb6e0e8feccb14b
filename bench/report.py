"""The bench's printed table and `bench/results.json`."""

import json
from pathlib import Path

from bench.scenarios import Result

MB = 1024 * 1024


def _time(seconds: float, heavy: bool) -> str:
    return f"{seconds:.2f} s" if heavy else f"{seconds * 1000:.1f} ms"


def _is_heavy(result: Result) -> bool:
    return (result.target or 0) >= 1


def table(engine: str, results: list[Result]) -> str:
    """A fixed-width table, one line per measure."""
    head = (
        f"{'Measure':46} {'median':>9} {'p95':>9} {'target':>28} {'floor':>9} "
        f"{'x floor':>7} {'SQL':>5} {'RSS +MB':>8}  ok"
    )
    lines = [f"== {engine} ==", head, "-" * len(head)]
    for r in results:
        heavy = _is_heavy(r)
        floor = _time(r.floor.median, heavy) if r.floor else "-"
        ratio = f"{r.floor_ratio:.1f}" if r.floor_ratio is not None else "-"
        rss = f"{r.rss_growth / MB:.0f}" if r.rss_growth is not None else "-"
        queries = str(r.queries) if r.queries is not None else "-"
        lines.append(
            f"{r.label[:46]:46} {_time(r.timings.median, heavy):>9} "
            f"{_time(r.timings.p95, heavy):>9} "
            f"{r.target_note[:28]:>28} {floor:>9} {ratio:>7} {queries:>5} {rss:>8}  "
            f"{'yes' if r.meets_target else 'NO'}"
        )
    notes = sorted({f"{r.label}: floor = {r.floor_kind}" for r in results if r.floor})
    lines.append("")
    lines.append(
        "Floors (same run, raw DB-API / openpyxl): "
        + "; ".join(sorted({r.floor_kind for r in results if r.floor}))
    )
    lines += [f"NOTE {r.label}: {r.note}" for r in results if r.note]
    del notes
    lines.append(
        "RSS growth: peak resident memory during the run minus before it "
        "(/proc/self/statm sampled every 5 ms)."
    )
    return "\n".join(lines)


def metrics(engine: str, results: list[Result], build_seconds: float | None) -> dict:
    """{"engine.measure.stat": {"value", "unit", "target", "floor_ratio"}}."""
    out: dict[str, dict] = {}
    for r in results:
        heavy = _is_heavy(r)
        scale, unit = (1, "s") if heavy else (1000, "ms")
        target = None if r.target is None else round(r.target * scale, 3)
        base = f"{engine}.{r.key}"
        p95_ratio = r.timings.p95 / r.floor.p95 if r.floor and r.floor.p95 > 0 else None
        out[f"{base}.median"] = {
            "value": round(r.timings.median * scale, 3),
            "unit": unit,
            "target": target,
            "floor_ratio": None if r.floor_ratio is None else round(r.floor_ratio, 2),
        }
        out[f"{base}.p95"] = {
            "value": round(r.timings.p95 * scale, 3),
            "unit": unit,
            "target": None,
            "floor_ratio": None if p95_ratio is None else round(p95_ratio, 2),
        }
        if r.floor is not None:
            out[f"{base}.floor_median"] = {
                "value": round(r.floor.median * scale, 3),
                "unit": unit,
                "target": None,
                "floor_ratio": 1.0,
            }
        if r.queries is not None:
            out[f"{base}.queries"] = {
                "value": r.queries,
                "unit": "queries",
                "target": "bounded" if r.key.startswith("dashboard") else None,
                "floor_ratio": None,
            }
        if r.rss_growth is not None:
            out[f"{base}.rss_growth"] = {
                "value": round(r.rss_growth / MB, 1),
                "unit": "MB",
                "target": None if r.rss_target is None else round(r.rss_target / MB),
                "floor_ratio": None,
            }
    if build_seconds is not None:
        out[f"{engine}.seed_trust.build"] = {
            "value": round(build_seconds, 1),
            "unit": "s",
            "target": 300,
            "floor_ratio": None,
        }
    return out


def write_json(path: Path, data: dict) -> None:
    """Write the metrics, sorted, with a trailing newline."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
