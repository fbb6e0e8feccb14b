"""What retention blanks, category by category: one UPDATE (a `Step`) per kind of record.

`retention.py` runs these in one transaction; this module only says which rows have expired
and what their identifying text becomes. Each step's condition also matches only rows whose
text is not yet blank, so a second run finds nothing. Pupils under their own legal hold, and
records naming them, are left out of every step (R69).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from school_tracker.extensions import db
from school_tracker.models import (
    AgencyInvolvement,
    Exclusion,
    ExclusionFollowUp,
    Intervention,
    InterventionParticipant,
    InterventionSession,
    KindnessGiver,
    KindnessMoment,
    KindPersonKind,
    LearningRecord,
    MentoringPairing,
    MentoringSession,
    MentorKind,
    ParentConversation,
    Pupil,
    ReinstatementReview,
    RiskAction,
    RiskFlag,
    RiskLevelChange,
    RiskStatusChange,
    SenStatus,
    SessionAttendance,
)
from school_tracker.records.history import VERSIONED_MODELS

REMOVED = "[removed]"
# A record's earlier versions hold its earlier text, so they are blanked with it (R63).
VERSIONED = {model: entity_type for entity_type, model in VERSIONED_MODELS.items()}
VERSIONS = "record versions"
# Categories anchored on the pupil's date of birth (the IRMS "DOB + n" convention).
PUPIL_ANCHORED = ("mentoring_interventions", "families", "behaviour", "safeguarding")


def years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier (29 February becomes the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


@dataclass(frozen=True)
class Step:
    """One UPDATE: which category it serves, a label for the report, and what it blanks."""

    category: str
    name: str
    model: type[Any]  # a mapped class with an id column
    values: dict[str, Any]
    where: sa.ColumnElement[bool]


class Policy:
    """Cut-off dates for one run, from the configured years and today's date."""

    def __init__(self, today: date, years: dict[str, int], held: set[str]):
        self.today, self.years, self.held = today, years, held

    def expired_pupils(self, category: str) -> sa.Select:
        """Ids of pupils who have left, are not under a legal hold, and whose category period
        (SEN: at least `sen`) ended. Every pupil-anchored step starts from these."""
        years = self.years[category]
        sen_years = max(years, self.years["sen"])
        return sa.select(Pupil.id).where(
            Pupil.leaving_date.is_not(None),
            Pupil.legal_hold_set_at.is_(None),
            sa.or_(
                sa.and_(
                    Pupil.sen_status == SenStatus.NONE,
                    Pupil.date_of_birth <= years_before(self.today, years),
                ),
                sa.and_(
                    Pupil.sen_status != SenStatus.NONE,
                    Pupil.date_of_birth <= years_before(self.today, sen_years),
                ),
            ),
        )

    def dated_before(self, category: str) -> date:
        """Records dated on or before this day have been kept long enough."""
        return years_before(self.today, self.years[category])


def _changed(*conditions: sa.ColumnElement[bool]) -> sa.ColumnElement[bool]:
    """Not yet blanked: any of these still holds text."""
    return sa.or_(*conditions)


def held_pupil_count() -> int:
    """How many pupils are under their own legal hold (reported as a number, never names)."""
    return db.session.execute(
        sa.select(sa.func.count()).select_from(Pupil).where(Pupil.legal_hold_set_at.is_not(None))
    ).scalar_one()


def _names_a_held_pupil(
    *pupil_ids: sa.SQLColumnExpression[int | None],
) -> sa.ColumnElement[bool]:
    # For records that also name a pupil other than the one they are anchored on (a peer
    # mentor, a kindness giver or receiver): any of them under a hold keeps the record.
    # EXISTS rather than NOT IN, which a NULL id would turn into "unknown" (never true).
    return sa.exists().where(Pupil.id.in_(pupil_ids), Pupil.legal_hold_set_at.is_not(None))


