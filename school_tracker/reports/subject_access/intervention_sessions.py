"""The subject-access sheet of a pupil's intervention sessions, and their attendance figures.

One row per session register line about this pupil: present or absent, the reason and the
note written about them. A group session's own note is written about the whole group, so it
is withheld like the group's other shared text; an individual session's note is shown. Its own
module so sheets.py does not grow.
"""

from collections import Counter
from datetime import date

from school_tracker.models import InterventionMode, InterventionParticipant, SessionAttendance
from school_tracker.records.attendance import Attendance
from school_tracker.reports.subject_access.data import PupilFile
from school_tracker.reports.tabular import Col, attr

TITLE = "Intervention sessions"
# Chronology wording beside the mentoring sessions'.
KIND = "Intervention session"


def attendance_of(data: PupilFile) -> dict[int, Attendance]:
    """Each of the pupil's places' attendance, counted from the register lines already loaded."""
    marked = Counter(line.participant_id for line in data.register)
    present = Counter(line.participant_id for line in data.register if line.present)
    return {
        part.id: Attendance(present[part.id], marked[part.id], part.sessions_before_register)
        for part in data.participations
    }


def session_sheet(data: PupilFile, group_withheld: str) -> tuple[str, list[Col], list]:
    """(title, columns, rows): every register line about the pupil, oldest session first."""
    places: dict[int, InterventionParticipant] = {p.id: p for p in data.participations}

    def place(line: SessionAttendance) -> InterventionParticipant:
        return places[line.participant_id]

    def session_note(line: SessionAttendance) -> str:
        note = line.session.note
        if note and place(line).intervention.mode is InterventionMode.GROUP:
            return group_withheld
        return note

    cols = [
        Col("Intervention", 11, lambda line: place(line).intervention_id, text=False),
        Col("Type", 24, lambda line: place(line).intervention.type.name),
        Col("Held on", 12, lambda line: line.session.held_on),
        Col("Minutes", 9, lambda line: line.session.minutes, text=False),
        Col("Attendance", 10, lambda line: "Present" if line.present else "Absent"),
        Col("Why absent", 30, attr("absence_reason")),
        Col("Note about this pupil", 40, attr("note")),
        Col("Note on the session", 40, session_note),
        Col("Recorded by", 22, lambda line: data.name(line.session.created_by_id)),
    ]
    return TITLE, cols, data.register


def session_entries(data: PupilFile) -> list[tuple[date, str, str]]:
    """(date, kind, what) chronology lines: one per session the pupil was on the register for."""
    places = {p.id: p for p in data.participations}
    return [
        (
            line.session.held_on,
            KIND,
            f"{'Present at' if line.present else 'Absent from'} a session of "
            f"{line.session.minutes} minutes "
            f"({places[line.participant_id].intervention.type.name})",
        )
        for line in data.register
    ]
