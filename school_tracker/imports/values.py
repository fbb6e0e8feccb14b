"""Cell value converters for the roll import: one function per column kind, no database use.

Each converter takes a raw cell value (text from CSV, typed values from XLSX) and returns the
typed value or raises BadValue with a message meant for the person who made the file.
"""

import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime

from openpyxl.cell.cell import ERROR_CODES

from school_tracker.imports.upn import validate_upn
from school_tracker.models.pupil import Gender, PrimaryNeed, SenStatus, YearGroup

MAX_NAME_LENGTH = 100
MAX_REG_GROUP_LENGTH = 20  # the pupils.registration_group column size
FLAG_FIELDS = ("pupil_premium", "fsm", "eal", "looked_after", "young_carer")

_BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}
_DMY = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")
_ISO = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_CODED = re.compile(r"([A-Za-z]+)(?:\s*-\s*.*)?", re.DOTALL)
_YEAR_NUMBER = re.compile(r"(?:YEAR|YR|Y)?(0?[1-9]|1[0-3])")
_YEAR_WORDS = {
    "R": "R",
    "RECEPTION": "R",
    "YR": "R",
    "YEARR": "R",
    "N1": "N1",
    "N2": "N2",
    "NURSERY1": "N1",
    "NURSERY2": "N2",
}
_SEN_WORDS = {
    "nosen": SenStatus.NONE,
    "sensupport": SenStatus.SUPPORT,
    "ehcplan": SenStatus.EHC_PLAN,
    "ehcp": SenStatus.EHC_PLAN,
}
# Enough to tell an address from a name typed in the column; the account decides the rest.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
MAX_EMAIL_LENGTH = 254  # the users.email column size
_YES = {"yes", "y", "true", "t", "1"}
_NO = {"no", "n", "false", "f", "0", ""}
_GENDERS = {
    "f": Gender.FEMALE,
    "female": Gender.FEMALE,
    "m": Gender.MALE,
    "male": Gender.MALE,
    "": Gender.UNKNOWN,
    "u": Gender.UNKNOWN,
    "unknown": Gender.UNKNOWN,
}

# A cell is (value, openpyxl data type): "f" formula, "e" error, anything else a plain value.
Cell = tuple[object, str]


class BadValue(Exception):
    """A cell value that cannot be accepted; internal, always turned into a RowError."""


def _show(value: object) -> str:
    text = str(value)
    return repr(text if len(text) <= 40 else text[:40] + "…")


def _as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | datetime | date):
        raise BadValue("expected text here, not a date or true/false value")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return str(value)
    raise BadValue("expected text here")


def cell_problem(value: object, data_type: str) -> str | None:
    """Say why a cell must never be stored: a formula, an Excel error or a formula lookalike."""
    if data_type == "f":
        return "holds a formula; type the value itself (copy, then Paste Values)"
    text = value.strip() if isinstance(value, str) else None
    if data_type == "e" or (text is not None and text.upper() in ERROR_CODES):
        return f"holds the Excel error value {_show(value)}"
    if text and text[0] in "=+@":
        return f"begins with {text[0]!r}, which spreadsheets run as a formula"
    return None


def _text(value: object, *, required: bool, max_length: int) -> str | None:
    """NFC-normalise, tidy spaces and refuse invisible or control characters (R31)."""
    raw = unicodedata.normalize("NFC", _as_text(value))
    # Checked before spaces are tidied: str.split() would quietly turn tabs, line breaks and
    # the \x1c-\x1f separators into spaces instead of refusing them.
    for ch in raw:
        category = unicodedata.category(ch)
        if ch in _BIDI:
            raise BadValue(f"contains a hidden bidirectional control character (U+{ord(ch):04X})")
        if category == "Cf":
            raise BadValue(f"contains an invisible formatting character (U+{ord(ch):04X})")
        if category in ("Cc", "Cs", "Co", "Cn", "Zl", "Zp"):
            raise BadValue(f"contains a control or unprintable character (U+{ord(ch):04X})")
    text = " ".join(raw.split())
    if not text:
        if required:
            raise BadValue("is required")
        return None
    if text[0] == "-":
        # Hyphens inside names (Smith-Jones) are fine; no name starts with one, and "-2+3" is
        # the classic formula-injection payload.
        raise BadValue("begins with '-', which spreadsheets may run as a formula")
    if len(text) > max_length:
        raise BadValue(f"is {len(text)} characters long; the limit is {max_length}")
    return text


