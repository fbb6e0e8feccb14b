"""The demo school: a realistic primary roll with national-like rates, and four sign-ins."""

import random
from datetime import date, timedelta

import sqlalchemy as sa
from faker import Faker
from stdnum.gb import upn as stdnum_upn

from school_tracker.admin.schools import create_school, ensure_reference_data
from school_tracker.auth.passwords import UNUSABLE_PASSWORD_HASH, hash_password
from school_tracker.calendar.terms import school_today
from school_tracker.extensions import db
from school_tracker.models import (
    Gender,
    PrimaryNeed,
    Pupil,
    Role,
    School,
    SenStatus,
    User,
    YearGroup,
)

DEMO_SLUG = "demo"
DEMO_PASSWORD = "kindness-demo"  # noqa: S105 - documented demo sign-in, refused in production
DEMO_USERS = (
    ("admin@demo.school", Role.ADMIN, "Dee Admin"),
    ("leader@demo.school", Role.LEADER, "Lee Leader"),
    ("staff@demo.school", Role.STAFF, "Sam Staff"),
    ("governor@demo.school", Role.GOVERNOR, "Gwen Governor"),
)
PRIMARY_YEARS = (
    YearGroup.R,
    YearGroup.Y1,
    YearGroup.Y2,
    YearGroup.Y3,
    YearGroup.Y4,
    YearGroup.Y5,
    YearGroup.Y6,
)
PUPILS_PER_YEAR = 43  # about 300 on roll, a two-form-entry primary
# National-like rates (DfE, Special educational needs in England; Schools, pupils and
# their characteristics): SEN support ~13%, EHC plan ~5%, disadvantaged ~25%, EAL ~20%.
RATES = {"sen_k": 0.13, "sen_e": 0.05, "pp": 0.25, "eal": 0.20, "cla": 0.01, "young_carer": 0.02}
EAL_LOCALES = ("pl_PL", "ro_RO", "pt_PT", "tr_TR", "it_IT", "es_ES", "lt_LT")
NEEDS_K = (PrimaryNeed.SLCN, PrimaryNeed.SEMH, PrimaryNeed.MLD, PrimaryNeed.SPLD, PrimaryNeed.ASD)
NEEDS_E = (PrimaryNeed.ASD, PrimaryNeed.SLCN, PrimaryNeed.SEMH, PrimaryNeed.SLD, PrimaryNeed.PD)
EXTRA_STAFF = 14


def academic_year_start(today: date) -> int:
    """The calendar year in which the current academic year began (1 September)."""
    return today.year if today.month >= 9 else today.year - 1


def make_upn(la: int, establishment: int, issued: int, serial: int) -> str:
    """A well-formed UPN with the correct check letter."""
    body = f"{la:03d}{establishment:04d}{issued % 100:02d}{serial:03d}"
    return stdnum_upn.calc_check_digit(body) + body


def _dob(rng: random.Random, year: YearGroup, start_year: int) -> date:
    # Born in the academic year that makes them `typical_age` on 31 August.
    first = date(start_year - year.typical_age - 1, 9, 1)
    return first + timedelta(days=rng.randrange(365))


def _pupil(
    rng: random.Random, fakers: dict, school: School, year: YearGroup, serial: int, start_year: int
) -> Pupil:
    eal = rng.random() < RATES["eal"]
    fake = fakers[rng.choice(EAL_LOCALES)] if eal else fakers["en_GB"]
    female = rng.random() < 0.49
    pp = rng.random() < RATES["pp"]
    # SEND is over-represented among disadvantaged pupils, as in national data.
    sen_roll = rng.random() * (0.75 if pp else 1.08)
    sen = (
        SenStatus.EHC_PLAN
        if sen_roll < RATES["sen_e"]
        else SenStatus.SUPPORT
        if sen_roll < RATES["sen_e"] + RATES["sen_k"]
        else SenStatus.NONE
    )
    need = {SenStatus.SUPPORT: NEEDS_K, SenStatus.EHC_PLAN: NEEDS_E}.get(sen)
    admitted = date(start_year - (year.order - YearGroup.R.order), 9, 1)
    return Pupil(
        school=school,
        upn=make_upn(938, 2001, admitted.year, serial),
        legal_surname=fake.last_name(),
        legal_forename=fake.first_name_female() if female else fake.first_name_male(),
        preferred_forename=None,
        date_of_birth=_dob(rng, year, start_year),
        gender=Gender.FEMALE if female else Gender.MALE,
        year_group=year,
        registration_group=f"{year.value}{rng.choice('AB')}",
        sen_status=sen,
        primary_need=rng.choice(need) if need else None,
        pupil_premium=pp,
        fsm=pp and rng.random() < 0.85,
        eal=eal,
        looked_after=rng.random() < RATES["cla"],
        previously_looked_after=rng.random() < 0.01,
        child_in_need=rng.random() < 0.03,
        young_carer=rng.random() < RATES["young_carer"],
        admission_date=admitted,
    )


def seed_demo(today: date | None = None, seed: int = 2026) -> int:
    """Create the demo school once; returns the pupils created (0 if it already existed)."""
    ensure_reference_data()
    if db.session.scalar(sa.select(School.id).where(School.slug == DEMO_SLUG)) is not None:
        return 0
    rng = random.Random(seed)
    fakers = {loc: Faker(loc) for loc in ("en_GB", *EAL_LOCALES)}
    for index, fake in enumerate(fakers.values()):
        fake.seed_instance(seed + index)
    school = create_school(
        slug=DEMO_SLUG, name="Oakfield Primary (demo)", trust_name="Kindness Learning Trust (demo)"
    )
    demo_hash = hash_password(DEMO_PASSWORD)
    for email, role, name in DEMO_USERS:
        db.session.add(
            User(
                trust_id=school.trust_id,
                school=school,
                email=email,
                full_name=name,
                role=role,
                password_hash=demo_hash,
            )
        )
    for n in range(EXTRA_STAFF):
        name = fakers["en_GB"].name()
        db.session.add(
            User(
                trust_id=school.trust_id,
                school=school,
                full_name=name,
                email=f"staff{n + 1}@demo.school",
                role=Role.STAFF,
                password_hash=UNUSABLE_PASSWORD_HASH,
            )
        )
    start_year = academic_year_start(today or school_today())
    serial = 0
    for year in PRIMARY_YEARS:
        for _ in range(PUPILS_PER_YEAR):
            serial += 1
            db.session.add(_pupil(rng, fakers, school, year, serial, start_year))
    from school_tracker.demo.interventions import seed_interventions
    from school_tracker.demo.mentoring import seed_mentoring
    from school_tracker.demo.risk import seed_risk

    day = today or school_today()
    for seed_records in (seed_mentoring, seed_risk, seed_interventions):
        seed_records(school, rng, day)
    db.session.flush()
    from school_tracker.demo.alerts import seed_alerts

    seed_alerts(school, day)
    from school_tracker.demo.class_staff import seed_class_staff

    seed_class_staff(school)
    return serial
