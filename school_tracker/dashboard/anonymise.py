"""The governors' (and trust's) version of the dashboard: small counts suppressed.

Counts of pupils and of pupil records from 1 to the threshold become None (shown "[c]"),
with secondary suppression where rows add up to a published total; a percentage is shown
only when its count and base are published and the base is above the threshold; a gap or a
cost per pupil built on a hidden number is hidden too. Hours and total cost are not counts
of children and stay. Drill-down links are dropped.
"""

import copy

from school_tracker.dashboard.figures import Dashboard, FigureRow, FigureTable
from school_tracker.privacy.suppression import safe_percentage, suppress_count, suppress_list

COUNT_UNITS = {"pupils", "records"}


def _suppress_counts(table: FigureTable, threshold: int) -> None:
    rows = [row for row in table.rows if row.unit in COUNT_UNITS]
    if table.additive and rows:
        *parts, total = rows
        part_values = [list(row.values) for row in parts]
        total_values = list(total.values)
        for idx in range(len(total_values)):
            cells, published_total = suppress_list(
                [int(values[idx] or 0) for values in part_values], threshold
            )
            for values, value in zip(part_values, cells, strict=True):
                values[idx] = value
            total_values[idx] = published_total
        for row, values in zip(parts, part_values, strict=True):
            row.values = values
        total.values = total_values
        return
    for row in rows:
        row.values = [None if v is None else suppress_count(int(v), threshold) for v in row.values]


def _rates(
    table: FigureTable,
    counts: dict[str, FigureRow],
    threshold: int,
    hit_prefix: str,
    base_prefix: str,
) -> None:
    for row in table.rows:
        if row.unit != "percent":
            continue
        key = row.key.split(":", 1)[-1]
        hit, base = counts.get(f"{hit_prefix}{key}"), counts.get(f"{base_prefix}{key}")
        if hit is None or base is None:
            row.values = [None] * len(row.values)
            continue
        row.values = [
            safe_percentage(h, b, threshold) for h, b in zip(hit.values, base.values, strict=True)
        ]


def anonymise(dashboard: Dashboard, threshold: int) -> Dashboard:
    """A suppressed copy with no drill-down links."""
    safe = copy.deepcopy(dashboard)
    for table in safe.tables:
        for row in table.rows:
            row.drill = None
        _suppress_counts(table, threshold)
    gap, groups = safe.table("gap"), safe.table("groups")
    if gap is not None and groups is not None:
        _rates(gap, {row.key: row for row in groups.rows}, threshold, "reached:", "roll:")
        shares = {row.key: row.values for row in gap.rows if row.unit == "percent"}
        for row in gap.rows:
            if row.unit == "points":
                group = row.key.split(":", 1)[1]
                row.values = [
                    None if g is None or a is None else round(g - a, 1)
                    for g, a in zip(shares[group], shares["all"], strict=True)
                ]
    rates = safe.table("suspension_rates")
    if rates is not None:
        _rates(rates, {row.key: row for row in rates.rows}, threshold, "rate_hit:", "rate_base:")
    cost_table = safe.table("cost")
    if cost_table is not None:
        cost = {row.key: row for row in cost_table.rows}
        cost["cost:per_pupil"].values = [
            None if pupils is None or per is None else per
            for per, pupils in zip(
                cost["cost:per_pupil"].values, cost["cost:pupils"].values, strict=True
            )
        ]
    return safe
