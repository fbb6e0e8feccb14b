"""bench/tasks.json as the Markdown table docs/performance.md shows (printed after each run;
`python -m bench.tasks_report` prints it again)."""

import json
from typing import Any

from school_tracker import ROOT

WAYS = (
    ("today", "today"),
    ("new", "new"),
    ("new_everyone", "new, 'everyone'"),
    ("new_picker", "new, in the picker"),
)
HEAD = (
    "| task | way | page loads | POSTs | keystrokes | clicks | wall time | how |\n"
    "| --- | --- | --- | --- | --- | --- | --- | --- |"
)


def _cells(way: dict[str, Any]) -> str:
    if "page_loads" not in way:
        return f"{way.get('status', 'pending')} | – | – | – | – "
    wall = f"{way['wall_seconds']:.1f} s"
    if way.get("background_requests"):
        count = way["background_requests"]
        wall += f" ({count} lookup{'' if count == 1 else 's'})"
    return (
        f"{way['page_loads']} | {way['submissions']} | {way['keystrokes']:,} | "
        f"{way['clicks']} | {wall}"
    )


def _how(way: dict[str, Any]) -> str:
    how = str(way.get("how", ""))
    if way.get("carried"):
        how += f" (carried from {way.get('measured_at', 'an earlier run')}: {way['carried']})"
    elif way.get("why"):
        how += f" ({way['why']})"
    return how


def markdown(data: dict[str, Any]) -> str:
    """One row per way of doing each task, today's first."""
    lines = [HEAD]
    for task in data["tasks"]:
        for key, name in WAYS:
            way = task.get(key)
            if way is not None:
                lines.append(f"| {task['task']} | {name} | {_cells(way)} | {_how(way)} |")
    lookup = data.get("lookup_ms", {})
    if "median" in lookup:
        lines.append(
            f"\nPupil lookup (`GET /pupils/lookup?q=` 3 letters, {data['school']['on_roll']:,} "
            f"on roll, {lookup['calls']} calls): median {lookup['median']} ms, "
            f"p95 {lookup['p95']} ms, {lookup['queries_per_call']} queries a call "
            f"(target ≤ {lookup['target']} ms median)."
        )
    else:
        lines.append(f"\nPupil lookup: {lookup.get('why', 'pending')}.")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown(json.loads((ROOT / "bench" / "tasks.json").read_text())))
