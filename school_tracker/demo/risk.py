"""Demo exclusion-risk flags and suspensions over three academic years.

Disadvantaged pupils, pupils with SEND, boys and children with a social worker are weighted
up, as in the national suspension and exclusion statistics. Outcomes vary: most flags
de-escalate, some end in a managed move, a suspension or a permanent exclusion.
"""

import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from faker import Faker

from school_tracker.calendar.terms import TermCalendar
from school_tracker.demo.school import academic_year_start, make_upn
from school_tracker.exclusions.reference import ensure_exclusion_reasons
from school_tracker.extensions import db
from school_tracker.models import (
    Agency,
    Exclusion,
    ExclusionKind,
    ExclusionReason,
    Gender,
    Priority,
    Pupil,
    RiskAction,
    RiskFactor,
    RiskFlag,
    RiskLevel,
    RiskLevelChange,
    RiskOutcome,
    RiskStatus,
    RiskStatusChange,
    Role,
    School,
    SenStatus,
    User,
    YearGroup,
)
from school_tracker.records.reference_lists import ensure_school_lists

FLAGS_PER_YEAR = (9, 10, 11)  # two years ago, last year, this year
DEMO_STAFF_EMAIL = "staff@demo.school"
OUTCOMES = (
    (RiskOutcome.DE_ESCALATED, 45),
    (RiskOutcome.SUSPENSION, 20),
    (RiskOutcome.LEFT_SCHOOL, 12),
    (RiskOutcome.MANAGED_MOVE, 10),
    (RiskOutcome.OFF_SITE_DIRECTION, 8),
)
REASONS = (("DB", 30), ("PA", 20), ("VA", 15), ("PP", 12), ("VP", 8), ("DM", 5), ("BU", 4))
SESSIONS = (1, 2, 2, 2, 2, 3, 4, 4, 6, 10)
PROTECTIVE = (
    "Strong relationship with the class TA; loves football club.",
    "Grandparent very involved and supportive; responds well to praise.",
    "Enjoys art and helping in the nurture room; good friendship with one peer.",
    "Attends breakfast club reliably; trusts the learning mentor.",
    "Parent engaged with Early Help and keen to work with school.",
    "Calm and settled in small groups; proud of his reading progress.",
)
AGENCY_NOTES = (
    "Referral made; awaiting first appointment.",
    "Worker attends the termly review; next meeting booked.",
    "Assessment completed; recommendations added to the support plan.",
    "Shared plan agreed at the multi-agency meeting.",
)
ACTIONS = (
    "Daily check-in with the learning mentor",
    "Meet parents to agree a home-school plan",
    "Refer to the Mental Health Support Team",
    "Update the pupil passport with triggers and strategies",
    "Request an educational psychology assessment",
    "Set up a lunchtime club place",
    "Review the behaviour support plan",
    "Invite the social worker to the next review",
    "Ask the LA SEN team about an early annual review",
    "Agree a reduced-stimulus workstation",
)
LEVEL_REASONS = (
    "Several incidents this week.",
    "Settling well after the plan was agreed.",
    "Incident at lunchtime; parents informed.",
    None,
    None,
)


def _weight(pupil: Pupil) -> float:
    weight = 1.0
    weight *= 1.8 if pupil.gender is Gender.MALE else 0.7
    weight *= 3.0 if pupil.pupil_premium else 1.0
    weight *= {SenStatus.SUPPORT: 3.0, SenStatus.EHC_PLAN: 4.0}.get(pupil.sen_status, 1.0)
    weight *= 2.5 if pupil.child_in_need or pupil.looked_after else 1.0
    return weight * (0.3 if pupil.year_group in (YearGroup.R, YearGroup.Y1) else 1.0)


def _pick_pupils(rng: random.Random, pupils: Sequence[Pupil], count: int) -> list[Pupil]:
    chosen: list[Pupil] = []
    pool = list(pupils)
    # Weighed once and kept in step with the pool (the same draws as re-weighing each time).
    weights = [_weight(p) for p in pool]
    while pool and len(chosen) < count:
        index = rng.choices(range(len(pool)), weights=weights)[0]
        weights.pop(index)
        chosen.append(pool.pop(index))
    return chosen


def _at(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(8 + rng.randrange(9), rng.randrange(60)), tzinfo=UTC)


def _year_window(year: int, today: date) -> tuple[date, date]:
    start, end = date(year, 9, 3), min(date(year + 1, 7, 15), today - timedelta(days=2))
    return (end - timedelta(days=30), end) if end <= start else (start, end)