def _gave_with_a_held_pupil(km: type[KindnessMoment]) -> sa.ColumnElement[bool]:
    # A moment given by a class is partly each child's: any one of them under a hold keeps it.
    return sa.exists().where(
        KindnessGiver.moment_id == km.id,
        Pupil.id == KindnessGiver.pupil_id,
        Pupil.legal_hold_set_at.is_not(None),
    )


def _bump(model: type[Any]) -> dict[str, Any]:
    # A bulk UPDATE skips the ORM's version counter: bump it so an edit form opened before
    # the run is refused as stale instead of writing the text back.
    return {"version_id": model.version_id + 1}


def _mentoring(policy: Policy) -> list[Step]:
    cat, mp, ms = "mentoring_interventions", MentoringPairing, MentoringSession
    expired = policy.expired_pupils(cat)
    # A held peer mentor keeps the pairing too: its goals and sessions are partly theirs.
    due = sa.and_(mp.mentee_id.in_(expired), ~_names_a_held_pupil(mp.mentor_pupil_id))
    pairings = sa.select(mp.id).where(due)
    adult = mp.mentor_kind == MentorKind.ADULT
    return [
        Step(
            cat,
            "mentoring pairings",
            mp,
            {
                "mentee_goals": "",
                "mentor_goals": "",
                "outcome_notes": None,
                "mentor_name": sa.case((adult, REMOVED), else_=None),
                **_bump(mp),
            },
            sa.and_(
                due,
                _changed(
                    mp.mentee_goals != "",
                    mp.mentor_goals != "",
                    mp.outcome_notes.is_not(None),
                    sa.and_(adult, mp.mentor_name != REMOVED),
                ),
            ),
        ),
        Step(
            cat,
            "mentoring sessions",
            ms,
            {
                "activities": "",
                "mentee_voice": None,
                "mentor_reflection": None,
                **_bump(ms),
            },
            sa.and_(
                ms.pairing_id.in_(pairings),
                _changed(
                    ms.activities != "",
                    ms.mentee_voice.is_not(None),
                    ms.mentor_reflection.is_not(None),
                ),
            ),
        ),
    ]


def _interventions(policy: Policy) -> list[Step]:
    cat, iv, ip = "mentoring_interventions", Intervention, InterventionParticipant
    ses, sa_ = InterventionSession, SessionAttendance
    expired = policy.expired_pupils(cat)
    # A group's shared text goes only when every pupil in the group has been kept long enough.
    still_kept = sa.exists().where(ip.intervention_id == iv.id, ip.pupil_id.not_in(expired))
    anyone = sa.exists().where(ip.intervention_id == iv.id)
    return [
        Step(
            cat,
            "intervention participants",
            ip,
            {"withdrawn_reason": None, **_bump(ip)},
            sa.and_(ip.pupil_id.in_(expired), ip.withdrawn_reason.is_not(None)),
        ),
        Step(
            cat,
            "interventions",
            iv,
            {
                "intended_outcome": "",
                "stop_reason": None,
                "pupil_voice": "",
                "parent_voice": "",
                "notes": "",
                **_bump(iv),
            },
            sa.and_(
                anyone,
                ~still_kept,
                _changed(
                    iv.intended_outcome != "",
                    iv.stop_reason.is_not(None),
                    iv.pupil_voice != "",
                    iv.parent_voice != "",
                    iv.notes != "",
                ),
            ),
        ),
        # Register rows belong to one pupil; a session's own note is the group's shared text.
        Step(
            cat,
            "session register rows",
            sa_,
            {"absence_reason": None, "note": ""},
            sa.and_(
                sa_.participant_id.in_(
                    sa.select(ip.id).where(ip.pupil_id.in_(expired)).scalar_subquery()
                ),
                _changed(sa_.absence_reason.is_not(None), sa_.note != ""),
            ),
        ),
        Step(
            cat,
            "intervention sessions",
            ses,
            {"note": ""},
            sa.and_(
                ses.note != "",
                sa.exists().where(ip.intervention_id == ses.intervention_id),
                ~sa.exists().where(
                    ip.intervention_id == ses.intervention_id, ip.pupil_id.not_in(expired)
                ),
            ),
        ),
    ]


