"""The pure pupil-roll parser and its hostile-file defences (docs/design.md section 10; R29-R31,
R50-R57).

The sample MIS export is tests/data/sample_mis_export.csv; if it is missing the tests fail.
"""

import csv
import io
import re
import time
import tracemalloc
import unicodedata
import zipfile
from datetime import date, datetime

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum.gb import upn as stdnum_upn

from school_tracker.imports import filecheck
from school_tracker.imports.filecheck import ImportFileError, detect_kind
from school_tracker.imports.parser import (
    MAX_COLUMNS,
    MAX_DATA_ROWS,
    ParseResult,
    RowError,
    parse_roll,
)
from school_tracker.models.pupil import Gender, PrimaryNeed, SenStatus, YearGroup
from tests.factories.imports import SAMPLE
from tests.factories.spreadsheets import (
    BILLION_LAUGHS,
    XXE,
    forge_central_directory,
    replace_part,
    xlsx_bytes,
    zip_of,
)

TODAY = date(2026, 11, 22)  # school year 2026/27: ages are taken on 31 August 2026
HEADER = ["UPN", "Legal Surname", "Legal Forename", "Date of Birth", "Year"]
HYPOTHESIS = settings(
    max_examples=200,
    deadline=None,
    database=None,  # keep .hypothesis/ out of the shared work tree
    suppress_health_check=[HealthCheck.too_slow],
)


def upn(n: int) -> str:
    """A valid UPN with the check letter computed by python-stdnum."""
    digits = f"8012{n:08d}"
    return stdnum_upn.calc_check_digit(digits) + digits


