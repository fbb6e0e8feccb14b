"""Small-number suppression for governors' figures (docs/design.md section 8, R47).

Primary: a count of pupils from 1 to the threshold is hidden. Secondary: wherever a published
total would let a reader work a hidden cell back out (a line with exactly one hidden cell),
the smallest other non-zero cell in that line is hidden too; if none is left, the total is
hidden. This repeats over rows and columns until nothing changes. Zero stays 0: it reveals
nothing about a child.
"""

from dataclasses import dataclass

SUPPRESSED = "[c]"


@dataclass
class SuppressedTable:
    """A grid of pupil counts with its totals; None marks a hidden value."""

    cells: list[list[int | None]]
    row_totals: list[int | None]
    column_totals: list[int | None]
    grand_total: int | None


def is_small(count: int, threshold: int) -> bool:
    """A count that could identify a child: 1..threshold."""
    return 1 <= count <= threshold


def _protect_line(
    values: list[int], hidden: list[bool], total_hidden: bool
) -> tuple[int | None, bool]:
    """For one line with a published total: the index to hide next, or whether to hide the total."""
    if total_hidden or sum(hidden) != 1:
        return None, False
    candidates = [i for i, v in enumerate(values) if not hidden[i] and v > 0]
    if not candidates:
        return None, True  # the lone hidden cell equals the total: hide the total
    return min(candidates, key=lambda i: (values[i], i)), False


def suppress_table(
    cells: list[list[int]], threshold: int, *, with_totals: bool = True
) -> SuppressedTable:
    """Suppress a rows × columns grid of pupil counts and its row, column and grand totals."""
    rows, cols = len(cells), len(cells[0]) if cells else 0
    hidden = [[is_small(v, threshold) for v in row] for row in cells]
    row_sums = [sum(row) for row in cells]
    col_sums = [sum(cells[r][c] for r in range(rows)) for c in range(cols)]
    grand = sum(row_sums)
    grand_hidden = is_small(grand, threshold)
    row_total_hidden = [is_small(t, threshold) for t in row_sums]
    col_total_hidden = [is_small(t, threshold) for t in col_sums]
    changed = with_totals
    while changed:
        changed = False
        for r in range(rows):
            index, hide_total = _protect_line(cells[r], hidden[r], row_total_hidden[r])
            if index is not None:
                hidden[r][index] = changed = True
            elif hide_total and not row_total_hidden[r]:
                row_total_hidden[r] = changed = True
        for c in range(cols):
            column = [cells[r][c] for r in range(rows)]
            flags = [hidden[r][c] for r in range(rows)]
            index, hide_total = _protect_line(column, flags, col_total_hidden[c])
            if index is not None:
                hidden[index][c] = changed = True
            elif hide_total and not col_total_hidden[c]:
                col_total_hidden[c] = changed = True
        # The whole grid against the grand total is a line too.
        flat = [cells[r][c] for r in range(rows) for c in range(cols)]
        flat_hidden = [hidden[r][c] for r in range(rows) for c in range(cols)]
        index, hide_grand = _protect_line(flat, flat_hidden, grand_hidden)
        if index is not None:
            hidden[index // cols][index % cols] = changed = True
        elif hide_grand and not grand_hidden:
            grand_hidden = changed = True
        # Row totals against the grand total form a line of their own, as do column totals.
        for totals, flags_list in ((row_sums, row_total_hidden), (col_sums, col_total_hidden)):
            index, hide_grand = _protect_line(totals, flags_list, grand_hidden)
            if index is not None:
                flags_list[index] = changed = True
            elif hide_grand and not grand_hidden:
                grand_hidden = changed = True
    return SuppressedTable(
        cells=[[None if hidden[r][c] else cells[r][c] for c in range(cols)] for r in range(rows)],
        row_totals=[None if row_total_hidden[r] else row_sums[r] for r in range(rows)],
        column_totals=[None if col_total_hidden[c] else col_sums[c] for c in range(cols)],
        grand_total=None if grand_hidden else grand,
    )


def suppress_list(counts: list[int], threshold: int) -> tuple[list[int | None], int | None]:
    """Suppress a single line of counts and its total."""
    table = suppress_table([counts], threshold)
    return table.cells[0], table.row_totals[0]


def suppress_count(count: int, threshold: int) -> int | None:
    """A lone count with no total beside it."""
    return None if is_small(count, threshold) else count


def safe_percentage(numerator: float | None, base: float | None, threshold: int) -> float | None:
    """A percentage only when both parts are published and the base is above the threshold."""
    if numerator is None or base is None or base <= threshold:
        return None
    return round(100 * numerator / base, 1)


def display(value: int | float | None) -> int | float | str:
    """The cell value to publish: the number, or the [c] symbol."""
    return SUPPRESSED if value is None else value
