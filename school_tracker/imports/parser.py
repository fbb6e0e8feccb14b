"""Parse an MIS pupil roll (CSV or XLSX) into typed rows and per-cell errors; no database use.

Gender is optional: a missing column or a blank cell means Gender.UNKNOWN. Only rows without
errors appear in ParseResult.rows; the importer is all-or-nothing, so any error blocks the file.
"""

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, datetime

import openpyxl
from defusedxml import DefusedXmlException
from openpyxl.cell.cell import ERROR_CODES

from school_tracker.imports.filecheck import (
    SAVE_AS_XLSX,
    ImportFileError,
    decode_csv,
    detect_kind,
)
from school_tracker.models.pupil import Gender, PrimaryNeed, SenStatus, YearGroup
from school_tracker.upn import UPNError, validate_upn

MAX_DATA_ROWS = 20_000
MAX_COLUMNS = 60
# Blank rows are skipped, but a sheet padded with a million of them must not cost a million
# iterations (read-only openpyxl fills gaps between row numbers with empty rows).
MAX_BLANK_ROWS = 1_000
# Bounds memory and the length of the list shown to the user for a wholly wrong file.
MAX_ERRORS = 1_000
MAX_NAME_LENGTH = 100
MAX_REG_GROUP_LENGTH = 20  # the pupils.registration_group column size
MIN_AGE, MAX_AGE = 2, 25

HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "upn": ("UPN", "Unique Pupil Number"),
    "legal_surname": ("Legal Surname", "Surname", "Last Name"),
    "legal_forename": ("Legal Forename", "Forename", "First Name"),
    "preferred_forename": ("Preferred Forename", "Preferred Name", "Known As"),
    "date_of_birth": ("Date of Birth", "DOB"),
    "gender": ("Gender", "Sex"),
    "year_group": ("Year", "Year Group", "NC Year", "Curriculum Year"),
    "registration_group": ("Reg Group", "Reg", "Registration Group", "Form", "Class"),
    "sen_status": ("SEN Status", "SEN Provision", "SEN"),
    "primary_need": ("Primary Need", "SEN Need", "SEN Primary Need"),
    "pupil_premium": ("Pupil Premium Indicator", "Pupil Premium", "PP", "Disadvantaged"),
    "fsm": ("FSM Eligible", "FSM", "Free School Meals"),
    "eal": ("EAL", "English as an Additional Language"),
    "looked_after": ("In Care", "Looked After", "CLA", "LAC"),
    "young_carer": ("Young Carer",),
    "admission_date": ("Date of Admission", "Admission Date", "Entry Date"),
}
REQUIRED_FIELDS = ("upn", "legal_surname", "legal_forename", "date_of_birth", "year_group")
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


def _norm_header(text: str) -> str:
    # Case-, space- and underscore-insensitive, so "Date of  Birth" and "date_of_birth" match.
    text = unicodedata.normalize("NFKC", text.replace("\ufeff", ""))
    return "".join(text.replace("_", " ").split()).casefold()


_HEADER_INDEX = {_norm_header(h): f for f, names in HEADER_SYNONYMS.items() for h in names}


@dataclass(frozen=True)
class RowError:
    """A problem with one cell (or a missing column), addressed as the user sees the file."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column}: {self.message}"


@dataclass
class PupilRow:
    """One valid pupil from the file, with typed values for every column the format carries."""

    row_number: int
    upn: str
    legal_surname: str
    legal_forename: str
    date_of_birth: date
    year_group: YearGroup
    gender: Gender = Gender.UNKNOWN
    preferred_forename: str | None = None
    registration_group: str | None = None
    sen_status: SenStatus = SenStatus.NONE
    primary_need: PrimaryNeed | None = None
    pupil_premium: bool = False
    fsm: bool = False
    eal: bool = False
    looked_after: bool = False
    young_carer: bool = False
    admission_date: date | None = None


@dataclass
class ParseResult:
    """Everything parse_roll learnt: valid rows, errors, warnings and how the file was read."""

    kind: str
    encoding: str | None  # "utf-8" or "cp1252" for CSV; None for XLSX (always UTF-8 XML)
    headers_matched: dict[str, str] = field(default_factory=dict)
    rows: list[PupilRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the file can be imported as it stands."""
        return not self.errors


class _Bad(Exception):
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
        raise _Bad("expected text here, not a date or true/false value")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return str(value)
    raise _Bad("expected text here")


