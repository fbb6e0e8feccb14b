"""Governors' workbook, leaders' named export and the pieces they share."""
