"""The trust workbook: every school of a trust side by side, anonymised and suppressed."""