def _cell_problem(value: object, data_type: str) -> str | None:
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
            raise _Bad(f"contains a hidden bidirectional control character (U+{ord(ch):04X})")
        if category == "Cf":
            raise _Bad(f"contains an invisible formatting character (U+{ord(ch):04X})")
        if category in ("Cc", "Cs", "Co", "Cn", "Zl", "Zp"):
            raise _Bad(f"contains a control or unprintable character (U+{ord(ch):04X})")
    text = " ".join(raw.split())
    if not text:
        if required:
            raise _Bad("is required")
        return None
    if text[0] == "-":
        # Hyphens inside names (Smith-Jones) are fine; no name starts with one, and "-2+3" is
        # the classic formula-injection payload.
        raise _Bad("begins with '-', which spreadsheets may run as a formula")
    if len(text) > max_length:
        raise _Bad(f"is {len(text)} characters long; the limit is {max_length}")
    return text


def _name(value: object, required: bool) -> str | None:
    return _text(value, required=required, max_length=MAX_NAME_LENGTH)


def _date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise _Bad("is a number, not a date; format the column as dates or use dd/mm/yyyy")
    text = _as_text(value).strip()
    if not text:
        return None
    try:
        if m := _DMY.fullmatch(text):
            return date(int(m[3]), int(m[2]), int(m[1]))
        if _ISO.fullmatch(text):
            return date.fromisoformat(text)
    except ValueError:
        raise _Bad(f"{_show(text)} is not a real date") from None
    raise _Bad(f"{_show(text)} is not a date; use dd/mm/yyyy or yyyy-mm-dd")


