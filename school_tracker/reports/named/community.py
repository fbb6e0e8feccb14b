"""Named-export sheets for CPD, families, kindness and the roll (see `named_sheets`)."""

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from school_tracker.models import (
    PUPIL_GROUPS,
    Intervention,
    InterventionParticipant,
    KindnessGiver,
    KindnessMoment,
    KindnessMomentValue,
    LearningRecord,
    MentoringPairing,
    ParentConversation,
    Pupil,
    RiskFlag,
    School,
    SenStatus,
    User,
)
from school_tracker.models.family import parent_conversation_priorities
from school_tracker.models.kindness import kindness_moment_priorities
from school_tracker.models.learning import learning_record_priorities
from school_tracker.records.reference_lists import value_name
from school_tracker.reports.named.sheets import (
    CREATED,
    PRIORITIES,
    PUPIL,
    SCHOOL,
    SheetQuery,
    base,
    overlaps,
    participation_end,
    priorities,
    pupil_columns,
    within,
)
from school_tracker.reports.tabular import (
    LIST_SEPARATOR,
    Col,
    aggregate,
    attr,
    joined,
    label,
    pupil_label,
)


def professional_learning(p: sa.Subquery) -> SheetQuery:
    """Staff CPD held in the period."""
    staff, creator = aliased(User), aliased(User)
    lr = LearningRecord
    stmt = (
        base(lr, p, within(p, lr.held_on))
        .join(staff, staff.id == lr.staff_id)
        .outerjoin(creator, creator.id == lr.created_by_id)
        .add_columns(
            lr.id,
            staff.full_name.label("staff"),
            lr.held_on,
            lr.activity,
            (lr.hours_tenths / 10.0).label("hours"),
            value_name(lr.focus_id).label("focus"),
            priorities(learning_record_priorities, lr.id),
            lr.reflection,
            creator.full_name.label("created_by"),
            lr.created_at,
        )
        .order_by(lr.school_id, lr.held_on, lr.id)
    )
    cols = [
        SCHOOL,
        Col("Record", 8, attr("id"), text=False),
        Col("Staff", 24, attr("staff")),
        Col("Date", 12, attr("held_on")),
        Col("Activity", 34, attr("activity")),
        Col("Hours", 8, attr("hours"), text=False, number_format="0.0"),
        Col("Focus", 28, attr("focus")),
        PRIORITIES,
        Col("Reflection", 40, attr("reflection")),
        *CREATED,
    ]
    return SheetQuery("Professional learning", cols, stmt)


def parent_conversations(p: sa.Subquery) -> SheetQuery:
    """Structured conversations with parents and carers held in the period."""
    lead, creator = aliased(User), aliased(User)
    pc = ParentConversation
    stmt = (
        base(pc, p, within(p, pc.held_on))
        .join(Pupil, Pupil.id == pc.pupil_id)
        .join(lead, lead.id == pc.led_by_id)
        .outerjoin(creator, creator.id == pc.created_by_id)
        .add_columns(
            pc.id,
            *pupil_columns(Pupil),
            pc.carer_name,
            pc.carer_relationship,
            lead.full_name.label("led_by"),
            pc.held_on,
            pc.family_said,
            pc.school_said,
            pc.agreed_actions,
            pc.follow_up_on,
            pc.follow_up_done_on,
            priorities(parent_conversation_priorities, pc.id),
            creator.full_name.label("created_by"),
            pc.created_at,
        )
        .order_by(pc.school_id, pc.held_on, pc.id)
    )
    cols = [
        SCHOOL,
        Col("Record", 8, attr("id"), text=False),
        *PUPIL,
        Col("Parent or carer", 22, attr("carer_name")),
        Col("Relationship", 14, label("carer_relationship")),
        Col("Led by", 22, attr("led_by")),
        Col("Held on", 12, attr("held_on")),
        Col("What the family said", 40, attr("family_said")),
        Col("What the school said", 40, attr("school_said")),
        Col("Agreed actions", 40, attr("agreed_actions")),
        Col("Follow up on", 12, attr("follow_up_on")),
        Col("Follow-up done on", 12, attr("follow_up_done_on")),
        PRIORITIES,
        *CREATED,
    ]
    return SheetQuery("Parent conversations", cols, stmt)


def _person(prefix: str) -> Callable[[Any], str]:
    def get(row: Any) -> str:
        surname = getattr(row, f"{prefix}_surname")
        if surname is not None:
            return pupil_label(
                surname, getattr(row, f"{prefix}_forename"), getattr(row, f"{prefix}_preferred")
            )
        return getattr(row, f"{prefix}_name") or ""

    return get


def _givers(km: type[KindnessMoment]) -> sa.ScalarSelect[str | None]:
    """The kind pupils of a moment as "UPN:Surname, Forename" parts (see `_kind_pupils`)."""
    forename = sa.func.coalesce(Pupil.preferred_forename, Pupil.legal_forename)
    part = Pupil.upn + ":" + Pupil.legal_surname + ", " + forename
    return aggregate(
        part,
        sa.join(KindnessGiver, Pupil, Pupil.id == KindnessGiver.pupil_id),
        KindnessGiver.moment_id == km.id,
    )


def _kind_pupils(row: Any) -> list[tuple[str, str]]:
    """(label, UPN) of each kind pupil, by name, so the two columns line up."""
    parts = (row.givers or "").split(LIST_SEPARATOR)
    pairs = [part.partition(":") for part in parts if part]
    return sorted((label, upn) for upn, _, label in pairs)


def _kind_person(row: Any) -> str:
    if row.giver_name is not None:
        return str(row.giver_name)
    return LIST_SEPARATOR.join(label for label, _ in _kind_pupils(row))


