"""Stream the rows of a roll file (CSV text or an XLSX workbook) as cells, refusing hostile input.

Nothing is written to disk; workbooks are read with openpyxl in read-only mode under defusedxml.
"""

import csv
import io
from collections.abc import Generator

import openpyxl
from defusedxml import DefusedXmlException

from school_tracker.imports.filecheck import SAVE_AS_XLSX, ImportFileError
from school_tracker.imports.values import Cell

MAX_COLUMNS = 60


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


def csv_rows(text: str) -> Generator[tuple[int, list[Cell]]]:
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


def xlsx_rows(data: bytes) -> Generator[tuple[int, list[Cell]]]:
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