def _name(value: object, required: bool) -> str | None:
    return _text(value, required=required, max_length=MAX_NAME_LENGTH)


def _date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise BadValue("is a number, not a date; format the column as dates or use dd/mm/yyyy")
    text = _as_text(value).strip()
    if not text:
        return None
    try:
        if m := _DMY.fullmatch(text):
            return date(int(m[3]), int(m[2]), int(m[1]))
        if _ISO.fullmatch(text):
            return date.fromisoformat(text)
    except ValueError:
        raise BadValue(f"{_show(text)} is not a real date") from None
    raise BadValue(f"{_show(text)} is not a date; use dd/mm/yyyy or yyyy-mm-dd")


def _year(value: object) -> YearGroup:
    key = "".join(_as_text(value).split()).upper()
    if key in _YEAR_WORDS:
        return YearGroup(_YEAR_WORDS[key])
    if m := _YEAR_NUMBER.fullmatch(key):
        return YearGroup(str(int(m[1])))
    raise BadValue(
        f"{_show(value)} is not a year group; use N1, N2, Reception (R), or Year 1-13 "
        "written as Year 7, Y7 or 7"
    )


def _sen(value: object) -> SenStatus:
    text = _as_text(value).strip()
    if not text:
        return SenStatus.NONE
    m = _CODED.fullmatch(text)
    if m and m[1].upper() in ("N", "K", "E"):
        return SenStatus(m[1].upper())
    word = "".join(text.split()).casefold()
    if word in _SEN_WORDS:
        return _SEN_WORDS[word]
    raise BadValue(
        f"{_show(text)} is not a SEN status; use N, K or E (optionally followed by "
        "' - description'), No SEN, SEN Support or EHC Plan"
    )


def _need(value: object) -> PrimaryNeed | None:
    text = _as_text(value).strip()
    if not text:
        return None
    m = _CODED.fullmatch(text)
    codes = [n.value for n in PrimaryNeed]
    if m and m[1].upper() in codes:
        return PrimaryNeed(m[1].upper())
    raise BadValue(f"{_show(text)} is not a primary need code; use one of {', '.join(codes)}")


def _flag(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = _as_text(value).strip().casefold()
    if text in _YES or text in _NO:
        return text in _YES
    raise BadValue(
        f"{_show(value)} is not a yes/no value; use Yes/No, Y/N, True/False, T/F or "
        "1/0 (blank means No)"
    )


def _gender(value: object) -> Gender:
    text = " ".join(_as_text(value).split()).casefold()
    if text in _GENDERS:
        return _GENDERS[text]
    raise BadValue(f"{_show(value)} is not a gender; use F, M, Female, Male, or leave it blank")


def _required(value: object) -> object:
    if value is None:
        raise BadValue("is required")
    return value


def _upn(value: object) -> str:
    text = _as_text(value)
    if not text.strip():
        raise BadValue("is required")
    return validate_upn(text)


def _email(value: object) -> str | None:
    text = _text(value, required=False, max_length=MAX_EMAIL_LENGTH)
    if text is None:
        return None
    if not _EMAIL.fullmatch(text):
        raise BadValue(f"{_show(text)} is not an e-mail address; give the staff member's e-mail")
    return text.lower()


CONVERTERS: dict[str, Callable[[object], object]] = {
    "upn": _upn,
    "legal_surname": lambda v: _name(v, True),
    "legal_forename": lambda v: _name(v, True),
    "preferred_forename": lambda v: _name(v, False),
    "date_of_birth": lambda v: _required(_date(v)),
    "gender": _gender,
    "year_group": _year,
    "registration_group": lambda v: _text(v, required=False, max_length=MAX_REG_GROUP_LENGTH),
    "sen_status": _sen,
    "primary_need": _need,
    "admission_date": _date,
    "tutor_email": _email,
    **{flag: _flag for flag in FLAG_FIELDS},
}
