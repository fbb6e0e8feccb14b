"""The governors' termly workbook: anonymised and suppressed."""
