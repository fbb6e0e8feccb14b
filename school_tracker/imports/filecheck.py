"""Decide what an uploaded roll file really is, and refuse hostile files before any parsing.

Everything here reads the bytes in memory; nothing is ever written to or extracted onto disk
(R50, R51, R56). The file name is used only for its extension, never as a path.
"""

import io
import stat
import zipfile
from typing import Literal

MAX_FILE_BYTES = 5 * 1024 * 1024
# ZIP central-directory caps, checked before openpyxl opens the workbook (R51): openpyxl has
# no limits of its own, and zipfile stops reading at the declared size and checks the CRC, so
# capping the declared sizes caps what can ever be inflated.
MAX_ZIP_TOTAL_UNCOMPRESSED = 50 * 1024 * 1024
MAX_ZIP_ENTRY_UNCOMPRESSED = 40 * 1024 * 1024
MAX_ZIP_RATIO = 100
# Tiny, very regular parts (an empty styles list) can legitimately compress beyond 100:1; a
# bomb needs volume, so the ratio is only judged on entries at least this large.
ZIP_RATIO_MIN_BYTES = 64 * 1024
MAX_ZIP_ENTRIES = 1_000

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0"
REQUIRED_XLSX_PARTS = ("[Content_Types].xml", "xl/workbook.xml")

SAVE_AS_XLSX = "Save it from Excel as an .xlsx workbook (without a password) or as CSV UTF-8."

# Common binary formats people pick by mistake; named so the message can say what it is.
_OTHER_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"Rar!", "a RAR archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
)

FileKind = Literal["csv", "xlsx"]