def _year(value: object) -> YearGroup:
    key = "".join(_as_text(value).split()).upper()
    if key in _YEAR_WORDS:
        return YearGroup(_YEAR_WORDS[key])
    if m := _YEAR_NUMBER.fullmatch(key):
        return YearGroup(str(int(m[1])))
    raise _Bad(
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
    raise _Bad(
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
    raise _Bad(f"{_show(text)} is not a primary need code; use one of {', '.join(codes)}")


def _flag(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = _as_text(value).strip().casefold()
    if text in _YES or text in _NO:
        return text in _YES
    raise _Bad(
        f"{_show(value)} is not a yes/no value; use Yes/No, Y/N, True/False, T/F or "
        "1/0 (blank means No)"
    )


def _gender(value: object) -> Gender:
    text = " ".join(_as_text(value).split()).casefold()
    if text in _GENDERS:
        return _GENDERS[text]
    raise _Bad(f"{_show(value)} is not a gender; use F, M, Female, Male, or leave it blank")


def _required(value: object) -> object:
    if value is None:
        raise _Bad("is required")
    return value


def _upn(value: object) -> str:
    text = _as_text(value)
    if not text.strip():
        raise _Bad("is required")
    return validate_upn(text)


_CONVERTERS: dict[str, Callable[[object], object]] = {
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
    **{flag: _flag for flag in FLAG_FIELDS},
}


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _is_blank(cells: list[Cell]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v, _ in cells)


def _header_text(value: object) -> str:
    return "" if value is None else str(value).replace("\ufeff", "").strip()


class _RollBuilder:
    """Checks the header, then each data row, collecting rows, errors and warnings."""

    def __init__(self, result: ParseResult, today: date, strict_width: bool) -> None:
        self.result = result
        self.today = today
        self.strict_width = strict_width
        self.columns: dict[str, tuple[int, str]] = {}
        self.width = 0
        self.texts: list[str] = []
        self.first_row_of_upn: dict[str, int] = {}
        # Age on 31 August before the current school year, which is what typical_age means.
        self.cutoff = date(today.year if today.month >= 9 else today.year - 1, 8, 31)

    def header(self, cells: list[Cell]) -> bool:
        """Match the header row; False when a column problem stops row checking."""
        texts = [_header_text(v) for v, _ in cells]
        while texts and not texts[-1]:
            texts.pop()
        if not texts:
            raise ImportFileError("The first row must hold the column headings; it is empty.")
        if len(texts) > MAX_COLUMNS:
            raise ImportFileError(f"The file has more than {MAX_COLUMNS} columns.")
        self.width = len(texts)
        self.texts = texts
        errors = self.result.errors
        for index, text in enumerate(texts):
            name = _HEADER_INDEX.get(_norm_header(text))
            if name is None:
                continue  # extra MIS columns are ignored
            if name in self.columns:
                first = self.columns[name][1]
                errors.append(RowError(1, text, f"repeats the column {first!r} ({name})"))
                continue
            self.columns[name] = (index, text)
        for name in REQUIRED_FIELDS:
            if name not in self.columns:
                accepted = ", ".join(HEADER_SYNONYMS[name])
                errors.append(RowError(1, name, f"required column missing; name it {accepted}"))
        self.result.headers_matched = {name: text for name, (_, text) in self.columns.items()}
        # Without a key column every row would repeat the same complaint; fix the header first.
        return not errors

    def row(self, number: int, cells: list[Cell]) -> None:
        """Convert one data row, recording its errors and warnings."""
        # A CSV row of the wrong length has its values under the wrong headings (R55); blank
        # trailing values (a trailing comma) are harmless.
        short = len(cells) < self.width
        if self.strict_width and (short or not _is_blank(cells[self.width :])):
            message = (
                f"this row has {len(cells)} values but the header has {self.width}; "
                "a comma is probably missing or extra"
            )
            column = self._column_label(min(len(cells), self.width))
            self.result.errors.append(RowError(number, column, message))
            return
        errors: list[RowError] = []
        values: dict[str, object] = {}
        for name, (index, label) in self.columns.items():
            value, data_type = cells[index] if index < len(cells) else (None, "")
            try:
                problem = _cell_problem(value, data_type)
                if problem:
                    raise _Bad(problem)
                values[name] = _CONVERTERS[name](value)
            except (_Bad, UPNError) as exc:
                errors.append(RowError(number, label, str(exc)))
        self._cross_checks(number, values, errors)
        self.result.errors.extend(errors)
        if not errors:
            kept = {k: v for k, v in values.items() if v is not None}
            self.result.rows.append(PupilRow(row_number=number, **kept))  # type: ignore[arg-type]

    def _column_label(self, index: int) -> str:
        if index < len(self.texts) and self.texts[index]:
            return self.texts[index]
        return str(index + 1)

    def _label(self, name: str) -> str:
        return self.columns[name][1] if name in self.columns else name

    def _cross_checks(self, number: int, values: dict[str, object], errors: list[RowError]) -> None:
        upn = values.get("upn")
        if isinstance(upn, str):
            if upn in self.first_row_of_upn:
                errors.append(
                    RowError(
                        number,
                        self._label("upn"),
                        f"UPN {upn} is already on row {self.first_row_of_upn[upn]}",
                    )
                )
            else:
                self.first_row_of_upn[upn] = number
        born = values.get("date_of_birth")
        if not isinstance(born, date):
            return
        age = _age(born, self.today)
        if born > self.today:
            errors.append(RowError(number, self._label("date_of_birth"), "is in the future"))
        elif not MIN_AGE <= age <= MAX_AGE:
            errors.append(
                RowError(
                    number,
                    self._label("date_of_birth"),
                    f"gives an age of {age}; pupils must be {MIN_AGE} to {MAX_AGE}",
                )
            )
        admitted = values.get("admission_date")
        if isinstance(admitted, date) and admitted < born:
            errors.append(
                RowError(number, self._label("admission_date"), "is before the date of birth")
            )
        year = values.get("year_group")
        if isinstance(year, YearGroup):
            usual_age = _age(born, self.cutoff)
            if abs(usual_age - year.typical_age) > 1:
                self.result.warnings.append(
                    RowError(
                        number,
                        self._label("year_group"),
                        f"{year.label} pupils are usually {year.typical_age} on 31 August "
                        f"{self.cutoff.year}, but this pupil was {usual_age}; check the year group "
                        "and date of birth",
                    )
                )
        if values.get("sen_status") is SenStatus.NONE and values.get("primary_need"):
            self.result.warnings.append(
                RowError(
                    number,
                    self._label("primary_need"),
                    "a primary need is recorded but the SEN status is N (no SEN)",
                )
            )


def _sniff_delimiter(text: str) -> str:
    """Pick comma, semicolon or tab by counting them outside quotes on the header line."""
    counts = {",": 0, ";": 0, "\t": 0}
    quoted = False
    for ch in text[:65_536]:
        if ch == '"':
            quoted = not quoted
        elif ch in "\r\n" and not quoted:
            break
        elif ch in counts and not quoted:
            counts[ch] += 1
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _csv_rows(text: str) -> Iterator[tuple[int, list[Cell]]]:
    """Yield (row number, cells), refusing what the csv module would otherwise let through."""
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text), strict=True
    )
    record = 0
    try:
        for record, row in enumerate(reader, start=1):
            # One record per physical line: an unclosed quote otherwise swallows the lines after
            # it into a single field without any error (R55).
            if reader.line_num != record:
                raise ImportFileError(
                    f'Row {record} runs over several lines; a quote (") is probably not closed.'
                )
            yield record, [(value, "s") for value in row]
    except csv.Error as exc:
        detail = str(exc)
        if "field larger than field limit" in detail:
            detail = "a value is longer than 131,072 characters"
        elif "unexpected end of data" in detail:
            detail = 'a quote (") is not closed'
        message = f"The CSV file cannot be read at row {record + 1}: {detail}."
        raise ImportFileError(message) from None


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    """True when exc or anything in its cause/context chain is a kind."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, kind):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[Cell]]]:
    """Yield (row number, cells) from the first visible sheet, streaming, capped at 61 columns."""
    if not openpyxl.DEFUSEDXML:
        # R52: without defusedxml an entity bomb in a sheet would be expanded in memory.
        raise ImportFileError(
            "Workbook import is switched off on this server (defusedxml is "
            "not active); upload a CSV file instead."
        )
    workbook = None
    try:
        workbook = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=False, keep_links=False
        )
        sheets = [ws for ws in workbook.worksheets if ws.sheet_state == "visible"]
        if not sheets:
            raise ImportFileError("The workbook has no visible sheet.")
        sheet = sheets[0]
        # Read-only mode believes the sheet's <dimension>, which can be forged (R53).
        sheet.reset_dimensions()
        rows = sheet.iter_rows(min_row=1, max_col=MAX_COLUMNS + 1)
        for number, row in enumerate(rows, start=1):
            yield number, [(c.value, c.data_type if c.value is not None else "") for c in row]
    except ImportFileError:
        raise
    except Exception as exc:
        # openpyxl raises many types (KeyError, ValueError, TypeError, ParseError, BadZipFile,
        # IllegalCharacterError...) on damaged parts; all are the uploader's problem, never a 500.
        # It wraps defusedxml's refusals in a ValueError, so look down the chain for them.
        if _caused_by(exc, DefusedXmlException):
            raise ImportFileError(
                "The workbook contains XML entity declarations, which are "
                "refused as a possible XML bomb."
            ) from exc
        raise ImportFileError(f"The workbook could not be read. {SAVE_AS_XLSX}") from exc
    finally:
        if workbook is not None:
            workbook.close()


def parse_roll(data: bytes, filename: str, today: date | None = None) -> ParseResult:
    """Parse roll bytes into a ParseResult; raise only ImportFileError for unreadable files."""
    today = today or date.today()
    kind = detect_kind(data, filename)
    if kind == "csv":
        text, encoding = decode_csv(data)
        result = ParseResult(kind="csv", encoding=encoding)
        source = _csv_rows(text)
    else:
        result = ParseResult(kind="xlsx", encoding=None)
        source = _xlsx_rows(data)
    builder = _RollBuilder(result, today, strict_width=kind == "csv")
    data_rows = blank_rows = 0
    stopped = False
    with closing(source):
        first = next(source, None)
        if first is None:
            raise ImportFileError("The file is empty.")
        if not builder.header(first[1]):
            return result
        for number, cells in source:
            if _is_blank(cells):
                blank_rows += 1
                if blank_rows > MAX_BLANK_ROWS:
                    raise ImportFileError(
                        f"The file has more than {MAX_BLANK_ROWS:,} blank "
                        "rows; delete them and try again."
                    )
                continue
            data_rows += 1
            if data_rows > MAX_DATA_ROWS:
                raise ImportFileError(
                    f"The file has more than {MAX_DATA_ROWS:,} pupils; "
                    "split it by school and import each part."
                )
            if len(result.errors) < MAX_ERRORS:
                builder.row(number, cells)
            elif not stopped:
                # Keep counting rows so an oversized file is still refused as such.
                stopped = True
                result.errors.append(
                    RowError(
                        number,
                        "all",
                        f"stopped checking after {MAX_ERRORS:,} errors; correct these first",
                    )
                )
    if data_rows == 0:
        raise ImportFileError("The file has a header row but no pupils.")
    return result
