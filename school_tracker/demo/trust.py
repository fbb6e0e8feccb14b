"""The demo trust (`seed-demo --scale trust`): ten schools, ~12,000 pupils, three years of records.

The demo school is seeded exactly as `seed-demo` does (its four sign-ins stay there). Nine
more schools follow: two primaries and seven secondaries (Years 7-11), with rolls and staff
inserted in bulk, then the demo's own per-school seeders scaled by roll size, then an audit
trail. Everything is one transaction (the caller commits), flushed once per school, with the
identity map cleared between schools so memory stays flat.
"""

import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from tqdm import tqdm

from school_tracker.admin.schools import create_school
from school_tracker.auth.passwords import hash_password
from school_tracker.calendar.terms import school_today
from school_tracker.demo.school import DEMO_PASSWORD, DEMO_SLUG, academic_year_start, seed_demo
from school_tracker.demo.trust_rows import audit_rows, pupil_rows, staff_rows
from school_tracker.extensions import db
from school_tracker.models import AuditEntry, Pupil, Role, School, User

DEMO_ROLL = 301  # seed_demo's roll: the per-school seeders' counts are written for it
TRUST_LEADER_EMAIL = "trust.leader@demo.school"
# Secondaries suspend far more often than primaries (DfE: roughly ten times the rate), so
# their exclusion-risk records are scaled up beyond roll size alone.
SECONDARY_RISK_FACTOR = 3.0
# Stage weights for the progress bar (shares of a school's time).
STAGES = (("roll and staff", 0.1), ("records", 0.75), ("audit trail", 0.15))


@dataclass(frozen=True)
class SchoolPlan:
    """One of the trust's schools: its slug, name, phase, roll and DfE establishment number."""

    slug: str
    name: str
    secondary: bool
    roll: int
    establishment: int


SCHOOLS = (
    SchoolPlan("demo-2", "Beechwood Primary (demo)", False, 420, 2002),
    SchoolPlan("demo-3", "Castlegate Primary (demo)", False, 440, 2003),
    SchoolPlan("demo-4", "Ashworth Academy (demo)", True, 1200, 4001),
    SchoolPlan("demo-5", "Brookside High School (demo)", True, 1350, 4002),
    SchoolPlan("demo-6", "Cedar Park Academy (demo)", True, 1500, 4003),
    SchoolPlan("demo-7", "Dalemoor School (demo)", True, 1600, 4004),
    SchoolPlan("demo-8", "Elmhurst Academy (demo)", True, 1700, 4005),
    SchoolPlan("demo-9", "Fernlea High School (demo)", True, 1750, 4006),
    SchoolPlan("demo-10", "Greystone Academy (demo)", True, 1800, 4007),
)


@dataclass(frozen=True)
class TrustSeed:
    """What the trust seed made."""

    schools: int
    pupils: int
    staff: int
    records: int


def seed_trust(
    today: date | None = None,
    seed: int = 2026,
    *,
    size: float = 1.0,
    password: str = DEMO_PASSWORD,
    progress: bool = True,
) -> TrustSeed | None:
    """Create the demo trust once (None if the demo school exists); the caller commits.

    `size` scales every roll (0.02 makes a tiny trust for tests); `password` is what the
    new staff, leaders and the trust leader sign in with (one argon2 hash, shared).
    """
    if db.session.scalar(sa.select(School.id).where(School.slug == DEMO_SLUG)) is not None:
        return None
    day = today or school_today()
    plans = [
        SchoolPlan(p.slug, p.name, p.secondary, max(12, round(p.roll * size)), p.establishment)
        for p in SCHOOLS
    ]
    total = DEMO_ROLL + sum(p.roll for p in plans)
    password_hash = hash_password(password)
    records = 0
    with _bar(total, progress) as bar:
        bar.set_description("demo: the demo school")
        seed_demo(today=day, seed=seed)
        demo = db.session.execute(sa.select(School).where(School.slug == DEMO_SLUG)).scalar_one()
        trust_id = demo.trust_id
        db.session.add(
            User(
                trust_id=trust_id,
                school=None,
                email=TRUST_LEADER_EMAIL,
                full_name="Tara Trust-Leader",
                role=Role.TRUST_LEADER,
                password_hash=password_hash,
            )
        )
        records += _audit_trail(demo.id, random.Random(seed), day)
        _done_with_school()
        bar.update(DEMO_ROLL)
        staff = 0
        for index, plan in enumerate(plans, start=2):
            rng = random.Random(seed * 100 + index)
            staff += _seed_school(plan, rng, day, trust_id, password_hash, bar)
            _records_for(plan, rng, day, bar)
            records += _audit_trail(_school_id(plan.slug), rng, day)
            _done_with_school()
            bar.update(round(plan.roll * STAGES[2][1]))
    pupils = db.session.execute(sa.select(sa.func.count(Pupil.id))).scalar_one()
    return TrustSeed(1 + len(plans), pupils, staff, records)


