"""Reading what we publish as a reader would: workbook tables, every part of an xlsx, PDF text."""

import io
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import range_boundaries
from pypdf import PdfReader

SYMBOLS = {"[c]", "[z]"}
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"


def named_tables(data: bytes) -> dict[str, tuple[list[str], list[list[object]]]]:
    """{sheet: (header, rows)} for the one Excel table on each sheet, read from its own range."""
    wb = load_workbook(io.BytesIO(data))
    found = {}
    for ws in wb.worksheets:
        for table in ws.tables.values():
            min_col, min_row, max_col, max_row = range_boundaries(table.ref)
            grid = [
                [cell.value for cell in row]
                for row in ws.iter_rows(
                    min_row=min_row, max_row=max_row, min_col=min_col, max_col=max_col
                )
            ]
            found[ws.title] = ([str(v) for v in grid[0]], grid[1:])
    return found


def every_part(data: bytes) -> str:
    """Every file inside the xlsx zip, as text (shared strings, sheets, properties, tables)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "\n".join(
            archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
        )


def pdf_text(data: bytes) -> str:
    """All the text a reader (or a screen reader) gets from a PDF."""
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def pdf_pages(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


def small_numbers_in_text(text: str, threshold: int) -> list[str]:
    """Standalone whole numbers from 1 to the threshold left once dates, page numbers and the
    stated threshold are taken out. Signed numbers (+3, −2) and changes in words (up 3) are
    differences between figures shown beside them, or scores, not counts;
    decimals, percentages and pounds are not counts either."""
    text = re.sub(rf"\b\d{{1,2}} (?:{MONTHS}) \d{{4}}\b", " ", text)
    text = re.sub(r"\bPage \d+ of \d+\b", " ", text)
    text = re.sub(r"\d{1,2}/\d{1,2}/\d{4}", " ", text)
    text = re.sub(rf"\b1 to {threshold}\b", " ", text)
    text = re.sub(r"\(\d{4}/\d{2}\)", " ", text)  # an academic year, (2026/27)
    text = re.sub(r"\b(?:up|down) [£\d.,]+", " ", text)  # a change between two shown figures
    tokens = re.findall(r"(?<![\w.+−£/-])(\d+)(?![\w.%/])", text)
    return [t for t in tokens if 1 <= int(t) <= threshold]


def require_soffice() -> str:
    """LibreOffice's soffice; in CI a missing one is a failure (.ci/run installs it)."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail("soffice not found: CI must install Debian's libreoffice-calc-nogui")
    pytest.skip("needs LibreOffice (apt-get install libreoffice-calc-nogui)")


def convert_to_pdf(data: bytes, folder: Path, name: str = "book.xlsx") -> bytes:
    """The workbook opened and printed to PDF by LibreOffice headless."""
    soffice = require_soffice()
    source = folder / name
    source.write_bytes(data)
    profile = folder / "lo-profile"  # a profile of its own, so parallel runs don't collide
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return source.with_suffix(".pdf").read_bytes()
