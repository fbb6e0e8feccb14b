"""Sessions attended by each pupil on an intervention: the register, plus any earlier count.

Before the session register (issue 13) staff typed one number per pupil; migration 0014 kept
it, read-only, as `sessions_before_register`. A pupil's sessions attended are the register
sessions they were marked present at plus that earlier count, and pages showing the figure
say which part is which. A pupil with neither a register line nor a count has attendance "not
recorded", as a blank typed count meant before.

Readers that load participants get every pupil's counts from one grouped query
(`attendance_by_participant`); readers that select columns add `attended_column()`, which is
part of their own statement, so no page asks once per pupil.
"""

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from school_tracker.extensions import db
from school_tracker.models import InterventionParticipant, SessionAttendance

REGISTER = "on the register"
BEFORE_REGISTER = "recorded as a count before the register"


@dataclass(frozen=True)
class Attendance:
    """One pupil's attendance on one intervention, in its two parts."""

    present: int = 0  # register sessions they were marked present at
    marked: int = 0  # register sessions they were on, present or absent
    before_register: int | None = None  # the count typed before the register existed

    @property
    def recorded(self) -> bool:
        return self.marked > 0 or self.before_register is not None

    @property
    def attended(self) -> int | None:
        """Sessions attended in all, or None when nothing about attendance was recorded."""
        if not self.recorded:
            return None
        return self.present + (self.before_register or 0)

    @property
    def parts(self) -> str:
        """Which part of the figure is which, e.g. "3 on the register + 2 recorded as a count
        before the register"; blank when nothing was recorded."""
        if not self.recorded:
            return ""
        register = f"{self.present} of {self.marked} {REGISTER}" if self.marked else ""
        before = (
            f"{self.before_register} {BEFORE_REGISTER}" if self.before_register is not None else ""
        )
        return " + ".join(part for part in (register, before) if part)


def attendance_by_participant(
    parts: Iterable[InterventionParticipant],
) -> dict[int, Attendance]:
    """Each participant's attendance by id, from one grouped count of the register."""
    parts = list(parts)
    counts: dict[int, tuple[int, int]] = {}
    if parts:
        rows = db.session.execute(
            sa.select(
                SessionAttendance.participant_id,
                sa.func.count(),
                sa.func.sum(sa.case((SessionAttendance.present, 1), else_=0)),
            )
            .where(SessionAttendance.participant_id.in_([part.id for part in parts]))
            .group_by(SessionAttendance.participant_id)
        )
        counts = {part_id: (int(present or 0), marked) for part_id, marked, present in rows}
    return {
        part.id: Attendance(*counts.get(part.id, (0, 0)), part.sessions_before_register)
        for part in parts
    }


def _register_lines(present_only: bool) -> sa.ScalarSelect[int]:
    lines = sa.select(sa.func.count()).where(
        SessionAttendance.participant_id == InterventionParticipant.id
    )
    if present_only:
        lines = lines.where(SessionAttendance.present.is_(True))
    return lines.correlate(InterventionParticipant).scalar_subquery()


def present_column() -> sa.ColumnElement[int]:
    """Register sessions the participant was present at, for a statement over participants."""
    return _register_lines(present_only=True)


def attended_column() -> sa.ColumnElement[int | None]:
    """Sessions attended (register presents + the earlier count), NULL when nothing was
    recorded, for a statement that selects from intervention_participants."""
    before = InterventionParticipant.sessions_before_register
    return sa.case(
        (sa.and_(before.is_(None), _register_lines(present_only=False) == 0), sa.null()),
        else_=_register_lines(present_only=True) + sa.func.coalesce(before, 0),
    )
