"""Helpers for the roll-import tests: valid UPNs, CSV files and the sample MIS export."""

import csv
import io

import pytest
from stdnum.gb import upn as stdnum_upn
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from school_tracker import ROOT

SAMPLE = ROOT / "tests" / "data" / "sample_mis_export.csv"
SAMPLE_PUPILS = 40
HEADER = [
    "UPN",
    "Legal Surname",
    "Legal Forename",
    "Preferred Forename",
    "Date of Birth",
    "Gender",
    "Year",
    "Reg Group",
    "SEN Status",
    "Pupil Premium",
    "FSM",
    "EAL",
    "In Care",
    "Young Carer",
    "Admission Date",
]


def sample_bytes() -> bytes:
    """The SIMS-style sample export in tests/data; a missing file is a failure, not a skip."""
    if not SAMPLE.is_file():
        pytest.fail(f"the sample MIS export is missing: {SAMPLE}")
    return SAMPLE.read_bytes()


def upn(n: int, la: int = 8013) -> str:
    """A valid UPN with the check letter computed by python-stdnum."""
    digits = f"{la:04d}{n:08d}"
    return stdnum_upn.calc_check_digit(digits) + digits


def row(n: int, **values: str) -> dict[str, str]:
    """One pupil row (a Year 3 child) with any column overridden by header name."""
    base = {
        "UPN": upn(n),
        "Legal Surname": f"Surname{n}",
        "Legal Forename": f"Forename{n}",
        "Preferred Forename": "",
        "Date of Birth": "25/10/2018",
        "Gender": "F",
        "Year": "Year 3",
        "Reg Group": "3A",
        "SEN Status": "N",
        "Pupil Premium": "No",
        "FSM": "No",
        "EAL": "No",
        "In Care": "No",
        "Young Carer": "No",
        "Admission Date": "04/09/2022",
    }
    base.update(values)
    return base


def csv_bytes(rows: list[dict[str, str]], header: list[str] | None = None, enc="utf-8") -> bytes:
    """A CRLF CSV of these rows under the header (default: every column)."""
    header = header or HEADER
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\r\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode(enc)


def roll_csv(count: int, start: int = 1, **values: str) -> bytes:
    """A CSV of `count` pupils numbered from `start`."""
    return csv_bytes([row(n, **values) for n in range(start, start + count)])


def upload(client, data: bytes, name: str = "roll.csv"):
    # Encoded here in memory: the test client spools bodies over 500 kB to a temporary file
    # that it never closes, which the suite's warnings-as-errors would report.
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), filename=name)})
    return client.post(
        "/imports/", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def preview_id(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return response.headers["Location"].rsplit("/", 1)[-1]
