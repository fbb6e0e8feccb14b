"""What "My class" shows a member of staff about the pupils of their registration groups.

Issue 13 item 6: each pupil's characteristics, the interventions and mentoring they are in
(what, who, when: never the notes, goals or voices), the kindness they received this term,
and the risk flags this person may see by risk's own rule. A handful of queries whatever the
class size: each one asks for the whole class at once, through the same pupil subquery.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload

from school_tracker.calendar.term_dates import calendar_for
from school_tracker.calendar.terms import Term, school_today
from school_tracker.extensions import db
from school_tracker.models import (
    Intervention,
    InterventionParticipant,
    InterventionStatus,
    InterventionType,
    KindnessMoment,
    KindnessMomentValue,
    KindnessValue,
    MentoringPairing,
    MentorKind,
    PairingStatus,
    ParticipantStatus,
    Pupil,
    RegistrationGroupStaff,
    RiskFlag,
    User,
)
from school_tracker.models.class_staff import group_sort_key
from school_tracker.risk.queries import LIVE, visible_flags

# Short badges for the groups leaders report by (models.PUPIL_GROUPS), in the same order.
NEED_BADGES = {
    "sen_k": "SEN support",
    "sen_e": "EHC plan",
    "disadvantaged": "Pupil premium",
    "eal": "EAL",
    "cla": "Looked after",
    "young_carer": "Young carer",
}


@dataclass(frozen=True)
class Provision:
    """An intervention or a mentoring pairing a pupil is in: what, who leads it, and when."""

    what: str
    who: str
    since: date
    until: date | None
    how_often: str | None
    paused: bool = False


@dataclass
class ClassPupil:
    """One pupil of the class with everything the page shows about them."""

    pupil: Pupil
    interventions: list[Provision] = field(default_factory=list)
    mentoring: list[Provision] = field(default_factory=list)
    kindness: int = 0
    kindness_values: list[KindnessValue] = field(default_factory=list)
    flags: list[RiskFlag] = field(default_factory=list)

    @property
    def needs(self) -> list[str]:
        return [NEED_BADGES[key] for key in self.pupil.groups]


@dataclass
class MyClass:
    """The viewer's groups and their pupils, grouped as the page lists them."""

    groups: list[str]
    term: Term
    pupils: list[ClassPupil]

    def in_group(self, group: str) -> list[ClassPupil]:
        return [row for row in self.pupils if row.pupil.registration_group == group]

    @property
    def any_flags(self) -> bool:
        return any(row.flags for row in self.pupils)


def assigned_groups(user: User) -> list[str]:
    """The registration groups this person is assigned to at their own school."""
    groups = db.session.scalars(
        sa.select(RegistrationGroupStaff.registration_group).where(
            RegistrationGroupStaff.user_id == user.id,
            RegistrationGroupStaff.school_id == user.school_id,
        )
    )
    return sorted(set(groups), key=group_sort_key)


def my_class(user: User) -> MyClass:
    """The pupils on roll in the viewer's groups, with what the page shows of each."""
    school_id = user.school_id
    if school_id is None:  # a trust leader belongs to no school, so has no class
        raise ValueError("only a school's staff and leaders have a class")
    term = calendar_for(school_id).term_for(school_today())
    groups = assigned_groups(user)
    if not groups:
        return MyClass(groups, term, [])
    class_ids = (
        sa.select(Pupil.id)
        .where(
            Pupil.school_id == school_id,
            Pupil.leaving_date.is_(None),
            Pupil.registration_group.in_(groups),
        )
        .scalar_subquery()
    )
    pupils = db.session.scalars(
        sa.select(Pupil)
        .where(Pupil.id.in_(class_ids))
        .order_by(Pupil.legal_surname, Pupil.legal_forename, Pupil.id)
    )
    rows = {pupil.id: ClassPupil(pupil) for pupil in pupils}
    if rows:
        _add_interventions(rows, school_id, class_ids)
        _add_mentoring(rows, school_id, class_ids)
        _add_kindness(rows, school_id, class_ids, term)
        _add_flags(rows, user, class_ids)
    return MyClass(groups, term, list(rows.values()))


