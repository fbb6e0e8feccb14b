"""Parse an MIS pupil roll (CSV or XLSX) into typed rows and per-cell errors; no database use.

Gender is optional: a missing column or a blank cell means Gender.UNKNOWN. Only rows without
errors appear in ParseResult.rows; the importer is all-or-nothing, so any error blocks the file.
"""

import unicodedata
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from school_tracker.calendar.terms import school_today
from school_tracker.imports.filecheck import ImportFileError, decode_csv, detect_kind
from school_tracker.imports.readers import MAX_COLUMNS, csv_rows, xlsx_rows
from school_tracker.imports.upn import UPNError
from school_tracker.imports.values import (
    CONVERTERS,
    FLAG_FIELDS,
    MAX_NAME_LENGTH,
    MAX_REG_GROUP_LENGTH,
    BadValue,
    Cell,
    cell_problem,
)
from school_tracker.models.pupil import Gender, PrimaryNeed, SenStatus, YearGroup

__all__ = [
    "FLAG_FIELDS",
    "HEADER_SYNONYMS",
    "MAX_COLUMNS",
    "MAX_DATA_ROWS",
    "MAX_NAME_LENGTH",
    "MAX_REG_GROUP_LENGTH",
    "REQUIRED_FIELDS",
    "ImportFileError",
    "ParseResult",
    "PupilRow",
    "RowError",
    "parse_roll",
]

# One school's roll (R53): the largest all-through schools have about 4,000 pupils, and the
# cap stops a hostile or mistaken trust-wide file before it costs memory and time.
MAX_DATA_ROWS = 5_000
# Blank rows are skipped, but a sheet padded with a million of them must not cost a million
# iterations (read-only openpyxl fills gaps between row numbers with empty rows).
MAX_BLANK_ROWS = 1_000
# Bounds memory and the length of the list shown to the user for a wholly wrong file.
MAX_ERRORS = 1_000
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
    # Not a pupil column: the member of staff to assign to the row's registration group.
    "tutor_email": (
        "Tutor",
        "Tutor E-mail",
        "Tutor Email",
        "Form Tutor",
        "Class Teacher",
        "Class Teacher E-mail",
        "Class Teacher Email",
    ),
}
REQUIRED_FIELDS = ("upn", "legal_surname", "legal_forename", "date_of_birth", "year_group")


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
    tutor_email: str | None = None  # checked against the school's staff by imports.class_staff


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
                problem = cell_problem(value, data_type)
                if problem:
                    raise BadValue(problem)
                values[name] = CONVERTERS[name](value)
            except (BadValue, UPNError) as exc:
                errors.append(RowError(number, label, str(exc)))
        self._cross_checks(number, values, errors)
        self.result.errors.extend(errors)
        if not errors:
            # Any: each column's converter gave its own field's type.
            kept: dict[str, Any] = {k: v for k, v in values.items() if v is not None}
            self.result.rows.append(PupilRow(row_number=number, **kept))

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


def parse_roll(data: bytes, filename: str, today: date | None = None) -> ParseResult:
    """Parse roll bytes into a ParseResult; raise only ImportFileError for unreadable files."""
    today = today or school_today()
    kind = detect_kind(data, filename)
    if kind == "csv":
        text, encoding = decode_csv(data)
        result = ParseResult(kind="csv", encoding=encoding)
        source = csv_rows(text)
    else:
        result = ParseResult(kind="xlsx", encoding=None)
        source = xlsx_rows(data)
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
                    f"The file has more than {MAX_DATA_ROWS:,} pupils, the limit for one "
                    "school; split it by school and import each part."
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
