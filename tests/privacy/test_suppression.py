"""Small-number suppression: no count 1..threshold shows, and no hidden cell can be recovered."""

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from school_tracker.privacy.suppression import (
    safe_percentage,
    suppress_count,
    suppress_list,
    suppress_table,
)

T = 5


def test_primary_suppression_keeps_zero():
    assert suppress_count(0, T) == 0
    assert suppress_count(3, T) is None
    assert suppress_count(5, T) is None
    assert suppress_count(6, T) == 6


def test_a_single_hidden_cell_gets_a_partner():
    cells, total = suppress_list([3, 10, 12, 40], T)
    assert cells == [None, None, 12, 40]  # 10 hidden too, else 65 - 62 = 3
    assert total == 65


def test_lone_hidden_cell_with_only_zeros_hides_the_total():
    cells, total = suppress_list([4, 0, 0], T)
    assert cells == [None, 0, 0] and total is None


@pytest.mark.requirement("R47")
def test_percentages_need_a_published_base_above_threshold():
    assert safe_percentage(None, 40, T) is None
    assert safe_percentage(10, 5, T) is None
    assert safe_percentage(10, 40, T) == 25.0


def _recoverable(table, cells) -> bool:
    """True if any hidden cell is the only unknown in a line with a published total."""
    rows, cols = len(cells), len(cells[0])
    lines = [([(r, c) for c in range(cols)], table.row_totals[r]) for r in range(rows)]
    lines += [([(r, c) for r in range(rows)], table.column_totals[c]) for c in range(cols)]
    for members, total in lines:
        if total is None:
            continue
        unknown = [(r, c) for r, c in members if table.cells[r][c] is None]
        if len(unknown) == 1:
            return True
    for totals in (table.row_totals, table.column_totals):
        if table.grand_total is not None and sum(t is None for t in totals) == 1:
            return True
    hidden_cells = sum(v is None for row in table.cells for v in row)
    return table.grand_total is not None and hidden_cells == 1


@pytest.mark.requirement("R47")
@settings(max_examples=600, deadline=None)
@given(
    st.integers(1, 5).flatmap(
        lambda rows: st.integers(1, 5).flatmap(
            lambda cols: st.lists(
                st.lists(
                    st.sampled_from([0, 0, 1, 2, 3, 4, 5, 6, 7, 9, 15, 40]),
                    min_size=cols,
                    max_size=cols,
                ),
                min_size=rows,
                max_size=rows,
            )
        )
    )
)
def test_no_small_count_shows_and_none_can_be_recovered(cells):
    table = suppress_table(cells, T)
    published = [v for row in table.cells for v in row] + table.row_totals + table.column_totals
    published.append(table.grand_total)
    assert all(v is None or v == 0 or v > T for v in published)
    assert not _recoverable(table, cells)
    for r, c in itertools.product(range(len(cells)), range(len(cells[0]))):
        assert table.cells[r][c] in (None, cells[r][c])
