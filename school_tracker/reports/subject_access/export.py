"""One pupil's whole file: the subject-access export and the transfer pack (R70, R71).

Everything held about the pupil, and nothing about any other child: another pupil is only
ever "another pupil", and what another pupil said or wrote (a peer mentor's reflection, the
mentee's voice when this pupil was the mentor, a group's shared notes) is replaced by a
visible redaction marker. Free text is shown as written, so whoever releases the file still
reads it for third parties, as the ICO expects.
"""

from datetime import UTC, datetime
from typing import IO

from openpyxl import Workbook

from school_tracker.audit import record_audit
from school_tracker.calendar.terms import school_today
from school_tracker.models import Pupil, User
from school_tracker.reports.subject_access import sheets, versions
from school_tracker.reports.subject_access.data import PupilFile, load_pupil_file
from school_tracker.reports.tabular import key_value_sheet, write_sheet
from school_tracker.reports.xlsx import download_name, set_properties

SUBJECT_ACCESS = "subject_access"
TRANSFER = "transfer_pack"
COVERS = {
    SUBJECT_ACCESS: (
        "Subject access export: everything held about one pupil",
        "Prepared for a subject access request. Read every free-text cell before release: "
        "text is shown as staff wrote it and may mention other people.",
    ),
    TRANSFER: (
        "Transfer pack: for the receiving school's DSL",
        "The pupil's complete pastoral and exclusion-risk file from this school, for secure "
        "transfer to the receiving school's designated safeguarding lead. Send it by a secure "
        "route, separately from the main pupil file, and ask them to confirm receipt.",
    ),
}
REDACTION_NOTE = (
    f"'{sheets.ANOTHER}' stands for any other child. '{sheets.WITHHELD}' replaces what another "
    f"pupil said or wrote, and '{sheets.GROUP_WITHHELD}' replaces notes written about a whole "
    "group, which may describe other children; the school can review those on request."
)


def build_pupil_file(data: PupilFile, purpose: str, school_name: str, out: IO[bytes]) -> dict:
    """Write the pupil's file to `out`; returns the rows written per sheet."""
    title, about = COVERS[purpose]
    wb = Workbook(write_only=True)
    set_properties(wb, title=title, subject=school_name, keywords="confidential")
    pupil = data.pupil
    key_value_sheet(
        wb,
        "Cover",
        [
            ("Report", title),
            ("About this file", about),
            ("School", school_name),
            ("Pupil", f"{pupil.legal_forename} {pupil.legal_surname}"),
            ("UPN", pupil.upn),
            ("Generated", datetime.now(UTC).replace(microsecond=0)),
            ("Other children", REDACTION_NOTE),
        ],
    )
    counts = {"Pupil": key_value_sheet(wb, "Pupil", sheets.pupil_fields(pupil))}
    chronology = sheets.chronology(data)
    counts["Chronology"] = write_sheet(wb, "Chronology", sheets.CHRONOLOGY, chronology)
    for title_, cols, rows in sheets.record_sheets(data):
        counts[title_] = write_sheet(wb, title_, cols, rows)
    if purpose == SUBJECT_ACCESS:
        counts["Transfers"] = write_sheet(
            wb, "Transfers", sheets.transfer_cols(data), data.transfers
        )
        counts["Record access log"] = write_sheet(
            wb, "Record access log", sheets.access_cols(data), data.access
        )
        counts[versions.TITLE] = write_sheet(
            wb, versions.TITLE, versions.COLUMNS, versions.version_lines(data)
        )
    wb.save(out)
    return counts


def export_pupil_file(
    pupil: Pupil, purpose: str, *, by: User | None, out: IO[bytes], entity_id: int | None = None
) -> str:
    """Build the pupil's file into `out`, audit it (R62) and return the generated file name."""
    data = load_pupil_file(pupil, with_access_log=purpose == SUBJECT_ACCESS)
    school = pupil.school
    counts = build_pupil_file(data, purpose, school.name, out)
    record_audit(
        by,
        "export",
        purpose,
        entity_id,
        school_id=pupil.school_id,
        pupil_id=pupil.id,
        changes={"report": purpose, "rows": counts},
    )
    stamp = school_today().isoformat()  # the date the school sees, not the UTC date
    kind = "subject-access" if purpose == SUBJECT_ACCESS else "transfer-pack"
    return download_name(school.slug, kind, f"pupil-{pupil.id}", stamp)
