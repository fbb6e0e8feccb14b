"""Row builders for the demo trust: staff, rolls and audit trails as plain dicts for bulk INSERT."""

import random
import secrets
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from faker import Faker

from school_tracker.demo.school import (
    EAL_LOCALES,
    NEEDS_E,
    NEEDS_K,
    PRIMARY_YEARS,
    RATES,
    academic_year_start,
    make_upn,
)
from school_tracker.extensions import db
from school_tracker.models import (
    Exclusion,
    Gender,
    Intervention,
    InterventionParticipant,
    KindnessGiver,
    KindnessMoment,
    LearningRecord,
    MentoringPairing,
    MentoringSession,
    ParentConversation,
    Pupil,
    RiskFlag,
    Role,
    SenStatus,
    User,
    YearGroup,
)

if TYPE_CHECKING:
    from school_tracker.demo.trust import SchoolPlan

SECONDARY_YEARS = (YearGroup.Y7, YearGroup.Y8, YearGroup.Y9, YearGroup.Y10, YearGroup.Y11)
PUPILS_PER_STAFF = 19  # teachers, TAs and support staff together
PUPILS_PER_LEADER = 450
VIEWS_PER_PUPIL = 5  # pupil pages opened over three years (each one is audited)
LOGINS_PER_STAFF = 60
NAMES_PER_LOCALE = 120


@cache
def _faker(locale: str) -> Faker:
    return Faker(locale)


def _name_pool(rng: random.Random, locale: str) -> dict[str, list[str]]:
    """Surnames and first names for one locale, drawn once per school (Faker is slow per call)."""
    fake = _faker(locale)
    fake.seed_instance(rng.randrange(10**9))
    return {
        "last": [fake.last_name() for _ in range(NAMES_PER_LOCALE)],
        "female": [fake.first_name_female() for _ in range(NAMES_PER_LOCALE)],
        "male": [fake.first_name_male() for _ in range(NAMES_PER_LOCALE)],
    }


def _stamp(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(8 + rng.randrange(9), rng.randrange(60)), tzinfo=UTC)