def _agencies(rng: random.Random, pupil: Pupil, by_code: dict) -> list[Agency]:
    codes = set(rng.sample(["early_help", "mhst", "camhs", "behaviour_support"], rng.randrange(3)))
    if pupil.looked_after:
        codes |= {"virtual_school", "social_care"}
    if pupil.child_in_need:
        codes.add("social_care")
    if pupil.sen_status is SenStatus.EHC_PLAN:
        codes |= {"la_sen", "ed_psych"}
    return sorted((by_code[c] for c in codes), key=lambda a: a.sort_order)


def _factors(rng: random.Random, pupil: Pupil, by_code: dict) -> list[RiskFactor]:
    codes = set(
        rng.sample(
            ["persistent_disruption", "peer_conflict", "attendance", "bereavement_family_change"],
            1 + rng.randrange(2),
        )
    )
    if pupil.sen_status is not SenStatus.NONE and rng.random() < 0.6:
        codes.add("unmet_send")
    return sorted((by_code[c] for c in codes), key=lambda f: f.sort_order)


class _Seeder:
    """Builds the flags and exclusions for one demo school (one flush at the start)."""

    def __init__(self, school: School, rng: random.Random, today: date):
        self.school, self.rng, self.today = school, rng, today
        users = db.session.scalars(sa.select(User).where(User.school_id == school.id)).all()
        self.staff = [u for u in users if u.role is Role.STAFF]
        self.leader = next(u for u in users if u.role is Role.LEADER)
        self.demo_staff = next((u for u in self.staff if u.email == DEMO_STAFF_EMAIL), None)
        # The school's own lists: every school has its own copy of the standard values.
        self.agencies = {
            a.code: a
            for a in db.session.scalars(sa.select(Agency).where(Agency.school_id == school.id))
        }
        self.factors = {
            f.code: f
            for f in db.session.scalars(
                sa.select(RiskFactor).where(RiskFactor.school_id == school.id)
            )
        }
        self.reasons = {
            r.code: r for r in db.session.scalars(sa.select(ExclusionReason)) if r.active_on(today)
        }
        self.priorities = {p.code: p for p in db.session.scalars(sa.select(Priority))}
        self.calendar = TermCalendar()
        self.year_sessions: dict[tuple[int, str], int] = {}
        self.rows: list = []
        self.live_high: list[Pupil] = []

    def priorities_for(self, pupil: Pupil) -> list[Priority]:
        codes = ["P4a", "P4b"] if pupil.sen_status is not SenStatus.NONE else ["P4a"]
        return [self.priorities[c] for c in codes if c in self.priorities]

    def flag(
        self,
        pupil: Pupil,
        raised_on: date,
        live: bool,
        outcome: RiskOutcome | None = None,
        closed_on: date | None = None,
        final_level: RiskLevel | None = None,
    ) -> RiskFlag:
        """A flag with its level history, named staff, agencies, factors and actions."""
        rng = self.rng
        raiser = rng.choice([self.leader, *self.staff[:8]])
        named = {raiser} - {self.leader} | set(rng.sample(self.staff, 1 + rng.randrange(2)))
        if self.demo_staff is not None and rng.random() < 0.3:
            named.add(self.demo_staff)
        levels = [rng.choice(list(RiskLevel)) for _ in range(1 + rng.randrange(4))]
        if final_level is not None:
            levels.append(final_level)
        levels = [lv for i, lv in enumerate(levels) if i == 0 or lv is not levels[i - 1]]
        flag = RiskFlag(
            school_id=self.school.id,
            pupil_id=pupil.id,
            raised_by_id=raiser.id,
            raised_on=raised_on,
            level=levels[-1],
            review_on=raised_on + timedelta(days=rng.randrange(21, 57)),
            protective_factors=rng.choice(PROTECTIVE),
            agency_notes=rng.choice(AGENCY_NOTES) if rng.random() < 0.7 else "",
            created_by_id=raiser.id,
            updated_by_id=raiser.id,
            created_at=_at(raised_on, rng),
            updated_at=_at(raised_on, rng),
        )
        flag.named_staff = sorted(named, key=lambda u: u.id)
        flag.agencies = _agencies(rng, pupil, self.agencies)
        flag.risk_factors = _factors(rng, pupil, self.factors)
        flag.priorities = self.priorities_for(pupil)
        span = max((min(self.today, raised_on + timedelta(days=150)) - raised_on).days, 1)
        for i, level in enumerate(levels):
            changed_on = raised_on + timedelta(days=i * span // (len(levels) + 1))
            flag.level_history.append(
                RiskLevelChange(
                    level=level,
                    changed_by_id=(raiser if i == 0 else self.leader).id,
                    changed_at=_at(changed_on, rng),
                    reason=None if i == 0 else rng.choice(LEVEL_REASONS),
                )
            )
        self._actions(flag, sorted(named, key=lambda u: u.id), live)
        if live:
            if rng.random() < 0.4:
                self._status(flag, RiskStatus.MONITORING, raised_on + timedelta(days=span // 2))
        else:
            closed_on = closed_on or raised_on + timedelta(days=rng.randrange(30, 150))
            closed_on = min(closed_on, self.today)
            flag.outcome, flag.closed_on = outcome, closed_on
            self._status(flag, RiskStatus.CLOSED, closed_on, outcome)
        self.rows.append(flag)
        if live and flag.level is RiskLevel.HIGH:
            self.live_high.append(pupil)
        return flag

    def _status(
        self, flag: RiskFlag, to: RiskStatus, on: date, outcome: RiskOutcome | None = None
    ) -> None:
        flag.status_history.append(
            RiskStatusChange(
                from_status=flag.status or RiskStatus.OPEN,
                to_status=to,
                outcome=outcome,
                changed_by_id=self.leader.id,
                changed_at=_at(min(on, self.today), self.rng),
            )
        )
        flag.status = to

    def _actions(self, flag: RiskFlag, named: list[User], live: bool) -> None:
        rng = self.rng
        # Some live high flags are left without an open action, for the leaders' home page.
        count = 0 if live and flag.level is RiskLevel.HIGH and rng.random() < 0.4 else None
        for text in rng.sample(ACTIONS, 1 + rng.randrange(4) if count is None else 0):
            due = flag.raised_on + timedelta(days=rng.randrange(7, 45))
            done = not live or (due < self.today and rng.random() < 0.7)
            done_on = min(due + timedelta(days=rng.randrange(-5, 6)), self.today) if done else None
            owner = rng.choice([self.leader, *named])
            flag.actions.append(
                RiskAction(
                    description=text,
                    owner_id=owner.id,
                    due_on=due,
                    done_on=max(done_on, flag.raised_on) if done_on else None,
                    done_by_id=owner.id if done_on else None,
                    created_by_id=flag.raised_by_id,
                    created_at=_at(flag.raised_on, rng),
                )
            )

    def exclusion(
        self,
        pupil: Pupil,
        start: date,
        kind: ExclusionKind = ExclusionKind.SUSPENSION,
        sessions: int | None = None,
    ) -> None:
        """A suspension (kept within 45 days a year) or permanent exclusion, on a weekday."""
        rng = self.rng
        start -= timedelta(days=max(start.weekday() - 4, 0))  # a weekend start moves to Friday
        if kind is ExclusionKind.SUSPENSION:
            sessions = sessions or rng.choice(SESSIONS)
            year_key = (pupil.id, self.calendar.term_for(start).academic_year)
            if self.year_sessions.get(year_key, 0) + sessions > 90:
                return
            self.year_sessions[year_key] = self.year_sessions.get(year_key, 0) + sessions
        codes = [c for c, _ in REASONS if c in self.reasons]
        first = rng.choices(codes, weights=[w for c, w in REASONS if c in self.reasons])[0]
        second = rng.choice([c for c in codes if c != first]) if rng.random() < 0.3 else None
        has_worker = pupil.child_in_need or pupil.looked_after
        self.rows.append(
            Exclusion(
                school_id=self.school.id,
                pupil_id=pupil.id,
                kind=kind,
                start_date=start,
                sessions=sessions if kind is ExclusionKind.SUSPENSION else None,
                reason_1_id=self.reasons[first].id,
                reason_2_id=self.reasons[second].id if second else None,
                parents_notified=True,
                parents_notified_on=start,
                la_notified=rng.random() < 0.9,
                la_notified_on=None,
                social_worker_notified=has_worker,
                social_worker_notified_on=start if has_worker else None,
                priorities=self.priorities_for(pupil),
                created_by_id=self.leader.id,
                updated_by_id=self.leader.id,
                created_at=_at(start, rng),
                updated_at=_at(start, rng),
            )
        )
        latest = self.rows[-1]
        latest.la_notified_on = start + timedelta(days=1) if latest.la_notified else None
        if latest.la_notified_on and latest.la_notified_on > self.today:
            latest.la_notified_on = start


def _former_pupil(
    school: School,
    rng: random.Random,
    left_on: date,
    establishment: int = 2001,
    year: YearGroup = YearGroup.Y6,
) -> Pupil:
    """A pupil who left after a permanent exclusion (kept on record, archived)."""
    # Admitted in Reception (a primary) or Year 7 (a secondary, where Year 9 is used).
    years_in_school = 6 if year is YearGroup.Y6 else year.order - YearGroup.Y7.order + 1
    fake = Faker("en_GB")
    fake.seed_instance(rng.randrange(10**6))
    return Pupil(
        school_id=school.id,
        upn=make_upn(938, establishment, left_on.year - 6, 900 + rng.randrange(99)),
        legal_surname=fake.last_name(),
        legal_forename=fake.first_name_male(),
        date_of_birth=date(left_on.year - year.typical_age - 1, 3, 14),
        gender=Gender.MALE,
        year_group=year,
        sen_status=SenStatus.SUPPORT,
        pupil_premium=True,
        fsm=True,
        child_in_need=True,
        admission_date=date(left_on.year - years_in_school, 9, 1),
        leaving_date=left_on,
    )


def seed_risk(
    school: School,
    rng: random.Random,
    today: date,
    scale: float = 1.0,
    upn_establishment: int = 2001,
) -> None:
    """About 30 risk flags (times `scale`) with history and actions, and suspensions.

    `upn_establishment` keeps the UPN of the former pupil unique across a trust's schools.
    """
    ensure_school_lists(school.id)
    ensure_exclusion_reasons()
    db.session.flush()  # ids for pupils, users and reference rows; one flush, not per row
    seeder = _Seeder(school, rng, today)
    pupils = db.session.scalars(
        sa.select(Pupil).where(Pupil.school_id == school.id, Pupil.leaving_date.is_(None))
    ).all()
    first_year = academic_year_start(today) - 2
    for offset, per_year in enumerate(FLAGS_PER_YEAR):
        count = per_year if scale == 1 else max(1, round(per_year * scale))
        year, current = first_year + offset, offset == 2
        low, high = _year_window(year, today)
        outcomes = [o for o, _ in OUTCOMES]
        weights = [w for _, w in OUTCOMES]
        for pupil in _pick_pupils(rng, pupils, count):
            raised = low + timedelta(days=rng.randrange(max((high - low).days, 1)))
            live = current and rng.random() < 0.75
            outcome = None if live else rng.choices(outcomes, weights=weights)[0]
            flag = seeder.flag(pupil, raised, live, outcome)
            if outcome is RiskOutcome.SUSPENSION or (live and rng.random() < 0.4):
                last = flag.closed_on or today
                for _ in range(1 + rng.randrange(3)):
                    start = raised + timedelta(days=rng.randrange(3, 60))
                    if start <= last:
                        seeder.exclusion(pupil, start)
    if seeder.live_high:
        # The live high-risk pupil with the least suspension so far reaches 10.5 days.
        quietest = min(
            seeder.live_high,
            key=lambda p: sum(n for (pid, _), n in seeder.year_sessions.items() if pid == p.id),
        )
        _near_threshold(seeder, quietest, today)
    _permanent_exclusions(seeder, school, rng, today, first_year, pupils, upn_establishment)
    db.session.add_all(seeder.rows)


def _near_threshold(seeder: _Seeder, pupil: Pupil, today: date) -> None:
    """One pupil with 10.5 days this term, so the leaders' threshold panel has an entry."""
    term = seeder.calendar.term_for(today)
    first = term.starts_on
    if term.season == "autumn":
        first = max(first, date(first.year, 9, 4))  # DfE autumn starts 1 Aug; school in Sept
    if (today - first).days < 16:
        return
    for sessions, day in ((10, 2), (6, 9), (5, 14)):
        seeder.exclusion(pupil, first + timedelta(days=day), sessions=sessions)


def _permanent_exclusions(
    seeder: _Seeder,
    school: School,
    rng: random.Random,
    today: date,
    first_year: int,
    pupils: Sequence[Pupil],
    establishment: int = 2001,
) -> None:
    """Two permanent exclusions: one two years ago (pupil since left), one pending review."""
    # Year 6 in a primary; a secondary school has no Year 6, so Year 9 there.
    year = YearGroup.Y6 if any(p.year_group is YearGroup.Y6 for p in pupils) else YearGroup.Y9
    excluded_on = date(first_year + 1, 3, 4)
    former = _former_pupil(school, rng, excluded_on + timedelta(days=21), establishment, year)
    db.session.add(former)
    db.session.flush()
    seeder.flag(
        former,
        excluded_on - timedelta(days=70),
        False,
        RiskOutcome.PERMANENT_EXCLUSION,
        closed_on=excluded_on,
        final_level=RiskLevel.HIGH,
    )
    seeder.exclusion(former, excluded_on - timedelta(days=40), sessions=6)
    seeder.exclusion(former, excluded_on, ExclusionKind.PERMANENT)
    # A recent one: the pupil stays on roll until the governors have considered it.
    recent = _pick_pupils(rng, [p for p in pupils if p.year_group is year], 1)
    if recent and (today - date(academic_year_start(today), 9, 1)).days > 40:
        pupil = recent[0]
        raised = today - timedelta(days=38)
        seeder.flag(pupil, raised, True, final_level=RiskLevel.HIGH)
        seeder.exclusion(pupil, raised + timedelta(days=10), sessions=4)
        seeder.exclusion(pupil, today - timedelta(days=6), ExclusionKind.PERMANENT)