@contextmanager
def _bar(total: int, show: bool) -> Iterator[tqdm]:
    with tqdm(total=total, unit="pupil", disable=not show, dynamic_ncols=True) as bar:
        yield bar


def _school_id(slug: str) -> int:
    return db.session.execute(sa.select(School.id).where(School.slug == slug)).scalar_one()


def _done_with_school() -> None:
    # One flush per school; dropping the identity map keeps memory flat across schools.
    db.session.flush()
    db.session.expunge_all()


def _seed_school(
    plan: SchoolPlan,
    rng: random.Random,
    today: date,
    trust_id: int,
    password_hash: str,
    bar: tqdm,
) -> int:
    """The school, its staff and its roll, inserted in bulk; returns the staff created."""
    bar.set_description(f"{plan.slug}: {STAGES[0][0]}")
    school = create_school(slug=plan.slug, name=plan.name)
    users = staff_rows(plan, rng, trust_id, school.id, password_hash)
    db.session.execute(sa.insert(User), users)
    pupils = pupil_rows(plan, rng, school.id, academic_year_start(today))
    db.session.execute(sa.insert(Pupil), pupils)
    bar.update(round(plan.roll * STAGES[0][1]))
    return len(users)


def _records_for(plan: SchoolPlan, rng: random.Random, today: date, bar: tqdm) -> None:
    """Three years of every record kind, from the demo's seeders scaled by roll size."""
    from school_tracker.demo.interventions import seed_interventions
    from school_tracker.demo.mentoring import seed_mentoring
    from school_tracker.demo.risk import seed_risk

    bar.set_description(f"{plan.slug}: {STAGES[1][0]}")
    school = db.session.execute(sa.select(School).where(School.slug == plan.slug)).scalar_one()
    scale = plan.roll / DEMO_ROLL
    risk_scale = scale * (SECONDARY_RISK_FACTOR if plan.secondary else 1.0)
    seed_mentoring(school, rng, today, scale)
    seed_risk(school, rng, today, risk_scale, upn_establishment=plan.establishment)
    seed_interventions(school, rng, today, scale)
    db.session.flush()
    bar.update(round(plan.roll * STAGES[1][1]))


def _audit_trail(school_id: int, rng: random.Random, today: date) -> int:
    """An audit entry for every record created, pupil views and sign-ins; returns the records."""
    rows, records = audit_rows(school_id, rng, today)
    for start in range(0, len(rows), 5000):
        db.session.execute(sa.insert(AuditEntry), rows[start : start + 5000])
    return records


def echo_trust_seed() -> None:
    """`seed-demo --scale trust`: seed, commit, and say what was made and how to sign in."""
    import click

    from school_tracker.demo.school import DEMO_USERS

    started = time.perf_counter()
    made = seed_trust()
    if made is None:
        click.echo("The demo school already exists; nothing added.")
        return
    db.session.commit()
    click.echo(
        f"Seeded the demo trust in {time.perf_counter() - started:.0f} s: {made.schools} "
        f"schools, {made.pupils} pupils, {made.staff} more staff accounts, {made.records} records."
    )
    click.echo(f"Sign-ins (password for all: {DEMO_PASSWORD}):")
    for email, role, _ in DEMO_USERS:
        click.echo(f"  {role.value:12} {email}")
    click.echo(f"  {'trust_leader':12} {TRUST_LEADER_EMAIL}")
    click.echo(f"  {'leader':12} leader@demo-N.school, for N = 2 to {1 + len(SCHOOLS)}")
    click.echo(f"  {'staff':12} staff1@demo-N.school, staff2@demo-N.school, ...")