def _families_and_behaviour(policy: Policy) -> list[Step]:
    pc, ex = ParentConversation, Exclusion
    families, behaviour = policy.expired_pupils("families"), policy.expired_pupils("behaviour")
    return [
        Step(
            "families",
            "parent conversations",
            pc,
            {
                "carer_name": REMOVED,
                "family_said": "",
                "school_said": "",
                "agreed_actions": "",
                **_bump(pc),
            },
            sa.and_(
                pc.pupil_id.in_(families),
                _changed(
                    pc.carer_name != REMOVED,
                    pc.family_said != "",
                    pc.school_said != "",
                    pc.agreed_actions != "",
                ),
            ),
        ),
        Step(
            "behaviour",
            "suspensions and exclusions",
            ex,
            {"cancel_reason": None, **_bump(ex)},
            sa.and_(ex.pupil_id.in_(behaviour), ex.cancel_reason.is_not(None)),
        ),
        *exclusion_case_steps(behaviour),
    ]


def exclusion_case_steps(behaviour: sa.Select) -> list[Step]:
    """A suspension's follow-up and the governors' review lose their text with the exclusion."""
    fu, rr = ExclusionFollowUp, ReinstatementReview
    texts = ("attended", "agreed", "pupil_views", "parent_views")
    excluded = sa.select(Exclusion.id).where(Exclusion.pupil_id.in_(behaviour))
    return [
        Step(
            "behaviour",
            "returns after a suspension",
            fu,
            {**dict.fromkeys(texts, ""), "provider": None, "provision_from": None, **_bump(fu)},
            sa.and_(
                fu.exclusion_id.in_(excluded),
                _changed(*(getattr(fu, t) != "" for t in texts), fu.provider.is_not(None)),
            ),
        ),
        Step(
            "behaviour",
            "governors' reinstatement reviews",
            rr,
            {"representations": "", "decision_reasons": "", **_bump(rr)},
            sa.and_(
                rr.pupil_id.in_(behaviour),
                _changed(rr.representations != "", rr.decision_reasons != ""),
            ),
        ),
    ]


def _safeguarding(policy: Policy) -> list[Step]:
    cat, rf, ai = "safeguarding", RiskFlag, AgencyInvolvement
    flags = sa.select(rf.id).where(rf.pupil_id.in_(policy.expired_pupils(cat)))
    return [
        Step(
            cat,
            "exclusion-risk flags",
            rf,
            {
                "protective_factors": "",
                "agency_notes": "",
                **_bump(rf),
            },
            sa.and_(rf.id.in_(flags), _changed(rf.protective_factors != "", rf.agency_notes != "")),
        ),
        *[
            Step(
                cat,
                name,
                model,
                {"reason": None},
                sa.and_(model.flag_id.in_(flags), model.reason.is_not(None)),
            )
            for name, model in (
                ("risk level changes", RiskLevelChange),
                ("risk status changes", RiskStatusChange),
            )
        ],
        Step(
            cat,
            "risk actions",
            RiskAction,
            {"description": REMOVED, **_bump(RiskAction)},
            sa.and_(RiskAction.flag_id.in_(flags), RiskAction.description != REMOVED),
        ),
        Step(
            cat,
            "agency involvement",
            ai,
            {
                "professional_contact": REMOVED,
                "professional_role": "",
                "next_step": "",
                "outcome_notes": "",
                **_bump(ai),
            },
            sa.and_(
                ai.pupil_id.in_(policy.expired_pupils(cat)),
                _changed(
                    ai.professional_contact != REMOVED,
                    ai.professional_role != "",
                    ai.next_step != "",
                    ai.outcome_notes != "",
                ),
            ),
        ),
    ]


