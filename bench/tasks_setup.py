"""The people and records the task benchmark works with, in the trust's 1,500-pupil school.

Everything is made or chosen on the run's throwaway copy of the trust database: a nurture
group of six (created through the real new-intervention form), forty staff, a registration
group, an active mentoring pairing and a pupil to find by three letters of their surname.
"""

import re
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from bench.scenarios import Bench
from school_tracker.calendar.terms import school_today
from school_tracker.extensions import db
from school_tracker.models import (
    Intervention,
    InterventionMode,
    InterventionType,
    MentoringPairing,
    PairingStatus,
    Pupil,
    User,
)
from school_tracker.records.pickers import pupil_label, staff_choices

SCHOOL = "demo-6"  # Cedar Park Academy: 1,500 on roll, a secondary
LEADER = f"leader@{SCHOOL}.school"
GROUP_SIZE, INSET_STAFF = 6, 40
MARKER = "task benchmark nurture group"


@dataclass(frozen=True)
class TaskWorld:
    """What each task needs: ids, and the names a person would read on the page."""

    school_id: int
    on_roll: int
    intervention_id: int
    group_names: list[str]  # display names, as the register and outcome pages show them
    staff_names: list[str]  # as the CPD forms list them
    class_group: str
    class_pupils: list[tuple[str, str, str]]  # select label, display name, surname
    pairing_id: int
    find_label: str  # "Surname, Forename (Year 9)"
    find_name: str  # "Forename Surname"
    find_surname: str
    find_letters: str  # its first three, lower case


def _on_roll(school_id: int) -> sa.Select:
    return sa.select(Pupil).where(Pupil.school_id == school_id, Pupil.leaving_date.is_(None))


def _unique(names: list[str]) -> list[str]:
    """Names that appear once (a person picks by name; twins by name are another task)."""
    return [name for name in names if names.count(name) == 1]


def _nurture_group(bench: Bench, school_id: int, leader_id: int) -> tuple[int, list[str]]:
    """A group of six with no sessions yet, made through the new-intervention form."""
    pupils = db.session.scalars(
        _on_roll(school_id).order_by(Pupil.legal_surname, Pupil.id).limit(200)
    ).all()
    names = _unique([p.display_name for p in pupils])
    chosen = [p for p in pupils if p.display_name in names][:GROUP_SIZE]
    kind = db.session.scalar(
        sa.select(InterventionType.id)
        .where(InterventionType.school_id == school_id, InterventionType.active.is_(True))
        .order_by(InterventionType.id)
    )
    start = school_today() - timedelta(days=14)
    response = bench.client(LEADER).post(
        "/interventions/new",
        data={
            "type_id": kind,
            "mode": InterventionMode.GROUP.value,
            "pupil_ids": [p.id for p in chosen],
            "lead_id": leader_id,
            "intended_outcome": "Settles into lessons after break.",
            "planned_sessions": "12",
            "frequency": "weekly",
            "cost": "300.00",
            "funding_stream": "pupil_premium",
            "start_date": start.isoformat(),
            "review_date": (start + timedelta(days=42)).isoformat(),
            "notes": MARKER,
        },
    )
    if response.status_code != 302:
        refused = re.findall(r'id="([^"]+)-error"[^>]*>([^<]+)<', response.get_data(as_text=True))
        raise RuntimeError(f"could not create the nurture group: {refused}")
    made = db.session.scalar(
        sa.select(Intervention.id)
        .where(Intervention.school_id == school_id, Intervention.notes == MARKER)
        .order_by(Intervention.id.desc())
    )
    if made is None:
        raise RuntimeError("the nurture group was saved but cannot be found")
    return made, [p.display_name for p in chosen]


def _class(school_id: int) -> tuple[str, list[tuple[str, str, str]]]:
    """The smallest registration group of at least 25 (a class), with select labels."""
    sizes = db.session.execute(
        sa.select(Pupil.registration_group, sa.func.count())
        .where(Pupil.school_id == school_id, Pupil.leaving_date.is_(None))
        .where(Pupil.registration_group.is_not(None))
        .group_by(Pupil.registration_group)
        .having(sa.func.count() >= 25)
        .order_by(sa.func.count(), Pupil.registration_group)
    ).first()
    if sizes is None:
        raise RuntimeError(f"{SCHOOL} has no registration group of 25 or more")
    group = str(sizes[0])
    pupils = db.session.scalars(
        _on_roll(school_id)
        .where(Pupil.registration_group == group)
        .order_by(Pupil.legal_surname, Pupil.legal_forename, Pupil.id)
    ).all()
    return group, [(pupil_label(p), p.display_name, p.legal_surname) for p in pupils]


def _pupil_to_find(school_id: int) -> tuple[Pupil, str]:
    """A pupil whose surname's first three letters match between 5 and 20 pupils on roll
    (enough to need a look, few enough for one page of results or suggestions)."""
    pupils = db.session.scalars(_on_roll(school_id).order_by(Pupil.id)).all()
    counts: dict[str, int] = {}
    for pupil in pupils:
        key = pupil.legal_surname[:3].casefold()
        counts[key] = counts.get(key, 0) + 1
    for pupil in pupils:
        letters = pupil.legal_surname[:3]
        if len(letters) == 3 and letters.isalpha() and 5 <= counts[letters.casefold()] <= 20:
            return pupil, letters.lower()
    raise RuntimeError(f"no pupil at {SCHOOL} has a surname three letters can narrow down")


def build_world(bench: Bench) -> TaskWorld:
    """Choose and make everything the tasks use (nothing here is timed)."""
    school_id = bench.school_ids[SCHOOL]
    with bench.app.app_context():
        leader_id = db.session.scalar(sa.select(User.id).where(User.email == LEADER))
        if leader_id is None:
            raise RuntimeError(f"{SCHOOL} has no {LEADER}")
        on_roll = db.session.scalar(
            sa.select(sa.func.count()).select_from(_on_roll(school_id).subquery())
        )
        intervention_id, group_names = _nurture_group(bench, school_id, leader_id)
        staff = _unique([name for _, name in staff_choices(school_id)])[:INSET_STAFF]
        class_group, class_pupils = _class(school_id)
        pairing_id = db.session.scalar(
            sa.select(MentoringPairing.id)
            .where(
                MentoringPairing.school_id == school_id,
                MentoringPairing.status == PairingStatus.ACTIVE,
            )
            .order_by(MentoringPairing.id)
        )
        if pairing_id is None:
            raise RuntimeError(f"{SCHOOL} has no active mentoring pairing")
        pupil, letters = _pupil_to_find(school_id)
        world = TaskWorld(
            school_id=school_id,
            on_roll=on_roll or 0,
            intervention_id=intervention_id,
            group_names=group_names,
            staff_names=staff,
            class_group=class_group,
            class_pupils=class_pupils,
            pairing_id=pairing_id,
            find_label=pupil_label(pupil),
            find_name=pupil.display_name,
            find_surname=pupil.legal_surname,
            find_letters=letters,
        )
        db.session.remove()
    if len(world.staff_names) < INSET_STAFF:
        raise RuntimeError(f"{SCHOOL} has fewer than {INSET_STAFF} staff with distinct names")
    return world
