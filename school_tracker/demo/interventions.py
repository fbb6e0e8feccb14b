"""Demo interventions with pupils and outcomes, staff CPD and parent conversations (3 years)."""

import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate
from typing import TypeVar

import sqlalchemy as sa

from school_tracker.demo.intervention_sessions import add_register
from school_tracker.demo.interventions_data import (
    AGREED,
    CPD,
    FAMILY_SAID,
    INTENDED,
    NOTES,
    PARENT_VOICE,
    PROFILES,
    PUPIL_VOICE,
    SCHOOL_SAID,
    STOP_REASONS,
    WITHDRAW_REASONS,
    Profile,
)
from school_tracker.extensions import db
from school_tracker.interventions.catalogue import ensure_intervention_types
from school_tracker.models import (
    CarerRelationship,
    FundingStream,
    Intervention,
    InterventionMode,
    InterventionParticipant,
    InterventionStatus,
    InterventionType,
    LearningRecord,
    ParentConversation,
    ParticipantStatus,
    Priority,
    Pupil,
    ReferenceKind,
    ReferenceValue,
    Role,
    School,
    SenStatus,
    SessionFrequency,
    User,
    YearGroup,
)
from school_tracker.permissions import STAFF_AND_LEADERS
from school_tracker.records.reference_lists import ensure_school_lists

INTERVENTIONS = 60
GROUPS = 20  # a third of them
CONVERSATIONS = 90
DEMO_STAFF_EMAIL = "staff@demo.school"
PER_WEEK = {
    SessionFrequency.DAILY: 5,
    SessionFrequency.SEVERAL_WEEKLY: 2.5,
    SessionFrequency.WEEKLY: 1,
}
# Impact -2..+2: most help a little, some make no difference, a few go backwards.
IMPACT_COMPLETED = ((-2, 3), (-1, 8), (0, 22), (1, 42), (2, 25))
IMPACT_STOPPED = ((-2, 5), (-1, 20), (0, 50), (1, 25))
Choice = TypeVar("Choice")


def _weighted(rng: random.Random, pairs: Sequence[tuple[Choice, float]]) -> Choice:
    values = [value for value, _ in pairs]
    weights = [weight for _, weight in pairs]
    return rng.choices(values, weights=weights)[0]


def _need_weight(pupil: Pupil, send_focused: bool) -> float:
    """Disadvantaged and SEND pupils are over-represented in support, as in real schools."""
    weight = 1.0
    if pupil.pupil_premium:
        weight += 2.0
    if pupil.sen_status is SenStatus.SUPPORT:
        weight += 4.0 if send_focused else 2.5
    if pupil.sen_status is SenStatus.EHC_PLAN:
        weight += 6.0 if send_focused else 3.5
    if pupil.looked_after:
        weight += 2.0
    return weight


def _pick_pupils(
    rng: random.Random, pupils: Sequence[Pupil], count: int, start: date, profile: Profile
) -> list[Pupil]:
    eligible = [
        p
        for p in pupils
        if (p.admission_date or start) <= start
        and (not profile.older or p.year_group.order >= YearGroup.Y3.order)
    ]
    chosen: list[Pupil] = []
    # Weighed once per call (the weights do not change between picks): the same draws.
    cum_weights = list(accumulate(_need_weight(p, profile.send) for p in eligible))
    while len(chosen) < count and len(chosen) < len(eligible):
        pick = rng.choices(eligible, cum_weights=cum_weights)[0]
        if pick not in chosen:
            chosen.append(pick)
    return chosen


def _stamp(day: date) -> datetime:
    return datetime.combine(day, time(15, 30), tzinfo=UTC)


def _clip(profile: Profile, score: float) -> float:
    low = profile.low if profile.low is not None else score
    high = profile.high if profile.high is not None else score
    return round(min(max(score, low), high), 1)


def _funding(rng: random.Random, profile: Profile, pupils: list[Pupil]) -> FundingStream:
    send = profile.send or any(p.sen_status is not SenStatus.NONE for p in pupils)
    if send and rng.random() < 0.6:
        return FundingStream.SEN_NOTIONAL
    return _weighted(
        rng,
        (
            (FundingStream.PUPIL_PREMIUM, 6),
            (FundingStream.RECOVERY, 2),
            (FundingStream.OTHER, 2),
        ),
    )