def staff_rows(
    plan: "SchoolPlan", rng: random.Random, trust_id: int, school_id: int, password_hash: str
) -> list[dict[str, Any]]:
    """Leaders, staff, an admin and a governor for a school, all sharing one password hash."""
    pool = _name_pool(rng, "en_GB")
    domain = f"{plan.slug}.school"
    accounts = [(f"leader@{domain}", Role.LEADER)]
    accounts += [(f"leader{n}@{domain}", Role.LEADER) for n in range(2, plan.roll // 450 + 1)]
    accounts += [(f"admin@{domain}", Role.ADMIN), (f"governor@{domain}", Role.GOVERNOR)]
    accounts += [
        (f"staff{n}@{domain}", Role.STAFF)
        for n in range(1, max(4, round(plan.roll / PUPILS_PER_STAFF)) + 1)
    ]
    now = datetime.now(UTC)
    return [
        {
            "trust_id": trust_id,
            "school_id": school_id,
            "email": email,
            "full_name": f"{rng.choice(pool['female'] + pool['male'])} {rng.choice(pool['last'])}",
            "role": role,
            "password_hash": password_hash,
            "active": True,
            "session_token": secrets.token_urlsafe(24),
            "created_at": now,
        }
        for email, role in accounts
    ]


def _sen(rng: random.Random, pp: bool) -> SenStatus:
    # SEND is over-represented among disadvantaged pupils, as in national data (as demo.py).
    roll = rng.random() * (0.75 if pp else 1.08)
    if roll < RATES["sen_e"]:
        return SenStatus.EHC_PLAN
    return SenStatus.SUPPORT if roll < RATES["sen_e"] + RATES["sen_k"] else SenStatus.NONE


def pupil_rows(
    plan: "SchoolPlan", rng: random.Random, school_id: int, start_year: int
) -> list[dict[str, Any]]:
    """A roll at national-like rates (as the demo school), with UPNs unique across the trust."""
    years = SECONDARY_YEARS if plan.secondary else PRIMARY_YEARS
    pools = {loc: _name_pool(rng, loc) for loc in ("en_GB", *EAL_LOCALES)}
    forms = "ABCDEFGH"[: max(1, plan.roll // len(years) // 30)]
    now = datetime.now(UTC)
    rows = []
    for position, year in enumerate(years):
        admitted = date(start_year - position, 9, 1)
        count = plan.roll // len(years) + (1 if position < plan.roll % len(years) else 0)
        for serial in range(1, count + 1):
            eal = rng.random() < RATES["eal"]
            pool = pools[rng.choice(EAL_LOCALES)] if eal else pools["en_GB"]
            female = rng.random() < 0.49
            pp = rng.random() < RATES["pp"]
            sen = _sen(rng, pp)
            need = {SenStatus.SUPPORT: NEEDS_K, SenStatus.EHC_PLAN: NEEDS_E}.get(sen)
            born = date(start_year - year.typical_age - 1, 9, 1)
            rows.append(
                {
                    "school_id": school_id,
                    "upn": make_upn(938, plan.establishment, admitted.year, serial),
                    "legal_surname": rng.choice(pool["last"]),
                    "legal_forename": rng.choice(pool["female" if female else "male"]),
                    "preferred_forename": None,
                    "date_of_birth": born + timedelta(days=rng.randrange(365)),
                    "gender": Gender.FEMALE if female else Gender.MALE,
                    "year_group": year,
                    "registration_group": f"{year.value}{rng.choice(forms)}",
                    "sen_status": sen,
                    "primary_need": rng.choice(need) if need else None,
                    "pupil_premium": pp,
                    "fsm": pp and rng.random() < 0.85,
                    "eal": eal,
                    "looked_after": rng.random() < RATES["cla"],
                    "previously_looked_after": rng.random() < 0.01,
                    "child_in_need": rng.random() < 0.03,
                    "young_carer": rng.random() < RATES["young_carer"],
                    "admission_date": admitted,
                    "leaving_date": None,
                    "version_id": 1,
                    "created_at": now,
                    "updated_at": now,
                }
            )
    return rows


def _created(school_id: int) -> list[tuple[str, str, sa.Select]]:
    """(action, entity type, SELECT id, day, actor, pupil) for every record kind seeded."""
    pairing = MentoringPairing
    part = InterventionParticipant
    return [
        (
            "create",
            "mentoring_pairing",
            sa.select(
                pairing.id, pairing.starts_on, pairing.created_by_id, pairing.mentee_id
            ).where(pairing.school_id == school_id),
        ),
        (
            "create",
            "mentoring_session",
            sa.select(
                MentoringSession.id,
                MentoringSession.held_on,
                MentoringSession.created_by_id,
                pairing.mentee_id,
            )
            .join(pairing, pairing.id == MentoringSession.pairing_id)
            .where(MentoringSession.school_id == school_id),
        ),
        (
            "create",
            "intervention",
            sa.select(
                Intervention.id,
                Intervention.start_date,
                Intervention.created_by_id,
                sa.null(),
            ).where(Intervention.school_id == school_id),
        ),
        (
            "add_participant",
            "intervention_participant",
            sa.select(part.id, part.start_date, part.created_by_id, part.pupil_id)
            .join(Intervention, Intervention.id == part.intervention_id)
            .where(Intervention.school_id == school_id),
        ),
        (
            "create",
            "risk_flag",
            sa.select(
                RiskFlag.id, RiskFlag.raised_on, RiskFlag.created_by_id, RiskFlag.pupil_id
            ).where(RiskFlag.school_id == school_id),
        ),
        (
            "create",
            "exclusion",
            sa.select(
                Exclusion.id, Exclusion.start_date, Exclusion.created_by_id, Exclusion.pupil_id
            ).where(Exclusion.school_id == school_id),
        ),
        (
            "create",
            "learning_record",
            sa.select(
                LearningRecord.id, LearningRecord.held_on, LearningRecord.created_by_id, sa.null()
            ).where(LearningRecord.school_id == school_id),
        ),
        (
            "create",
            "parent_conversation",
            sa.select(
                ParentConversation.id,
                ParentConversation.held_on,
                ParentConversation.created_by_id,
                ParentConversation.pupil_id,
            ).where(ParentConversation.school_id == school_id),
        ),
        (
            "create",
            "kindness_moment",
            sa.select(
                KindnessMoment.id,
                KindnessMoment.occurred_on,
                KindnessMoment.created_by_id,
                # As the service files it: the first kind pupil, else the one shown kindness.
                sa.func.coalesce(
                    sa.select(sa.func.min(KindnessGiver.pupil_id))
                    .where(KindnessGiver.moment_id == KindnessMoment.id)
                    .scalar_subquery(),
                    KindnessMoment.receiver_pupil_id,
                ),
            ).where(KindnessMoment.school_id == school_id),
        ),
    ]


def audit_rows(school_id: int, rng: random.Random, today: date) -> tuple[list[dict], int]:
    """Audit entries for every record of the school, pupil views and sign-ins; and the records."""
    rows: list[dict[str, Any]] = []
    for action, entity_type, stmt in _created(school_id):
        for entity_id, day, actor_id, pupil_id in db.session.execute(stmt):
            rows.append(
                {
                    "at": _stamp(day, rng),
                    "school_id": school_id,
                    "actor_id": actor_id,
                    "action": action,
                    "entity_type": entity_type,
                    "entity_id": entity_id,
                    "pupil_id": pupil_id,
                    "changes": None,
                    "ip_address": None,
                }
            )
    records = len(rows)
    staff = db.session.scalars(
        sa.select(User.id).where(User.school_id == school_id, User.role != Role.GOVERNOR)
    ).all()
    pupils = db.session.scalars(sa.select(Pupil.id).where(Pupil.school_id == school_id)).all()
    first = date(academic_year_start(today) - 2, 9, 1)
    span = (today - first).days
    for action, entity, count in (
        ("view", "pupil", len(pupils) * VIEWS_PER_PUPIL),
        ("login", "user", len(staff) * LOGINS_PER_STAFF),
    ):
        for _ in range(count):
            actor = rng.choice(staff)
            pupil = rng.choice(pupils) if entity == "pupil" else None
            rows.append(
                {
                    "at": _stamp(first + timedelta(days=rng.randrange(span + 1)), rng),
                    "school_id": school_id,
                    "actor_id": actor,
                    "action": action,
                    "entity_type": entity,
                    "entity_id": pupil if pupil else actor,
                    "pupil_id": pupil,
                    "changes": None,
                    "ip_address": None,
                }
            )
    rows.sort(key=lambda row: row["at"])
    return rows, records
