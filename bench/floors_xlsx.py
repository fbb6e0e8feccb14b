"""Spreadsheet floors: openpyxl's write-only mode writing the same cells as plain values."""

from io import BytesIO
from typing import IO

from openpyxl import Workbook, load_workbook


def sheet_shapes(data: bytes | IO[bytes]) -> list[tuple[str, int, int]]:
    """(sheet title, rows, columns) of a workbook, read in read-only mode."""
    wb = load_workbook(BytesIO(data) if isinstance(data, bytes) else data, read_only=True)
    shapes = []
    try:
        for ws in wb.worksheets:
            # Write-only files carry no dimension record: count the rows themselves.
            ws.reset_dimensions()
            ws.calculate_dimension(force=True)
            shapes.append((ws.title, ws.max_row or 0, ws.max_column or 0))
    finally:
        wb.close()
    return shapes


def write_plain(shapes: list[tuple[str, int, int]], out: IO[bytes]) -> int:
    """Write the same rows × columns per sheet with plain values (text, then numbers)."""
    wb = Workbook(write_only=True)
    cells = 0
    for title, rows, cols in shapes:
        ws = wb.create_sheet(title)
        text_cols = max(1, cols // 2)
        for r in range(rows):
            ws.append([f"text {r}" if c < text_cols else r * c for c in range(cols)])
        cells += rows * cols
    wb.save(out)
    return cells