def _outcome(
    rng: random.Random,
    profile: Profile,
    part: InterventionParticipant,
    planned: int,
    status: InterventionStatus,
) -> float:
    """Fill in exit score and impact for a finished pupil, plausibly varied; returns their
    chance of being at each session (the register makes their attendance from it)."""
    if status is InterventionStatus.STOPPED and rng.random() < 0.3:
        return rng.randint(0, planned // 3) / planned  # stopped before anyone measured the exit
    table = IMPACT_COMPLETED if status is InterventionStatus.COMPLETED else IMPACT_STOPPED
    impact = _weighted(rng, table)
    part.impact = impact
    share = 0.6 + 0.1 * (impact + 2) if status is InterventionStatus.COMPLETED else 0.4
    chance = rng.uniform(share - 0.1, share)  # drawn where the typed count was, as before
    if profile.measure and part.baseline_score is not None:
        noise = rng.uniform(-1, 1) * abs(profile.gain)
        part.exit_score = _clip(profile, part.baseline_score + impact * profile.gain + noise)
    return chance


def _sessions_held(
    record: Intervention, planned: int, finish: date, frequency: SessionFrequency, today: date
) -> int:
    """How many of the planned sessions had been held by the end (or by today)."""
    if record.status is InterventionStatus.COMPLETED:
        return planned
    if record.status is InterventionStatus.STOPPED and record.end_date is not None:
        ran = (record.end_date - record.start_date).days / max(1, (finish - record.start_date).days)
        return max(1, round(planned * ran))
    return min(planned, round((today - record.start_date).days / 7 * PER_WEEK[frequency]))


def _intervention(
    rng: random.Random,
    kind: InterventionType,
    profile: Profile,
    mode: InterventionMode,
    lead: User,
    creator: User,
    start: date,
    today: date,
    pupils: list[Pupil],
    priorities: dict[str, Priority],
    measures: dict[str, ReferenceValue],
) -> Intervention:
    frequency = rng.choice(
        [SessionFrequency.WEEKLY, SessionFrequency.SEVERAL_WEEKLY, SessionFrequency.DAILY]
        if profile.sessions[1] > 20
        else [SessionFrequency.WEEKLY, SessionFrequency.SEVERAL_WEEKLY]
    )
    planned = rng.randint(*profile.sessions)
    weeks = max(3, round(planned / PER_WEEK[frequency]))
    finish = start + timedelta(weeks=weeks)
    review = start + timedelta(weeks=max(2, min(weeks, rng.randint(6, 12))))
    if start > today:
        status = InterventionStatus.PLANNED
    elif finish < today:
        status = InterventionStatus.STOPPED if rng.random() < 0.15 else InterventionStatus.COMPLETED
    else:
        status = InterventionStatus.ACTIVE
    end = None
    if status is InterventionStatus.COMPLETED:
        end = finish
    elif status is InterventionStatus.STOPPED:
        end = start + timedelta(days=rng.randint(10, max(11, (finish - start).days - 7)))
    record = Intervention(
        school_id=lead.school_id,
        type=kind,
        mode=mode,
        lead_id=lead.id,
        created_by_id=creator.id,
        updated_by_id=creator.id,
        measure_value=measures[profile.measure] if profile.measure else None,
        score_min=profile.low,
        score_max=profile.high,
        intended_outcome=rng.choice(INTENDED.get(kind.seed_key or "default", INTENDED["default"])),
        planned_sessions=planned,
        frequency=frequency,
        cost_pence=rng.randrange(profile.cost[0], profile.cost[1] + 1, 5) * 100,
        funding_stream=_funding(rng, profile, pupils),
        start_date=start,
        review_date=review,
        end_date=end,
        status=status,
        stop_reason=rng.choice(STOP_REASONS) if status is InterventionStatus.STOPPED else None,
        pupil_voice=rng.choice(PUPIL_VOICE) if status is not InterventionStatus.PLANNED else "",
        parent_voice=rng.choice(PARENT_VOICE) if rng.random() < 0.6 else "",
        notes=rng.choice(NOTES) if rng.random() < 0.4 else "",
        priorities=[priorities[code] for code in kind.default_codes],
        created_at=_stamp(min(start, today)),
        updated_at=_stamp(min(end or today, today)),
    )
    chance: dict[InterventionParticipant, float] = {}
    for index, pupil in enumerate(pupils):
        late = mode is InterventionMode.GROUP and index > 1 and rng.random() < 0.2
        joined = start + timedelta(days=rng.randint(3, 14)) if late else start
        part = InterventionParticipant(
            pupil_id=pupil.id,
            start_date=min(joined, end or joined),
            status=ParticipantStatus.TAKING_PART,
            created_by_id=creator.id,
            baseline_score=(round(rng.uniform(*profile.baseline), 1) if profile.measure else None),
        )
        if end is not None:
            part.end_date = end
            chance[part] = _outcome(rng, profile, part, planned, status)
        elif status is InterventionStatus.ACTIVE:
            chance[part] = rng.uniform(0.7, 1.0)
        record.participants.append(part)
    _maybe_withdraw(rng, record, today)
    if status is not InterventionStatus.PLANNED:
        held = _sessions_held(record, planned, finish, frequency, today)
        add_register(record, held, chance, today)
    return record


def _maybe_withdraw(rng: random.Random, record: Intervention, today: date) -> None:
    """Now and then a pupil leaves a group early (the group keeps at least two)."""
    if record.mode is not InterventionMode.GROUP or len(record.participants) < 3:
        return
    part = record.participants[-1]
    latest = min(today, record.end_date or today)
    if rng.random() < 0.3 and (latest - part.start_date).days >= 7:
        part.status = ParticipantStatus.WITHDRAWN
        part.withdrawn_on = part.start_date + timedelta(
            days=rng.randint(1, max(1, (latest - part.start_date).days))
        )
        part.withdrawn_reason = rng.choice(WITHDRAW_REASONS)
        part.end_date = part.withdrawn_on
        part.impact = part.exit_score = None


def _school_day(rng: random.Random, first: date, last: date) -> date:
    day = first + timedelta(days=rng.randint(0, max(0, (last - first).days)))
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return max(day, first)


def _year_bounds(today: date) -> list[tuple[date, date]]:
    first = today.year if today.month >= 9 else today.year - 1
    return [(date(y, 9, 4), date(y + 1, 7, 18)) for y in (first - 2, first - 1, first)]


def _scaled(count: int, scale: float) -> int:
    """A count for a school `scale` times the demo school's size (at least one)."""
    return count if scale == 1 else max(1, round(count * scale))


def seed_interventions(school: School, rng: random.Random, today: date, scale: float = 1.0) -> None:
    """About 60 interventions (a third groups), CPD for all staff, 90 conversations.

    `scale` multiplies the intervention and conversation counts (CPD follows the staff).
    """
    ensure_intervention_types(school.id)
    measures = _school_values(
        school.id, ReferenceKind.MEASURE, [p.measure for p in PROFILES.values() if p.measure]
    )
    focus_areas = _school_values(school.id, ReferenceKind.CPD_FOCUS, [row[1] for row in CPD])
    db.session.flush()
    priorities = {p.code: p for p in db.session.scalars(sa.select(Priority))}
    kinds = {
        t.seed_key: t
        for t in db.session.scalars(
            sa.select(InterventionType).where(InterventionType.school_id == school.id)
        )
    }
    staff = list(
        db.session.scalars(
            sa.select(User)
            .where(User.school_id == school.id, User.role.in_(STAFF_AND_LEADERS))
            .order_by(User.id)
        )
    )
    leaders = [u for u in staff if u.role is Role.LEADER] or staff
    pupils = list(db.session.scalars(sa.select(Pupil).where(Pupil.school_id == school.id)))
    lead_weights = [
        6 if u.email == DEMO_STAFF_EMAIL else 2 if u.role is Role.LEADER else 1 for u in staff
    ]
    years = _year_bounds(today)
    records = []
    groups = _scaled(GROUPS, scale)
    for n in range(_scaled(INTERVENTIONS, scale)):
        mode = InterventionMode.GROUP if n < groups else InterventionMode.INDIVIDUAL
        keys = [k for k, p in PROFILES.items() if p.group in (None, mode is InterventionMode.GROUP)]
        key = rng.choices(keys, weights=[PROFILES[k].weight for k in keys])[0]
        first, last = years[rng.choices((0, 1, 2), weights=(3, 3, 4))[0]]
        start = _school_day(rng, first, min(last, today + timedelta(days=21)))
        count = rng.randint(3, 6) if mode is InterventionMode.GROUP else 1
        chosen = _pick_pupils(rng, pupils, count, start, PROFILES[key])
        lead = rng.choices(staff, weights=lead_weights)[0]
        creator = lead if rng.random() < 0.7 else rng.choice(leaders)
        records.append(
            _intervention(
                rng,
                kinds[key],
                PROFILES[key],
                mode,
                lead,
                creator,
                start,
                today,
                chosen,
                priorities,
                measures,
            )
        )
    db.session.add_all(records)
    db.session.add_all(_learning(rng, staff, leaders, years, today, priorities, focus_areas))
    db.session.add_all(
        _conversations(
            rng,
            pupils,
            staff,
            lead_weights,
            years,
            today,
            priorities,
            _scaled(CONVERSATIONS, scale),
        )
    )


def _school_values(
    school_id: int, kind: ReferenceKind, names: list[str]
) -> dict[str, ReferenceValue]:
    """The school's list values by name, adding any the demo uses beyond the standard list."""
    ensure_school_lists(school_id)
    found = {
        row.name: row
        for row in db.session.scalars(
            sa.select(ReferenceValue).where(
                ReferenceValue.school_id == school_id, ReferenceValue.kind == kind
            )
        )
    }
    for name in dict.fromkeys(names):
        if name not in found:
            found[name] = ReferenceValue(
                school_id=school_id, kind=kind, name=name, sort_order=1000 + len(found)
            )
            db.session.add(found[name])
    return found


def _learning(
    rng: random.Random,
    staff: list[User],
    leaders: list[User],
    years: list[tuple[date, date]],
    today: date,
    priorities: dict[str, Priority],
    focus_areas: dict[str, ReferenceValue],
) -> list[LearningRecord]:
    """Three to seven pieces of CPD per person per year, P3 with a second priority at times."""
    rows = []
    for user in staff:
        for first, last in years:
            for _ in range(rng.randint(3, 7)):
                activity, focus, hours, extra = rng.choice(CPD)
                held = _school_day(rng, first, min(last, today))
                if held > today:
                    continue
                codes = ["P3", *([extra] if extra and rng.random() < 0.6 else [])]
                by = user if rng.random() < 0.8 else rng.choice(leaders)
                rows.append(
                    LearningRecord(
                        school_id=user.school_id,
                        staff_id=user.id,
                        held_on=held,
                        activity=activity,
                        hours_tenths=int(hours * 10),
                        focus_value=focus_areas[focus],
                        reflection=rng.choice(NOTES) if rng.random() < 0.7 else "",
                        created_by_id=by.id,
                        updated_by_id=by.id,
                        priorities=[priorities[c] for c in codes],
                        created_at=_stamp(held),
                        updated_at=_stamp(held),
                    )
                )
    return rows


def _carer(rng: random.Random, pupil: Pupil) -> tuple[str, CarerRelationship]:
    if pupil.looked_after:
        return rng.choice(("Mrs Jan Whitfield", "Mr Tony Akande")), CarerRelationship.FOSTER_CARER
    relationship = _weighted(
        rng,
        (
            (CarerRelationship.MOTHER, 55),
            (CarerRelationship.FATHER, 25),
            (CarerRelationship.GRANDPARENT, 8),
            (CarerRelationship.STEP_PARENT, 5),
            (CarerRelationship.KINSHIP_CARER, 3),
            (CarerRelationship.OTHER_RELATIVE, 4),
        ),
    )
    title = {"father": "Mr", "mother": "Mrs"}.get(
        relationship.value, rng.choice(("Mr", "Mrs", "Ms"))
    )
    return f"{title} {pupil.legal_surname}", relationship


def _conversations(
    rng: random.Random,
    pupils: list[Pupil],
    staff: list[User],
    weights: list[int],
    years: list[tuple[date, date]],
    today: date,
    priorities: dict[str, Priority],
    count: int = CONVERSATIONS,
) -> list[ParentConversation]:
    rows = []
    for _ in range(count):
        first, last = years[rng.choices((0, 1, 2), weights=(3, 3, 4))[0]]
        held = _school_day(rng, first, min(last, today))
        if held > today:
            continue
        eligible = [p for p in pupils if (p.admission_date or held) <= held]
        pupil = rng.choices(eligible, weights=[_need_weight(p, True) for p in eligible])[0]
        lead = rng.choices(staff, weights=weights)[0]
        name, relationship = _carer(rng, pupil)
        follow = held + timedelta(days=rng.randint(14, 42)) if rng.random() < 0.7 else None
        # Most follow-ups are closed; a few recent ones are still open for the home page.
        overdue_days = (today - follow).days if follow else 0
        done = follow if overdue_days > 60 or (overdue_days > 7 and rng.random() < 0.8) else None
        rows.append(
            ParentConversation(
                school_id=pupil.school_id,
                pupil_id=pupil.id,
                carer_name=name,
                carer_relationship=relationship,
                led_by_id=lead.id,
                held_on=held,
                family_said=rng.choice(FAMILY_SAID),
                school_said=rng.choice(SCHOOL_SAID),
                agreed_actions=rng.choice(AGREED),
                follow_up_on=follow,
                follow_up_done_on=done,
                created_by_id=lead.id,
                updated_by_id=lead.id,
                priorities=[priorities["P5"]]
                + (
                    [priorities["P4b"]]
                    if pupil.sen_status is not SenStatus.NONE and rng.random() < 0.5
                    else []
                ),
                created_at=_stamp(held),
                updated_at=_stamp(done or held),
            )
        )
    return rows