def csv_bytes(*rows: list[str] | str, header: list[str] | None = None, enc: str = "utf-8") -> bytes:
    """CRLF CSV; a str row is written verbatim, a list row through the csv module."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header or HEADER)
    for row in rows:
        if isinstance(row, str):
            out.write(row + "\r\n")
        else:
            writer.writerow(row)
    return out.getvalue().encode(enc)


def pupil(
    n: int = 1,
    surname: str = "Khan",
    forename: str = "Mia",
    dob: str = "25/10/2018",
    year: str = "Year 3",
) -> list[str]:
    return [upn(n), surname, forename, dob, year]


def parse_csv(*rows: list[str] | str, header: list[str] | None = None) -> ParseResult:
    return parse_roll(csv_bytes(*rows, header=header), "roll.csv", today=TODAY)


MINIMAL_XLSX_PARTS = {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}


def only_error(result: ParseResult) -> RowError:
    assert len(result.errors) == 1, [str(e) for e in result.errors]
    return result.errors[0]


def refused(data: bytes, filename: str, match: str) -> None:
    with pytest.raises(ImportFileError, match=match):
        parse_roll(data, filename, today=TODAY)


# --- the sample MIS export ---------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_bytes() -> bytes:
    # A missing sample is a failure, never a skip.
    assert SAMPLE.is_file(), f"sample MIS export missing at {SAMPLE}"
    return SAMPLE.read_bytes()


def test_sample_file_parses_every_row(sample_bytes: bytes) -> None:
    assert sample_bytes.startswith(b"\xef\xbb\xbf") and b"\r\n" in sample_bytes
    result = parse_roll(sample_bytes, "sample_mis_export.csv", today=TODAY)
    assert result.errors == [] and result.ok
    assert result.warnings == []
    assert len(result.rows) == 40
    assert [r.row_number for r in result.rows] == list(range(2, 42))
    assert result.kind == "csv" and result.encoding == "utf-8"
    assert result.headers_matched["upn"] == "UPN"  # BOM stripped from the first header
    assert result.headers_matched["looked_after"] == "In Care"
    assert result.headers_matched["date_of_birth"] == "DOB"
    assert result.headers_matched["year_group"] == "NC Year"
    assert result.headers_matched["sen_status"] == "SEN Provision"
    assert "primary_need" not in result.headers_matched  # and the extra "House" column is ignored


def test_sample_file_values(sample_bytes: bytes) -> None:
    # The first surname is stored decomposed (as a Mac writes it); the import composes it.
    assert "Da\u0328browska".encode() in sample_bytes
    rows = {r.upn: r for r in parse_roll(sample_bytes, "x.csv", today=TODAY).rows}
    maja = rows["Q873210422683"]
    assert maja.legal_surname == "Dąbrowska"
    assert unicodedata.is_normalized("NFC", maja.legal_surname)
    assert maja.sen_status is SenStatus.SUPPORT
    assert maja.date_of_birth == date(2020, 7, 3)
    assert maja.year_group is YearGroup.Y2
    assert maja.gender is Gender.FEMALE
    assert maja.registration_group == "2W"
    assert (maja.pupil_premium, maja.fsm, maja.eal) == (True, True, True)
    assert maja.admission_date == date(2024, 9, 1)
    assert maja.preferred_forename is None
    mina = rows["C873210424617"]  # "E - Education, Health and Care Plan": a quoted comma
    assert mina.year_group is YearGroup.R
    assert mina.sen_status is SenStatus.EHC_PLAN
    assert mina.preferred_forename == "Mina"
    assert rows["C873210422343"].sen_status is SenStatus.NONE
    assert rows["Z873210420719"].legal_surname == "Pryce-Llewellyn"
    assert rows["W873210419493"].legal_surname == "Ní Bhriain"
    assert rows["X873210418784"].legal_surname == "O'Donnell"
    assert rows["X873210418784"].looked_after is True
    assert rows["Y873210421731"].young_carer is True
    assert rows["X87321042080T"].legal_forename == "Lucía"  # a temporary UPN ends in a letter
    assert sum(r.looked_after for r in rows.values()) == 1
    assert sum(r.young_carer for r in rows.values()) == 2
    assert sum(r.sen_status is SenStatus.EHC_PLAN for r in rows.values()) == 3


def test_sample_as_xlsx_gives_the_same_rows(sample_bytes: bytes) -> None:
    table = list(csv.reader(io.StringIO(sample_bytes.decode("utf-8-sig"), newline="")))
    from_csv = parse_roll(sample_bytes, "x.csv", today=TODAY)
    from_xlsx = parse_roll(xlsx_bytes(table), "x.xlsx", today=TODAY)
    assert from_xlsx.errors == [] and from_xlsx.kind == "xlsx" and from_xlsx.encoding is None
    assert from_xlsx.rows == from_csv.rows


# --- file type, size and zip bombs (filecheck) -------------------------------------------


@pytest.mark.requirement("R50")
def test_detect_kind_by_content() -> None:
    assert detect_kind(csv_bytes(pupil()), "Roll.CSV") == "csv"
    assert detect_kind(xlsx_bytes([HEADER]), "C:\\Users\\me\\roll.xlsx") == "xlsx"


@pytest.mark.requirement("R50")
@pytest.mark.parametrize(
    ("data", "name", "match"),
    [
        (b"", "roll.csv", "empty"),
        (b"a" * (filecheck.MAX_FILE_BYTES + 1), "roll.csv", "limit is 5 MB"),
        (b"UPN\r\n", "roll.txt", "Only .csv and .xlsx"),
        (b"UPN\r\n", "roll", "Only .csv and .xlsx"),
        (b"UPN\r\n", "roll.xls", "without a password"),
        (b"PK\x03\x04", "roll.xlsm", "without a password"),
        (b"PK\x03\x04", "roll.xlsb", "without a password"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "roll.xlsx", "without a password"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "roll.csv", "without a password"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "roll.xlsx", "PNG image"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "roll.csv", "PNG image"),
        (b"%PDF-1.7\n", "roll.csv", "PDF"),
        (b"UPN,Surname\r\n", "roll.xlsx", "not an Excel workbook"),
        (zip_of(MINIMAL_XLSX_PARTS), "roll.csv", "named .csv"),
        (zip_of({"xl/workbook.xml": b"<workbook/>"}), "roll.xlsx", "not a real .xlsx"),
        (zip_of({"[Content_Types].xml": b"<Types/>"}), "roll.xlsx", "not a real .xlsx"),
        (b"PK\x03\x04 truncated", "roll.xlsx", "not a real .xlsx"),
    ],
)
def test_wrong_or_disguised_files_are_refused(data: bytes, name: str, match: str) -> None:
    with pytest.raises(ImportFileError, match=match):
        detect_kind(data, name)
    refused(data, name, match)


@pytest.mark.requirement("R50")
def test_macro_workbook_is_refused() -> None:
    data = zip_of({**MINIMAL_XLSX_PARTS, "xl/vbaProject.bin": b"\0" * 10})
    refused(data, "roll.xlsx", "macros")


@pytest.mark.requirement("R51")
@pytest.mark.parametrize("name", ["../evil.xml", "/etc/passwd", "xl/../../evil.xml", "C:\\evil"])
def test_unsafe_zip_entry_names_are_refused(name: str) -> None:
    refused(zip_of({**MINIMAL_XLSX_PARTS, name: b"x"}), "roll.xlsx", "unsafe name")


@pytest.mark.requirement("R51")
def test_too_many_zip_entries_are_refused() -> None:
    parts = {
        **MINIMAL_XLSX_PARTS,
        **{f"xl/p{i}.xml": b"" for i in range(filecheck.MAX_ZIP_ENTRIES)},
    }
    refused(zip_of(parts), "roll.xlsx", "at most 1,000")


@pytest.mark.requirement("R50")
def test_encrypted_zip_entries_are_refused() -> None:
    refused(forge_central_directory(zip_of(MINIMAL_XLSX_PARTS), flags=1), "roll.xlsx", "encrypted")


@pytest.mark.requirement("R51")
def test_declared_sizes_are_capped_before_opening() -> None:
    base = zip_of({**MINIMAL_XLSX_PARTS, **{f"xl/p{i}.xml": b"x" * 100 for i in range(20)}})
    # Per entry: 45 MB declared from 1 MB compressed (45:1, under the ratio cap).
    one_big = forge_central_directory(base, file_size=45 << 20, compress_size=1 << 20)
    refused(one_big, "roll.xlsx", "part that expands beyond 40 MB")
    # In total: 22 parts of 3 MB each (3:1 ratio) declare 66 MB.
    many = forge_central_directory(base, file_size=3 << 20, compress_size=1 << 20)
    refused(many, "roll.xlsx", "expands beyond 50 MB")
    # Ratio: 10 MB declared from 1 kB compressed.
    dense = forge_central_directory(base, file_size=10 << 20, compress_size=1024)
    refused(dense, "roll.xlsx", "compressed more than 100:1")


@pytest.mark.requirement("R51")
def test_real_zip_bomb_is_refused_fast_and_small() -> None:
    sheet = b"<x>" + b"\0" * (30 << 20) + b"</x>"
    bomb = zip_of({**MINIMAL_XLSX_PARTS, "xl/worksheets/sheet1.xml": sheet})
    del sheet
    assert len(bomb) < 100_000
    started = time.perf_counter()
    refused(bomb, "roll.xlsx", "zip bomb")
    elapsed = time.perf_counter() - started
    tracemalloc.start()  # on a second run: tracing slows the code it measures
    try:
        refused(bomb, "roll.xlsx", "zip bomb")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert elapsed < 1.0
    assert peak < 5 << 20


# --- CSV pitfalls (R55) and encodings (R50) -----------------------------------------------


@pytest.mark.requirement("R50")
def test_cp1252_fallback_is_reported() -> None:
    result = parse_roll(csv_bytes(pupil(surname="Gonçalves"), enc="cp1252"), "r.csv", today=TODAY)
    assert result.encoding == "cp1252" and result.ok
    assert result.rows[0].legal_surname == "Gonçalves"


def test_utf8_without_bom_and_lf_endings() -> None:
    data = csv_bytes(pupil(surname="Zoë")).replace(b"\r\n", b"\n")
    result = parse_roll(data, "r.csv", today=TODAY)
    assert result.encoding == "utf-8" and result.rows[0].legal_surname == "Zoë"


@pytest.mark.requirement("R55")
@pytest.mark.parametrize(
    ("data", "match"),
    [
        (csv_bytes(pupil()) + b"\x00", "NUL"),
        (",".join(HEADER).encode("utf-16"), "NUL"),
        (csv_bytes(pupil()) + b"\x81\x8d", "neither UTF-8 nor Windows-1252"),
        (
            b"\xef\xbb\xbf" + csv_bytes(pupil(surname="Gon\xe7alves"), enc="latin-1"),
            "marked as UTF-8",
        ),
        (csv_bytes(pupil(surname="x" * 131_073)), "longer than 131,072"),
        (csv_bytes(f'{upn(1)},"Khan,Mia,25/10/2018,Year 3', pupil(2)), "quote"),
        (csv_bytes(f'{upn(1)},"Khan,Mia,25/10/2018,Year 3'), 'quote \\(\\"\\) is not closed'),
        (csv_bytes(f'{upn(1)},"Khan"x,Mia,25/10/2018,Year 3'), "cannot be read at row 2"),
    ],
)
def test_csv_pitfalls_are_refused(data: bytes, match: str) -> None:
    refused(data, "roll.csv", match)


@pytest.mark.requirement("R55")
def test_unterminated_quote_that_closes_later_is_caught_by_line_count() -> None:
    # The quote opened on row 2 closes on row 3, silently merging two pupils into one field.
    data = csv_bytes(f'{upn(1)},"Khan,Mia,25/10/2018,Year 3', f'{upn(2)},Lee",Ann,25/10/2018,7')
    refused(data, "roll.csv", "Row 2 runs over several lines")


@pytest.mark.requirement("R55")
def test_ragged_rows_are_errors() -> None:
    short = pupil(1)[:4]
    long = [*pupil(2), "surprise"]
    padded = [*pupil(3), "", ""]
    result = parse_csv(short, long, padded)
    assert [str(e) for e in result.errors] == [
        "row 2, column Year: this row has 4 values but the header has 5; "
        "a comma is probably missing or extra",
        "row 3, column 6: this row has 6 values but the header has 5; "
        "a comma is probably missing or extra",
    ]
    assert [r.row_number for r in result.rows] == [4]


@pytest.mark.requirement("R55")
@pytest.mark.parametrize("delimiter", [";", "\t", ","])
def test_delimiter_is_sniffed_from_the_allowlist(delimiter: str) -> None:
    lines = [delimiter.join(HEADER), delimiter.join(pupil(surname="O'Brien, Jr"))]
    if delimiter == ",":
        lines[1] = delimiter.join(pupil()[:1] + ['"O\'Brien, Jr"'] + pupil()[2:])
    result = parse_roll("\r\n".join(lines).encode(), "r.csv", today=TODAY)
    assert result.ok and result.rows[0].legal_surname == "O'Brien, Jr"


def test_other_delimiters_are_not_guessed() -> None:
    data = "|".join(HEADER) + "\r\n" + "|".join(pupil())
    result = parse_roll(data.encode(), "r.csv", today=TODAY)
    assert {e.column for e in result.errors} == {
        "upn",
        "legal_surname",
        "legal_forename",
        "date_of_birth",
        "year_group",
    }


# --- headers ----------------------------------------------------------------------------


def test_headers_match_synonyms_case_and_space_insensitively() -> None:
    header = [
        "\ufeff unique  PUPIL number",
        "SURNAME",
        "first name",
        "dob",
        "NC Year",
        "sex",
        "Known As",
        "Form",
        "SEN Provision",
        "SEN Need",
        "PP",
        "Free School Meals",
        "English as an Additional Language",
        "LAC",
        "young carer",
        "Entry Date",
        "Notes",
    ]
    row = [
        upn(1),
        "Khan",
        "Mia",
        "2018-10-25",
        "y3",
        "Female",
        "Mimi",
        "3A",
        "K",
        "SEMH - Social, emotional and mental health",
        "y",
        "t",
        "1",
        "True",
        "no",
        "",
        "x",
    ]
    result = parse_csv(row, header=header)
    assert result.ok, result.errors
    assert result.headers_matched["upn"] == "unique  PUPIL number"
    assert "Notes" not in result.headers_matched.values()
    mia = result.rows[0]
    assert (mia.preferred_forename, mia.registration_group, mia.gender) == (
        "Mimi",
        "3A",
        Gender.FEMALE,
    )
    assert mia.primary_need is PrimaryNeed.SEMH and mia.sen_status is SenStatus.SUPPORT
    assert (mia.pupil_premium, mia.fsm, mia.eal, mia.looked_after, mia.young_carer) == (
        True,
        True,
        True,
        True,
        False,
    )
    assert mia.admission_date is None


def test_gender_column_is_optional() -> None:
    result = parse_csv(pupil())
    assert result.ok and result.rows[0].gender is Gender.UNKNOWN
    assert result.rows[0].sen_status is SenStatus.NONE and result.rows[0].primary_need is None


def test_missing_required_columns_are_each_reported() -> None:
    result = parse_csv(["Khan", "Mia"], header=["Surname", "Gender"])
    assert [str(e) for e in result.errors] == [
        "row 1, column upn: required column missing; name it UPN, Unique Pupil Number",
        "row 1, column legal_forename: required column missing; "
        "name it Legal Forename, Forename, First Name",
        "row 1, column date_of_birth: required column missing; name it Date of Birth, DOB",
        "row 1, column year_group: required column missing; "
        "name it Year, Year Group, NC Year, Curriculum Year",
    ]
    assert result.rows == []


def test_duplicated_header_for_one_field_is_an_error() -> None:
    result = parse_csv([*pupil(), "Lee"], header=[*HEADER, "surname"])
    assert str(only_error(result)) == (
        "row 1, column surname: repeats the column 'Legal Surname' (legal_surname)"
    )


@pytest.mark.requirement("R53")
def test_too_many_columns_are_refused() -> None:
    header = HEADER + [f"extra {i}" for i in range(MAX_COLUMNS - len(HEADER) + 1)]
    refused(csv_bytes(header=header), "r.csv", "more than 60 columns")
    refused(xlsx_bytes([header]), "r.xlsx", "more than 60 columns")
    assert parse_csv(pupil() + [""] * (MAX_COLUMNS - 5), header=header[:MAX_COLUMNS]).ok


@pytest.mark.parametrize(
    ("data", "name", "match"),
    [
        (csv_bytes(), "r.csv", "no pupils"),
        (csv_bytes("", ",,,,"), "r.csv", "no pupils"),
        (b"\r\n" + csv_bytes(pupil()), "r.csv", "first row must hold the column headings"),
        (xlsx_bytes([HEADER]), "r.xlsx", "no pupils"),
        (xlsx_bytes([[None], HEADER, pupil()]), "r.xlsx", "first row must hold"),
        (xlsx_bytes([]), "r.xlsx", "first row must hold|empty"),
    ],
    # Named ids: a workbook's bytes carry the time it was made, and parallel workers must
    # collect the same test names.
    ids=[
        "csv-header-only",
        "csv-blank-rows",
        "csv-blank-first-line",
        "xlsx-header-only",
        "xlsx-blank-first-row",
        "xlsx-empty",
    ],
)
def test_files_without_pupils_are_refused(data: bytes, name: str, match: str) -> None:
    refused(data, name, match)


@pytest.mark.requirement("R53")
def test_more_than_the_row_cap_is_refused() -> None:
    rows = [pupil(n) for n in range(MAX_DATA_ROWS + 1)]
    data = csv_bytes(*rows)
    assert len(data) < filecheck.MAX_FILE_BYTES
    refused(data, "r.csv", f"more than {MAX_DATA_ROWS:,} pupils")
    # Bad rows stop being checked after 1,000 errors, but the size limit still applies.
    bad = csv_bytes(*[pupil(n, year="?") for n in range(MAX_DATA_ROWS + 1)])
    refused(bad, "r.csv", f"{MAX_DATA_ROWS:,}")
    result = parse_roll(csv_bytes(*rows[:MAX_DATA_ROWS]), "r.csv", today=TODAY)
    assert result.ok and len(result.rows) == MAX_DATA_ROWS


def test_error_list_is_capped() -> None:
    result = parse_csv(*[pupil(n, year="?") for n in range(1_500)])
    assert len(result.errors) == 1_001
    assert str(result.errors[-1]).startswith("row 1002, column all: stopped checking after 1,000")


# --- values -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("25/10/2018", date(2018, 10, 25)),
        ("5/1/2019", date(2019, 1, 5)),
        ("2018-10-25", date(2018, 10, 25)),
        (" 29/02/2024 ", date(2024, 2, 29)),
    ],
)
def test_dates(text: str, expected: date) -> None:
    result = parse_csv(pupil(dob=text, year="R" if expected.year == 2024 else "3"))
    assert result.rows[0].date_of_birth == expected


@pytest.mark.requirement("R30")
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("31/02/2016", "'31/02/2016' is not a real date"),
        ("29/02/2015", "is not a real date"),
        ("10/25/2018", "is not a real date"),  # US order is never guessed
        ("2018/10/25", "use dd/mm/yyyy or yyyy-mm-dd"),
        ("25-10-2018", "use dd/mm/yyyy or yyyy-mm-dd"),
        ("25/10/18", "use dd/mm/yyyy or yyyy-mm-dd"),
        ("25 Oct 2018", "use dd/mm/yyyy or yyyy-mm-dd"),
        ("", "is required"),
    ],
)
def test_bad_dates_are_errors(text: str, message: str) -> None:
    error = only_error(parse_csv(pupil(dob=text)))
    assert (error.row, error.column) == (2, "Date of Birth")
    assert message in error.message


@pytest.mark.requirement("R30")
@pytest.mark.parametrize(
    ("dob", "message"),
    [
        ("01/01/2026", "gives an age of 0"),
        ("01/11/2000", "gives an age of 26"),
        ("01/12/2026", "is in the future"),
    ],
)
def test_implausible_dates_of_birth_are_errors(dob: str, message: str) -> None:
    assert message in only_error(parse_csv(pupil(dob=dob, year="R"))).message


def test_admission_before_birth_is_an_error() -> None:
    result = parse_csv([*pupil(), "01/09/2010"], header=[*HEADER, "Admission Date"])
    assert str(only_error(result)) == "row 2, column Admission Date: is before the date of birth"


def test_year_group_that_does_not_fit_the_date_of_birth_is_a_warning() -> None:
    result = parse_csv(
        pupil(1, dob="25/10/2018", year="Year 7"),
        pupil(2, dob="25/10/2018", year="Year 2"),  # one year out: no warning
        pupil(3, dob="25/10/2018", year="Year 5"),
    )
    assert result.ok and len(result.rows) == 3
    assert [str(w) for w in result.warnings] == [
        "row 2, column Year: Year 7 pupils are usually 11 on 31 August 2026, but this pupil was "
        "7; check the year group and date of birth",
        "row 4, column Year: Year 5 pupils are usually 9 on 31 August 2026, but this pupil was "
        "7; check the year group and date of birth",
    ]


def test_academic_year_cut_off_follows_today() -> None:
    # On 1 July 2026 the current school year is 2025/26, so a Year 3 pupil was 7 on 31/8/2025.
    data = csv_bytes(pupil(dob="25/10/2017", year="Year 3"))
    assert parse_roll(data, "r.csv", today=date(2026, 7, 1)).warnings == []
    assert parse_roll(data, "r.csv", today=date(2027, 9, 1)).warnings != []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Reception", YearGroup.R),
        ("r", YearGroup.R),
        ("Year 7", YearGroup.Y7),
        ("Y7", YearGroup.Y7),
        ("7", YearGroup.Y7),
        ("year 13", YearGroup.Y13),
        ("N1", YearGroup.N1),
        ("n2", YearGroup.N2),
        ("Year R", YearGroup.R),
        ("Yr 10", YearGroup.Y10),
    ],
)
def test_year_groups(text: str, expected: YearGroup) -> None:
    assert parse_csv(pupil(year=text)).rows[0].year_group is expected


@pytest.mark.parametrize("text", ["Year 14", "0", "Y", "Nursery", "Year 7a", "", "7.5"])
def test_bad_year_groups_are_errors(text: str) -> None:
    error = only_error(parse_csv(pupil(year=text)))
    assert error.column == "Year" and "is not a year group" in error.message


SEN_HEADER = [*HEADER, "SEN Status", "Primary Need"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("N", SenStatus.NONE),
        ("k", SenStatus.SUPPORT),
        ("E", SenStatus.EHC_PLAN),
        ("K - SEN Support", SenStatus.SUPPORT),
        ("E - Education, Health and Care Plan", SenStatus.EHC_PLAN),
        ("No SEN", SenStatus.NONE),
        ("sen support", SenStatus.SUPPORT),
        ("EHC Plan", SenStatus.EHC_PLAN),
        ("EHCP", SenStatus.EHC_PLAN),
        ("", SenStatus.NONE),
    ],
)
def test_sen_status(text: str, expected: SenStatus) -> None:
    assert parse_csv([*pupil(), text, ""], header=SEN_HEADER).rows[0].sen_status is expected


@pytest.mark.parametrize("text", ["X", "Yes", "SEN", "K SEN Support", "KE"])
def test_bad_sen_status_is_an_error(text: str) -> None:
    error = only_error(parse_csv([*pupil(), text, ""], header=SEN_HEADER))
    assert error.column == "SEN Status" and "use N, K or E" in error.message


def test_primary_need_codes() -> None:
    result = parse_csv(
        [*pupil(1), "K", "asd"],
        [*pupil(2), "E", "SLCN - speech"],
        [*pupil(3), "K", "ADHD"],
        header=SEN_HEADER,
    )
    assert [r.primary_need for r in result.rows] == [PrimaryNeed.ASD, PrimaryNeed.SLCN]
    error = only_error(result)
    assert error.row == 4 and "'ADHD' is not a primary need code; use one of SPLD" in error.message


def test_primary_need_without_sen_is_a_warning() -> None:
    result = parse_csv([*pupil(), "N", "MLD"], header=SEN_HEADER)
    assert result.ok and "SEN status is N" in result.warnings[0].message


FLAG_HEADER = [*HEADER, "Pupil Premium", "FSM", "EAL", "CLA", "Young Carer"]


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (["Yes", "y", "TRUE", "t", "1"], [True] * 5),
        (["No", "N", "false", "F", "0"], [False] * 5),
        (["", " ", "", "", ""], [False] * 5),
    ],
)
def test_flags(texts: list[str], expected: list[bool]) -> None:
    row = parse_csv([*pupil(), *texts], header=FLAG_HEADER).rows[0]
    assert [row.pupil_premium, row.fsm, row.eal, row.looked_after, row.young_carer] == expected


def test_bad_flags_are_errors_naming_the_accepted_values() -> None:
    result = parse_csv([*pupil(), "maybe", "2", "Yes", "No", "x"], header=FLAG_HEADER)
    assert [(e.column, e.message) for e in result.errors] == [
        (
            "Pupil Premium",
            "'maybe' is not a yes/no value; use Yes/No, Y/N, True/False, T/F or "
            "1/0 (blank means No)",
        ),
        (
            "FSM",
            "'2' is not a yes/no value; use Yes/No, Y/N, True/False, T/F or 1/0 (blank means No)",
        ),
        (
            "Young Carer",
            "'x' is not a yes/no value; use Yes/No, Y/N, True/False, T/F or 1/0 (blank means No)",
        ),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("F", Gender.FEMALE),
        ("male", Gender.MALE),
        ("Female", Gender.FEMALE),
        ("", Gender.UNKNOWN),
        ("U", Gender.UNKNOWN),
        ("Unknown", Gender.UNKNOWN),
    ],
)
def test_gender(text: str, expected: Gender) -> None:
    row = parse_csv([*pupil(), text], header=[*HEADER, "Gender"]).rows[0]
    assert row.gender is expected


def test_bad_gender_is_an_error() -> None:
    error = only_error(parse_csv([*pupil(), "X"], header=[*HEADER, "Sex"]))
    assert (error.column, error.message) == (
        "Sex",
        "'X' is not a gender; use F, M, Female, Male, or leave it blank",
    )


# --- UPNs and names -----------------------------------------------------------------------


def test_upn_check_letter_error_names_the_expected_letter() -> None:
    result = parse_csv(["A801200005001", "Khan", "Mia", "25/10/2018", "3"])
    assert str(only_error(result)) == (
        "row 2, column UPN: The check letter does not match: for 801200005001 it should be B."
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [("B80120000500", "13 characters"), ("I801200005001", "never used"), ("", "is required")],
)
def test_malformed_upns_are_errors(value: str, message: str) -> None:
    assert message in only_error(parse_csv([value, "Khan", "Mia", "25/10/2018", "3"])).message


@pytest.mark.requirement("R29")
def test_upn_is_normalised() -> None:
    assert parse_csv([" b8012 00005001 ", "Khan", "Mia", "25/10/2018", "3"]).rows[0].upn == (
        "B801200005001"
    )


def test_duplicate_upn_is_an_error_on_the_later_row() -> None:
    result = parse_csv(pupil(1), pupil(2), pupil(1, forename="Ann"))
    assert str(only_error(result)) == f"row 4, column UPN: UPN {upn(1)} is already on row 2"
    assert [r.row_number for r in result.rows] == [2, 3]


def test_names_are_nfc_and_tidied() -> None:
    decomposed = unicodedata.normalize("NFD", "Zoë")
    row = parse_csv(pupil(surname=f"  O'Brien-{decomposed} ", forename="Mary\u00a0 Ann")).rows[0]
    assert row.legal_surname == "O'Brien-Zoë" and unicodedata.is_normalized(
        "NFC", row.legal_surname
    )
    assert row.legal_forename == "Mary Ann"


@pytest.mark.parametrize(
    ("surname", "message"),
    [
        ("Kh\x01an", "control or unprintable character (U+0001)"),
        ("Khan\tLee", "control or unprintable character (U+0009)"),
        ("\u202eKhan", "bidirectional control character (U+202E)"),
        ("Kh\u2066an", "bidirectional control character (U+2066)"),
        ("Kh\u200ban", "invisible formatting character (U+200B)"),
        ("Kh\ufeffan", "invisible formatting character (U+FEFF)"),
        ("x" * 101, "is 101 characters long; the limit is 100"),
        ("   ", "is required"),
        ('=HYPERLINK("http://x")', "begins with '=', which spreadsheets run as a formula"),
        ("@SUM(A1)", "begins with '@'"),
        ("+44 1234", "begins with '+'"),
        ("-2+3+cmd|' /C calc'!A0", "begins with '-'"),
        ("#REF!", "holds the Excel error value '#REF!'"),
        ("#n/a", "holds the Excel error value"),
    ],
)
def test_bad_names_are_errors(surname: str, message: str) -> None:
    error = only_error(parse_csv(pupil(surname=surname)))
    assert (error.row, error.column) == (2, "Legal Surname")
    assert message in error.message


def test_max_length_name_and_optional_names_are_accepted() -> None:
    result = parse_csv([*pupil(surname="x" * 100), ""], header=[*HEADER, "Preferred Name"])
    assert result.rows[0].legal_surname == "x" * 100 and result.rows[0].preferred_forename is None


def test_registration_group_length_follows_the_column() -> None:
    result = parse_csv([*pupil(), "x" * 21], header=[*HEADER, "Reg Group"])
    assert only_error(result).message == "is 21 characters long; the limit is 20"


def test_every_error_is_collected() -> None:
    result = parse_csv(
        pupil(1, surname="", dob="31/02/2016", year="Y99"),
        pupil(2),
        ["A801200005001", "Lee", "\u202eAnn", "2018-10-25", "3"],
    )
    assert [(e.row, e.column) for e in result.errors] == [
        (2, "Legal Surname"),
        (2, "Date of Birth"),
        (2, "Year"),
        (4, "UPN"),
        (4, "Legal Forename"),
    ]
    assert [r.row_number for r in result.rows] == [3]


# --- XLSX specifics (R52-R54) -------------------------------------------------------------


@pytest.mark.requirement("R52")
def test_defusedxml_protects_openpyxl() -> None:
    assert openpyxl.DEFUSEDXML is True


def test_xlsx_typed_cells() -> None:
    data = xlsx_bytes(
        [
            [*HEADER, "Date of Admission", "FSM", "Reg"],
            [upn(1), "Khan", "Mia", datetime(2018, 10, 25), 3, date(2022, 9, 1), True, 3],
            [upn(2), "Lee", "Ann", "25/10/2018", 3.0, None, 0, None],
        ]
    )
    result = parse_roll(data, "r.xlsx", today=TODAY)
    assert result.ok, result.errors
    mia, ann = result.rows
    assert mia.date_of_birth == date(2018, 10, 25) and mia.year_group is YearGroup.Y3
    assert (mia.admission_date, mia.fsm, mia.registration_group) == (date(2022, 9, 1), True, "3")
    assert (ann.year_group, ann.fsm) == (YearGroup.Y3, False)


def test_xlsx_number_in_a_date_column_is_an_error() -> None:
    result = parse_roll(
        xlsx_bytes([HEADER, [upn(1), "Khan", "Mia", 43398, "3"]]), "r.xlsx", today=TODAY
    )
    assert "is a number, not a date" in only_error(result).message


@pytest.mark.requirement("R54")
def test_xlsx_formulas_and_error_cells_are_never_stored() -> None:
    data = xlsx_bytes(
        [
            HEADER,
            [upn(1), '=HYPERLINK("http://evil","Khan")', "Mia", "25/10/2018", "=3"],
            [upn(2), "#REF!", "#N/A", "25/10/2018", "3"],
        ]
    )
    result = parse_roll(data, "r.xlsx", today=TODAY)
    assert [(e.row, e.column, e.message.split(";")[0]) for e in result.errors] == [
        (2, "Legal Surname", "holds a formula"),
        (2, "Year", "holds a formula"),
        (3, "Legal Surname", "holds the Excel error value '#REF!'"),
        (3, "Legal Forename", "holds the Excel error value '#N/A'"),
    ]
    assert result.rows == []


@pytest.mark.requirement("R53")
def test_xlsx_reads_the_first_visible_sheet() -> None:
    workbook = openpyxl.Workbook()
    hidden = workbook.active
    hidden.title = "Old"
    hidden.append(["nothing", "useful"])
    hidden.sheet_state = "hidden"
    roll = workbook.create_sheet("Roll")
    roll.append(HEADER)
    roll.append(pupil())
    workbook.active = 1
    out = io.BytesIO()
    workbook.save(out)
    result = parse_roll(out.getvalue(), "r.xlsx", today=TODAY)
    assert result.ok and result.rows[0].legal_surname == "Khan"


@pytest.mark.requirement("R53")
def test_xlsx_forged_dimension_is_not_trusted() -> None:
    data = xlsx_bytes([HEADER, pupil()])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    forged = re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:XFD1048576"/>', sheet)
    assert forged != sheet
    started = time.perf_counter()
    result = parse_roll(
        replace_part(data, "xl/worksheets/sheet1.xml", forged), "r.xlsx", today=TODAY
    )
    assert time.perf_counter() - started < 2 and len(result.rows) == 1


@pytest.mark.requirement("R53")
def test_xlsx_row_gap_is_capped() -> None:
    data = xlsx_bytes([HEADER, pupil()])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    # Move the pupil from row 2 to Excel's last row: read-only openpyxl fills the gap.
    far = re.sub(r'(<row r="|<c r="[A-Z]+)2"', r'\g<1>1048576"', sheet)
    assert 'r="A1048576"' in far
    started = time.perf_counter()
    refused(replace_part(data, "xl/worksheets/sheet1.xml", far.encode()), "r.xlsx", "blank rows")
    assert time.perf_counter() - started < 2


def test_xlsx_too_many_rows_is_refused() -> None:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(HEADER)
    for n in range(MAX_DATA_ROWS + 5):
        sheet.append(pupil(n))
    out = io.BytesIO()
    workbook.save(out)
    refused(out.getvalue(), "r.xlsx", f"more than {MAX_DATA_ROWS:,} pupils")


@pytest.mark.requirement("R52")
@pytest.mark.parametrize("payload", [BILLION_LAUGHS, XXE], ids=["billion-laughs", "xxe"])
@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/workbook.xml"])
def test_xml_bombs_in_a_real_xlsx_are_refused(payload: bytes, part: str) -> None:
    data = replace_part(xlsx_bytes([HEADER, pupil()]), part, payload)
    started = time.perf_counter()
    with pytest.raises(ImportFileError) as caught:
        parse_roll(data, "r.xlsx", today=TODAY)
    assert time.perf_counter() - started < 2
    assert "XML" in str(caught.value) or "could not be read" in str(caught.value)
    assert "Traceback" not in str(caught.value)


@pytest.mark.requirement("R52")
def test_billion_laughs_sheet_names_the_xml_problem() -> None:
    data = replace_part(xlsx_bytes([HEADER, pupil()]), "xl/worksheets/sheet1.xml", BILLION_LAUGHS)
    refused(data, "r.xlsx", "XML entity declarations")


@pytest.mark.requirement("R52")
def test_xlsx_refused_when_defusedxml_is_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(openpyxl, "DEFUSEDXML", False)
    refused(xlsx_bytes([HEADER, pupil()]), "r.xlsx", "defusedxml is not active")


def test_damaged_xlsx_is_refused_cleanly() -> None:
    data = xlsx_bytes([HEADER, pupil()])
    sheet = "xl/worksheets/sheet1.xml"
    refused(replace_part(data, sheet, b"<worksheet><sheetData><row"), "r.xlsx", "could not be read")
    refused(replace_part(data, "xl/workbook.xml", b"not xml"), "r.xlsx", "could not be read")


# --- properties: nothing but ImportFileError, whatever the bytes ---------------------------


def _parse_or_refuse(data: bytes, name: str) -> ParseResult | None:
    try:
        result = parse_roll(data, name, today=TODAY)
    except ImportFileError as exc:
        assert str(exc) and "Traceback" not in str(exc)
        return None
    for issue in result.errors + result.warnings:
        assert re.fullmatch(r"row \d+, column .+: .+", str(issue), flags=re.S)
    return result


@pytest.mark.requirement("R57")
@HYPOTHESIS
@given(data=st.binary(max_size=4096), name=st.sampled_from(["r.csv", "r.xlsx"]))
def test_any_bytes_raise_only_import_file_error(data: bytes, name: str) -> None:
    _parse_or_refuse(data, name)


@HYPOTHESIS
@given(data=st.binary(max_size=2048))
def test_any_bytes_after_a_zip_magic_raise_only_import_file_error(data: bytes) -> None:
    _parse_or_refuse(b"PK\x03\x04" + data, "r.xlsx")


CELL_TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from(list(',;\t"\r\n =+-@#/ \ufeff\u202e\u200b\x00')),
        st.characters(exclude_categories=["Cs"]),
    ),
    max_size=20,
)


@HYPOTHESIS
@given(
    rows=st.lists(st.lists(CELL_TEXT, max_size=8), max_size=8),
    delimiter=st.sampled_from([",", ";", "\t"]),
    encoding=st.sampled_from(["utf-8", "cp1252"]),
)
def test_csv_like_text_raises_only_import_file_error(
    rows: list[list[str]], delimiter: str, encoding: str
) -> None:
    lines = [delimiter.join(HEADER)] + [delimiter.join(row) for row in rows]
    data = "\r\n".join(lines).encode(encoding, errors="replace")
    result = _parse_or_refuse(data, "r.csv")
    if result is not None:
        for row in result.rows:
            for name in (row.legal_surname, row.legal_forename):
                assert name == name.strip() and unicodedata.is_normalized("NFC", name)
                assert not any(unicodedata.category(ch).startswith("C") for ch in name)
                assert name[0] not in "=+-@"


@HYPOTHESIS
@given(
    rows=st.lists(
        st.tuples(
            st.integers(0, 10**6),
            CELL_TEXT,
            CELL_TEXT,
            CELL_TEXT,
            st.sampled_from(["R", "Year 3", "7", "N1", "x", ""]),
        ),
        max_size=10,
    )
)
def test_quoted_csv_rows_raise_only_import_file_error(rows: list[tuple]) -> None:
    data = csv_bytes(*[[upn(n), s, f, d, y] for n, s, f, d, y in rows])
    _parse_or_refuse(data, "r.csv")


@pytest.fixture(scope="module")
def small_xlsx() -> bytes:
    return xlsx_bytes([HEADER, pupil(1), pupil(2)])


@pytest.mark.requirement("R57")
@HYPOTHESIS
@given(st.data())
def test_mutated_xlsx_raises_only_import_file_error(small_xlsx: bytes, data: st.DataObject) -> None:
    buf = bytearray(small_xlsx)
    for _ in range(data.draw(st.integers(1, 8))):
        buf[data.draw(st.integers(0, len(buf) - 1))] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(4, len(buf)))
    _parse_or_refuse(bytes(buf[:cut]), "r.xlsx")
