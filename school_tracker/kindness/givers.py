"""Who was kind, when it was pupils: several picked, a whole registration group, or both.

A group is expanded to its pupils on roll when the moment is saved, so every child in it has
the moment on their own record and every per-pupil count counts them once; the group's name is
kept only as the label the moment was given by.
"""

from collections.abc import Iterable

import sqlalchemy as sa

from school_tracker.extensions import db
from school_tracker.models import KindnessGiver, KindnessMoment, Pupil
from school_tracker.records.versions import RecordRuleError

GROUP_FIELD = "giver_group"
PUPILS_FIELD = "giver_pupils"


def registration_groups(school_id: int) -> list[tuple[str, int]]:
    """The school's registration groups with their pupils on roll, in year then name order."""
    rows = db.session.execute(
        sa.select(Pupil.registration_group, Pupil.year_group, sa.func.count())
        .where(
            Pupil.school_id == school_id,
            Pupil.leaving_date.is_(None),
            Pupil.registration_group.is_not(None),
            Pupil.registration_group != "",
        )
        .group_by(Pupil.registration_group, Pupil.year_group)
    ).all()
    sizes: dict[str, int] = {}
    first_year: dict[str, int] = {}
    for group, year, count in rows:
        if group is None:  # excluded above; narrows the type
            continue
        sizes[group] = sizes.get(group, 0) + count
        first_year[group] = min(first_year.get(group, year.order), year.order)
    return sorted(sizes.items(), key=lambda item: (first_year[item[0]], item[0]))


def group_members(school_id: int, group: str) -> list[int]:
    """The group's pupils on roll at this school today."""
    return list(
        db.session.scalars(
            sa.select(Pupil.id).where(
                Pupil.school_id == school_id,
                Pupil.registration_group == group,
                Pupil.leaving_date.is_(None),
            )
        )
    )


def _school_pupils(school_id: int, pupil_ids: list[int]) -> list[int]:
    """The ids, each checked to be a pupil of this school (left pupils stay choosable)."""
    if not pupil_ids:
        return []
    found = set(
        db.session.scalars(
            sa.select(Pupil.id).where(Pupil.id.in_(pupil_ids), Pupil.school_id == school_id)
        )
    )
    if found != set(pupil_ids):
        raise RecordRuleError("Choose pupils at this school.", PUPILS_FIELD)
    return pupil_ids


def resolve_givers(
    school_id: int,
    picked: Iterable[int],
    group: str | None,
    *,
    receiver_pupil_id: int | None,
    kept_group: str | None = None,
) -> list[int]:
    """The kind pupils to store: those picked, plus the group's pupils on roll (each once).

    `kept_group` is the group a moment being edited was already given by: it is not expanded
    again, so the pupils listed on the form (who may have had someone taken off) stand as they
    are and a newcomer to the class is not added to an old moment. The receiver is never
    counted as giving, even when the class was kind to one of its own.
    """
    chosen = _school_pupils(school_id, list(dict.fromkeys(picked)))
    if receiver_pupil_id is not None and receiver_pupil_id in chosen:
        raise RecordRuleError("Choose someone other than the kind pupils.", "receiver_pupil")
    if group is not None and group != kept_group:
        members = group_members(school_id, group)
        if not members:
            raise RecordRuleError("Choose a registration group at this school.", GROUP_FIELD)
        chosen += [pupil_id for pupil_id in members if pupil_id != receiver_pupil_id]
    givers = list(dict.fromkeys(chosen))
    if not givers:
        raise RecordRuleError(
            "Choose the pupils who were kind, or a whole registration group.", PUPILS_FIELD
        )
    return givers


def set_givers(moment: KindnessMoment, pupil_ids: list[int]) -> None:
    """Make the moment's giver rows exactly these pupils (rows still wanted are kept)."""
    kept = {row.pupil_id: row for row in moment.giver_rows}
    moment.giver_rows = [kept.get(pid) or KindnessGiver(pupil_id=pid) for pid in pupil_ids]