def _dated(policy: Policy) -> list[Step]:
    km, lr = KindnessMoment, LearningRecord
    named_giver = km.giver_kind != KindPersonKind.PUPIL
    return [
        Step(
            "kindness",
            "kindness moments",
            km,
            {
                "description": "",
                "giver_name": sa.case((named_giver, REMOVED), else_=None),
                "receiver_name": None,
                "hidden_reason": sa.case((km.hidden, REMOVED), else_=None),
                **_bump(km),
            },
            sa.and_(
                km.occurred_on <= policy.dated_before("kindness"),
                ~_names_a_held_pupil(km.receiver_pupil_id),
                ~_gave_with_a_held_pupil(km),
                _changed(
                    km.description != "",
                    sa.and_(named_giver, km.giver_name != REMOVED),
                    km.receiver_name.is_not(None),
                    sa.and_(km.hidden, km.hidden_reason != REMOVED),
                ),
            ),
        ),
        Step(
            "learning",
            "professional learning",
            lr,
            {"reflection": "", **_bump(lr)},
            sa.and_(lr.held_on <= policy.dated_before("learning"), lr.reflection != ""),
        ),
    ]


# Pupils with records in a held category keep their name, so those records still make sense.
HELD_PUPILS: dict[str, Callable[[], list[sa.Select]]] = {
    "mentoring_interventions": lambda: [
        sa.select(MentoringPairing.mentee_id),
        sa.select(InterventionParticipant.pupil_id),
    ],
    "families": lambda: [sa.select(ParentConversation.pupil_id)],
    "behaviour": lambda: [sa.select(Exclusion.pupil_id)],
    "safeguarding": lambda: [
        sa.select(RiskFlag.pupil_id),
        sa.select(AgencyInvolvement.pupil_id),
    ],
    "kindness": lambda: [
        sa.select(KindnessGiver.pupil_id),
        sa.select(KindnessMoment.receiver_pupil_id).where(
            KindnessMoment.receiver_pupil_id.is_not(None)
        ),
    ],
}


def _end_of_birth_year() -> sa.ColumnElement:
    # Keep only the year of birth (31 December, so no DOB-anchored period ever ends sooner).
    if db.engine.dialect.name == "postgresql":
        year = sa.cast(sa.extract("year", Pupil.date_of_birth), sa.Integer)
        return sa.func.make_date(year, 12, 31)
    return sa.func.date(Pupil.date_of_birth, "start of year", "+1 year", "-1 day")


def _pupils(policy: Policy) -> list[Step]:
    # The pupil's own record goes last: after the longest pupil-anchored period.
    longest = max(policy.years[c] for c in ("pupil_records", *PUPIL_ANCHORED))
    years = {**policy.years, "pupil_records": longest}
    expired = Policy(policy.today, years, policy.held).expired_pupils("pupil_records")
    held = [pupil for c in sorted(policy.held) for pupil in HELD_PUPILS.get(c, list)()]
    # A lifted hold leaves why it was lifted on the row (the hold columns are otherwise empty).
    where = sa.and_(
        Pupil.id.in_(expired),
        sa.or_(Pupil.legal_surname != REMOVED, Pupil.legal_hold_reason.is_not(None)),
    )
    if held:
        where = sa.and_(where, Pupil.id.not_in(sa.union(*held)))
    return [
        Step(
            "pupil_records",
            "pupils",
            Pupil,
            {
                "legal_surname": REMOVED,
                "legal_forename": REMOVED,
                "preferred_forename": None,
                "registration_group": None,
                "date_of_birth": _end_of_birth_year(),
                # Lower-case "x" + id: unique, and never a real UPN (those are upper case).
                "upn": sa.literal("x") + sa.cast(Pupil.id, sa.String),
                "legal_hold_reason": None,
                **_bump(Pupil),
            },
            where,
        )
    ]


def retention_steps(policy: Policy) -> list[Step]:
    """Every UPDATE a run would make, held categories left out."""
    steps = [
        *_mentoring(policy),
        *_interventions(policy),
        *_families_and_behaviour(policy),
        *_safeguarding(policy),
        *_dated(policy),
        *_pupils(policy),
    ]
    return [step for step in steps if step.category not in policy.held]
