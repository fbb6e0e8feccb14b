"""Spreadsheet cell safety shared by every export: workbooks and CSV downloads (R44-R46).

Spreadsheet programs turn text starting with "=", "+", "-" or "@" (or a tab or line break)
into a live formula, and text starting with "#" into an error value. Workbooks store such
text as an inline string with a quote prefix (reports/xlsx.py); a CSV file has no types, so
`csv_text` puts a visible apostrophe in front, as spreadsheet programs themselves do.
"""

import re

MAX_CELL_TEXT = 32_767
TRUNCATION_MARKER = " [truncated]"
TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
# Every Excel error literal (#REF!, #N/A, #SPILL!...) starts with "#": typed into a cell it
# becomes an error value, so text like that is quote-prefixed too (the prefix is invisible).
ERROR_LEAD = "#"
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def clean_text(value: object) -> str:
    """Text Excel will accept: no illegal control characters, truncated with a marker."""
    text = _ILLEGAL.sub("", str(value))
    if len(text) > MAX_CELL_TEXT:
        text = text[: MAX_CELL_TEXT - len(TRUNCATION_MARKER)] + TRUNCATION_MARKER
    return text


def starts_like_a_formula(text: str) -> bool:
    """Whether a spreadsheet would read this text as a formula or an error value."""
    return text.startswith((*TRIGGERS, ERROR_LEAD))


def csv_text(value: object) -> str:
    """Text for a CSV cell that no spreadsheet will evaluate."""
    text = clean_text(value)
    return "'" + text if starts_like_a_formula(text) else text