class ImportFileError(Exception):
    """The file cannot be imported at all; the message is safe and meant for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


def _extension(filename: str) -> str:
    # Browsers may send a full Windows path; only the last component's suffix matters.
    base = filename.replace("\\", "/").rsplit("/", 1)[-1].strip().lower()
    return base.rsplit(".", 1)[-1] if "." in base else ""


def detect_kind(data: bytes, filename: str) -> FileKind:
    """Return "csv" or "xlsx" judged by content, or raise ImportFileError saying why not."""
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(
            f"The file is {len(data) / (1024 * 1024):.1f} MB; the limit is "
            f"{MAX_FILE_BYTES // (1024 * 1024)} MB."
        )
    if not data:
        raise ImportFileError("The file is empty.")
    ext = _extension(filename)
    if ext in ("xls", "xlsm", "xlsb"):
        raise ImportFileError(f"Files of type .{ext} are not accepted. {SAVE_AS_XLSX}")
    if ext not in ("csv", "xlsx"):
        raise ImportFileError("Only .csv and .xlsx files can be imported.")

    if data.startswith(OLE2_MAGIC):
        # Old .xls files and password-protected .xlsx files both arrive as OLE2 containers.
        raise ImportFileError(
            "This is an old-style Excel file or a password-protected workbook, which cannot "
            f"be read. {SAVE_AS_XLSX}"
        )
    for magic, what in _OTHER_MAGIC:
        if data.startswith(magic):
            raise ImportFileError(f"This file is {what}, not a CSV file or an .xlsx workbook.")

    if data.startswith(ZIP_MAGIC):
        if ext != "xlsx":
            raise ImportFileError(
                "This file is a ZIP archive or workbook but is named .csv; "
                "upload the .xlsx workbook itself or save it as CSV UTF-8."
            )
        check_xlsx_zip(data)
        return "xlsx"
    if ext == "xlsx":
        raise ImportFileError(
            f"This file is named .xlsx but is not an Excel workbook. {SAVE_AS_XLSX}"
        )
    return "csv"


def _unsafe_name(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    absolute = name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":")
    return absolute or ".." in parts or "\x00" in name


# The MS-DOS "directory" attribute, in the low byte of a ZIP entry's external attributes.
_DOS_DIRECTORY = 0x10


def _not_a_plain_file(info: zipfile.ZipInfo) -> bool:
    """A folder, symlink, device or pipe entry: never in a workbook Excel or LibreOffice writes.

    Nothing is ever extracted, so such an entry does no harm here, but a file carrying one was
    built by hand and is refused like any other file that is not a real workbook.
    """
    # Unix tools keep st_mode in the high 16 bits; a file type of 0 (Python's zipfile writes
    # plain 0o600) means "not said", which is a plain file.
    file_type = stat.S_IFMT(info.external_attr >> 16)
    return (
        info.is_dir()
        or bool(info.external_attr & _DOS_DIRECTORY)
        or file_type not in (0, stat.S_IFREG)
    )


def check_xlsx_zip(data: bytes) -> None:
    """Refuse a workbook ZIP whose central directory is hostile or is not an .xlsx at all."""
    bad = ImportFileError(f"The workbook is damaged or is not a real .xlsx file. {SAVE_AS_XLSX}")
    try:
        # Opening reads only the central directory; no entry is inflated here.
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise bad from exc

    if len(infos) > MAX_ZIP_ENTRIES:
        raise ImportFileError(
            f"The workbook has {len(infos):,} parts; at most {MAX_ZIP_ENTRIES:,} are allowed."
        )
    names: set[str] = set()
    total = 0
    for info in infos:
        name = info.filename
        if _unsafe_name(name):
            raise ImportFileError("The workbook contains a part with an unsafe name.")
        if _not_a_plain_file(info):
            raise ImportFileError(
                "The workbook contains a link or folder entry, which Excel never writes. "
                f"{SAVE_AS_XLSX}"
            )
        if name in names:
            raise ImportFileError("The workbook contains the same part twice.")
        names.add(name)
        if info.flag_bits & 0x1:
            raise ImportFileError(f"The workbook is encrypted. {SAVE_AS_XLSX}")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise bad
        if info.file_size > MAX_ZIP_ENTRY_UNCOMPRESSED:
            raise ImportFileError(
                "The workbook has a part that expands beyond "
                f"{MAX_ZIP_ENTRY_UNCOMPRESSED // (1024 * 1024)} MB; it is refused as a "
                "possible zip bomb."
            )
        if info.file_size >= ZIP_RATIO_MIN_BYTES and info.file_size > MAX_ZIP_RATIO * max(
            info.compress_size, 1
        ):
            raise ImportFileError(
                f"The workbook has a part compressed more than {MAX_ZIP_RATIO}:1; it is "
                "refused as a possible zip bomb."
            )
        total += info.file_size
        if total > MAX_ZIP_TOTAL_UNCOMPRESSED:
            raise ImportFileError(
                "The workbook expands beyond "
                f"{MAX_ZIP_TOTAL_UNCOMPRESSED // (1024 * 1024)} MB; it is refused as a "
                "possible zip bomb."
            )

    for part in REQUIRED_XLSX_PARTS:
        if part not in names:
            raise bad
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise ImportFileError(f"The workbook contains macros (.xlsm). {SAVE_AS_XLSX}")


def decode_csv(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes as UTF-8 (BOM allowed) or else cp1252; return (text, encoding)."""
    if b"\x00" in data:
        # Python's csv module accepts NUL, but PostgreSQL text columns refuse it (R28, R55).
        raise ImportFileError(
            "The file contains NUL bytes; it may be UTF-16 or not a CSV file. Save it as CSV UTF-8."
        )
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as exc:
        if data.startswith(b"\xef\xbb\xbf"):
            raise ImportFileError(
                f"The file is marked as UTF-8 but is not valid UTF-8 (near byte {exc.start}). "
                "Save it again as CSV UTF-8."
            ) from None
    try:
        # Excel's plain "CSV" on Windows; the caller tells the user which encoding was used.
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        raise ImportFileError(
            "The file is neither UTF-8 nor Windows-1252 text. Save it as CSV UTF-8."
        ) from None
