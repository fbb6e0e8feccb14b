"""Governors' workbook, leaders' named export and the pieces they share (bp lives in views)."""