def _add_interventions(
    rows: dict[int, ClassPupil], school_id: int, class_ids: sa.ScalarSelect[int]
) -> None:
    lead = aliased(User)
    found = db.session.execute(
        sa.select(
            InterventionParticipant.pupil_id,
            InterventionType.name,
            Intervention.mode,
            Intervention.frequency,
            Intervention.end_date,
            lead.full_name,
            InterventionParticipant.start_date,
            InterventionParticipant.end_date.label("left_on"),
        )
        .join(Intervention, Intervention.id == InterventionParticipant.intervention_id)
        .join(InterventionType, InterventionType.id == Intervention.type_id)
        .join(lead, lead.id == Intervention.lead_id)
        .where(
            Intervention.school_id == school_id,
            Intervention.status.in_([InterventionStatus.PLANNED, InterventionStatus.ACTIVE]),
            InterventionParticipant.status == ParticipantStatus.TAKING_PART,
            InterventionParticipant.pupil_id.in_(class_ids),
        )
        .order_by(InterventionParticipant.start_date, InterventionType.name)
    )
    for row in found:
        rows[row.pupil_id].interventions.append(
            Provision(
                what=f"{row.name} ({row.mode.label.lower()})",
                who=row.full_name,
                since=row.start_date,
                until=row.left_on or row.end_date,
                how_often=row.frequency.label if row.frequency else None,
            )
        )


MENTOR_KINDS = {MentorKind.STAFF: "Staff mentor", MentorKind.ADULT: "Adult mentor"}


def _mentor(pairing: MentoringPairing) -> str:
    if pairing.mentor_kind is MentorKind.STAFF and pairing.mentor_user is not None:
        return pairing.mentor_user.full_name
    if pairing.mentor_kind is MentorKind.PEER and pairing.mentor_pupil is not None:
        return pairing.mentor_pupil.display_name
    return pairing.mentor_name or "An adult mentor"


def _add_mentoring(
    rows: dict[int, ClassPupil], school_id: int, class_ids: sa.ScalarSelect[int]
) -> None:
    pairings = db.session.scalars(
        sa.select(MentoringPairing)
        .where(
            MentoringPairing.school_id == school_id,
            MentoringPairing.status.in_([PairingStatus.ACTIVE, PairingStatus.PAUSED]),
            MentoringPairing.mentee_id.in_(class_ids),
        )
        # Only the mentor's name is read: goals and session notes never load.
        .options(
            joinedload(MentoringPairing.mentor_user),
            joinedload(MentoringPairing.mentor_pupil),
        )
        .order_by(MentoringPairing.starts_on)
    )
    for pairing in pairings:
        rows[pairing.mentee_id].mentoring.append(
            Provision(
                what=MENTOR_KINDS.get(pairing.mentor_kind, "Peer mentor"),
                who=_mentor(pairing),
                since=pairing.starts_on,
                until=pairing.planned_end_on,
                how_often=pairing.frequency.label,
                paused=pairing.status is PairingStatus.PAUSED,
            )
        )


def _add_kindness(
    rows: dict[int, ClassPupil], school_id: int, class_ids: sa.ScalarSelect[int], term: Term
) -> None:
    this_term = (
        KindnessMoment.school_id == school_id,
        KindnessMoment.hidden.is_(False),
        KindnessMoment.receiver_pupil_id.in_(class_ids),
        KindnessMoment.occurred_on.between(term.starts_on, term.ends_on),
    )
    # The receiver is one of the class (the IN above), so never None here.
    receiver = sa.func.coalesce(KindnessMoment.receiver_pupil_id, 0)
    counts = db.session.execute(
        sa.select(receiver, sa.func.count(KindnessMoment.id)).where(*this_term).group_by(receiver)
    )
    for pupil_id, count in counts:
        rows[pupil_id].kindness = count
    values: dict[int, set[KindnessValue]] = defaultdict(set)
    for pupil_id, value in db.session.execute(
        sa.select(receiver, KindnessMomentValue.value)
        .join(KindnessMomentValue, KindnessMomentValue.moment_id == KindnessMoment.id)
        .where(*this_term)
        .distinct()
    ):
        values[pupil_id].add(value)
    for pupil_id, seen in values.items():
        rows[pupil_id].kindness_values = [value for value in KindnessValue if value in seen]


def _add_flags(rows: dict[int, ClassPupil], user: User, class_ids: sa.ScalarSelect[int]) -> None:
    # Risk's own rule (leaders all, staff only flags naming them), narrowed to this class.
    flags = db.session.scalars(
        visible_flags(user)
        .where(RiskFlag.pupil_id.in_(class_ids), RiskFlag.status.in_(LIVE))
        .order_by(RiskFlag.review_on)
    )
    for flag in flags:
        rows[flag.pupil_id].flags.append(flag)
