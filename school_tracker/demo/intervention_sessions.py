"""Demo session registers: the sessions each intervention held and who was at each one.

The demo's "sessions attended" come from these registers, as a real school's do since the
register (issue 13): every pupil taking part on a session's date gets a line, present with
the chance the seed gave them (a pupil who did well mostly came), absent now and then with a
reason.

Registers draw from a random stream of their own, seeded from the intervention, so adding them
left every other figure the seed makes as it was.
"""

import random
from datetime import UTC, date, datetime, time, timedelta

from school_tracker.interventions.register import on_register
from school_tracker.models import (
    Intervention,
    InterventionParticipant,
    InterventionSession,
    SessionAttendance,
)

MINUTES = (20, 30, 30, 45, 60)
ABSENCE_REASONS = (
    "Unwell",
    "On a school trip",
    "Assessment in class",
    "Medical appointment",
    "Music lesson at the same time",
)
SESSION_NOTES = (
    "Good focus today; everyone joined in.",
    "Short session: the room was needed for an assessment.",
    "Started with a check-in; two pupils needed time to settle.",
    "Tried the new visual timetable; it helped.",
)
PUPIL_NOTES = (
    "Quiet today; checked in with the class teacher afterwards.",
    "Led the opening game with confidence.",
    "Needed a movement break halfway through.",
)


def held_on_dates(first: date, last: date, count: int) -> list[date]:
    """`count` school days spread evenly from `first` to `last` (fewer if there aren't as many)."""
    days = [
        first + timedelta(days=n)
        for n in range((last - first).days + 1)
        if (first + timedelta(days=n)).weekday() < 5
    ]
    if count >= len(days):
        return days
    if count <= 1:
        return days[:count]
    step = (len(days) - 1) / (count - 1)
    return [days[round(n * step)] for n in range(count)]


def add_register(
    record: Intervention,
    held: int,
    chance: dict[InterventionParticipant, float],
    today: date,
) -> None:
    """Add `held` sessions to `record`, each with a line for every pupil taking part that day.

    `chance` is each pupil's likelihood of being present at a session."""
    rng = random.Random(f"register {record.start_date} {record.type.name} {record.lead_id}")
    last = min(record.end_date or today, today)
    for day in held_on_dates(record.start_date, last, held):
        pupils = on_register(record, day)
        if not pupils:
            continue
        session = InterventionSession(
            held_on=day,
            minutes=rng.choice(MINUTES),
            note=rng.choice(SESSION_NOTES) if rng.random() < 0.1 else "",
            created_by_id=record.lead_id,
            created_at=datetime.combine(day, time(15, 30), tzinfo=UTC),
        )
        for part in pupils:
            present = rng.random() < chance.get(part, 0.8)
            session.attendance.append(
                SessionAttendance(
                    participant=part,
                    present=present,
                    absence_reason=(
                        None if present or rng.random() < 0.4 else rng.choice(ABSENCE_REASONS)
                    ),
                    note=rng.choice(PUPIL_NOTES) if rng.random() < 0.03 else "",
                )
            )
        record.sessions.append(session)