def kindness_moments(p: sa.Subquery) -> SheetQuery:
    """Kindness moments that happened in the period (hidden ones included and marked)."""
    receiver, creator = aliased(Pupil), aliased(User)
    km, kv = KindnessMoment, KindnessMomentValue
    people = [
        column.label(f"receiver_{name}")
        for name, column in (
            ("upn", receiver.upn),
            ("surname", receiver.legal_surname),
            ("forename", receiver.legal_forename),
            ("preferred", receiver.preferred_forename),
        )
    ]
    stmt = (
        base(km, p, within(p, km.occurred_on))
        .outerjoin(receiver, receiver.id == km.receiver_pupil_id)
        .outerjoin(creator, creator.id == km.created_by_id)
        .add_columns(
            km.id,
            km.occurred_on,
            km.giver_kind,
            _givers(km).label("givers"),
            km.giver_group,
            *people,
            km.giver_name,
            km.receiver_name,
            km.description,
            aggregate(kv.value, kv, kv.moment_id == km.id).label("kindness_values"),
            priorities(kindness_moment_priorities, km.id),
            km.hidden,
            km.hidden_reason,
            creator.full_name.label("created_by"),
            km.created_at,
        )
        .order_by(km.school_id, km.occurred_on, km.id)
    )
    cols = [
        SCHOOL,
        Col("Moment", 8, attr("id"), text=False),
        Col("Date", 12, attr("occurred_on")),
        Col("Who was kind", 16, label("giver_kind")),
        Col("Kind person", 26, _kind_person),
        Col("Kind pupils' UPNs", 15, lambda r: LIST_SEPARATOR.join(u for _, u in _kind_pupils(r))),
        Col("Given by registration group", 12, attr("giver_group")),
        Col("To whom", 26, _person("receiver")),
        Col("Receiving pupil's UPN", 15, attr("receiver_upn")),
        Col("What happened", 40, attr("description")),
        Col("Values shown", 28, joined("kindness_values", str.capitalize)),
        PRIORITIES,
        Col("Hidden from the wall", 10, attr("hidden"), text=False),
        Col("Why hidden", 30, attr("hidden_reason")),
        *CREATED,
    ]
    return SheetQuery("Kindness moments", cols, stmt)


def _count(
    model_id: sa.SQLColumnExpression[int], *conditions: sa.ColumnElement[bool]
) -> sa.ScalarSelect[int]:
    return sa.select(sa.func.count(model_id)).where(*conditions).scalar_subquery()


def _groups(row: Any) -> str:
    flags = {
        "sen_k": row.sen_status is SenStatus.SUPPORT,
        "sen_e": row.sen_status is SenStatus.EHC_PLAN,
        "disadvantaged": row.pupil_premium,
        "eal": row.eal,
        "cla": row.looked_after,
        "young_carer": row.young_carer,
    }
    return "; ".join(PUPIL_GROUPS[key] for key, on in flags.items() if on)


def pupils(p: sa.Subquery) -> SheetQuery:
    """Everyone on roll at some point in the period, with their support counted in it."""
    mp, ip, rf = MentoringPairing, InterventionParticipant, RiskFlag
    interventions = (
        sa.select(sa.func.count(ip.id))
        .join(Intervention, Intervention.id == ip.intervention_id)
        .where(ip.pupil_id == Pupil.id, overlaps(p, ip.start_date, participation_end()))
        .scalar_subquery()
    )
    on_roll = sa.and_(
        sa.or_(Pupil.admission_date.is_(None), Pupil.admission_date <= p.c.ends),
        sa.or_(Pupil.leaving_date.is_(None), Pupil.leaving_date >= p.c.starts),
    )
    stmt = (
        base(Pupil, p, on_roll)
        .add_columns(
            Pupil.upn,
            Pupil.legal_surname,
            Pupil.legal_forename,
            Pupil.preferred_forename,
            Pupil.year_group,
            Pupil.registration_group,
            Pupil.sen_status,
            Pupil.primary_need,
            Pupil.pupil_premium,
            Pupil.eal,
            Pupil.looked_after,
            Pupil.young_carer,
            Pupil.admission_date,
            Pupil.leaving_date,
            _count(mp.id, mp.mentee_id == Pupil.id, overlaps(p, mp.starts_on, mp.ended_on)).label(
                "pairings"
            ),
            interventions.label("interventions"),
            _count(rf.id, rf.pupil_id == Pupil.id, overlaps(p, rf.raised_on, rf.closed_on)).label(
                "flags"
            ),
        )
        .order_by(School.name, Pupil.legal_surname, Pupil.legal_forename, Pupil.id)
    )
    cols = [
        SCHOOL,
        Col("UPN", 15, attr("upn")),
        Col("Legal surname", 18, attr("legal_surname")),
        Col("Legal forename", 16, attr("legal_forename")),
        Col("Preferred forename", 16, attr("preferred_forename")),
        Col("Year", 10, label("year_group")),
        Col("Registration group", 12, attr("registration_group")),
        Col("SEN status", 13, label("sen_status")),
        Col("Primary need", 10, label("primary_need")),
        Col("Groups", 40, _groups),
        Col("Admitted", 12, attr("admission_date")),
        Col("Left", 12, attr("leaving_date")),
        Col("Mentoring pairings", 10, attr("pairings"), text=False),
        Col("Interventions", 10, attr("interventions"), text=False),
        Col("Exclusion-risk flags", 10, attr("flags"), text=False),
    ]
    return SheetQuery("Pupils", cols, stmt)
