"""Demo mentoring pairings with sessions, and kindness moments, over three academic years."""

import random
from datetime import date, timedelta
from itertools import accumulate
from typing import Any

import sqlalchemy as sa

from school_tracker.extensions import db
from school_tracker.models import (
    AdultRelationship,
    KindnessGiver,
    KindnessMoment,
    KindnessMomentValue,
    KindnessValue,
    KindPersonKind,
    MeetingFrequency,
    MentoringPairing,
    MentoringSession,
    MentorKind,
    PairingOutcome,
    PairingStatus,
    PrimaryNeed,
    Priority,
    Pupil,
    Role,
    School,
    SenStatus,
    User,
    YearGroup,
)
from school_tracker.orm import utcnow
from school_tracker.permissions import STAFF_AND_LEADERS

PAIRINGS = 40
DEMO_STAFF_EMAIL = "staff@demo.school"
KINDNESS_MOMENTS = 300
RECENT_KINDNESS = 60  # extra moments in the last two months, so the wall is lively
QUIET = (0, 0, 0, 2, 5, 20)  # days since an active pairing last met
FREQUENCY_DAYS = {
    MeetingFrequency.TWICE_WEEKLY: 3,
    MeetingFrequency.WEEKLY: 7,
    MeetingFrequency.FORTNIGHTLY: 14,
    MeetingFrequency.MONTHLY: 28,
    MeetingFrequency.AS_NEEDED: 10,
}
ADULTS = (
    ("Mr Dev Hughes", AdultRelationship.SUPPORT_STAFF),
    ("Mrs Pat Oduya", AdultRelationship.SUPPORT_STAFF),
    ("Ms Grace Lindqvist", AdultRelationship.VOLUNTEER),
    ("Mr Tom Barnes", AdultRelationship.VOLUNTEER),
    ("Mrs Amira Haddad", AdultRelationship.PARENT_CARER),
    ("Mr Joe Kowalski", AdultRelationship.COMMUNITY),
    ("Revd Ruth Adeyemi", AdultRelationship.COMMUNITY),
)
MENTEE_GOALS = (
    "To feel calmer at lunchtimes and have someone to talk to.",
    "To get better at asking for help in class.",
    "To make a friend in my new class.",
    "To stop getting into trouble at playtime.",
    "To feel more confident reading out loud.",
    "To come to school on time more often.",
    "To learn how to handle it when I get cross.",
)
MENTOR_GOALS = (
    "To understand what school feels like for a child who finds it hard.",
    "To get better at listening without jumping in.",
    "To learn how younger children see friendships.",
    "To learn more about autism and how to help.",
    "To become more patient and encouraging.",
)
ACTIVITIES = (
    "Played a board game and talked about the week.",
    "Walked round the garden and planted seeds.",
    "Read a chapter of a book together.",
    "Made a worry jar and talked about what goes in it.",
    "Practised what to say when a game goes wrong.",
    "Built a Lego model and took turns choosing pieces.",
    "Drew a map of the playground: safe places and tricky places.",
)
MENTEE_VOICE = (
    "I liked it when we laughed about the game.",
    "Playtime was better this week.",
    "I don't want to talk today.",
    "I told my teacher when I was upset, like we said.",
    "It was a bad week at home.",
    "I made a new friend in the football game.",
    "I was nervous but it was OK.",
)
MENTOR_REFLECTION = (
    "Quieter than usual; I let them lead and it helped.",
    "Good eye contact and lots of chat today.",
    "I talked too much; next time I will ask more open questions.",
    "They used the calming strategy without a prompt.",
    "Seemed tired and unsettled; passed on to the class teacher.",
    "Noticeable progress with turn-taking.",
)
KINDNESS_TEXTS = {
    KindnessValue.TOLERANCE: (
        "Stood up for a classmate who was being laughed at for their accent.",
        "Helped a new pupil learn the playground games without making fun of mistakes.",
    ),
    KindnessValue.PATIENCE: (
        "Waited patiently and helped a younger child tie their shoelaces.",
        "Listened quietly while a friend explained what was worrying them.",
        "Read with a Reception child who found the words tricky, at their pace.",
    ),
    KindnessValue.FRIENDSHIP: (
        "Noticed someone alone at lunch and invited them to join the game.",
        "Made a get-well card for a classmate in hospital.",
        "Shared their snack with someone who had forgotten theirs.",
    ),
    KindnessValue.CREATIVITY: (
        "Made up a new game so that everyone could join in, including a wheelchair user.",
        "Painted a welcome poster for the new families.",
    ),
    KindnessValue.PROBLEM_SOLVING: (
        "Sorted out a falling-out at football so both sides were happy.",
        "Found a way to carry the heavy boxes to the hall by making a team.",
    ),
}
RECEIVERS = ("the Reception class", "a new pupil", "the office team", "a visitor", "the site team")
ADULT_GIVERS = {
    KindPersonKind.STAFF: ("Mrs Clarke", "Mr Osei", "Miss Patel", "the kitchen team"),
    KindPersonKind.PARENT: ("A Year 2 parent", "Mr Novak (parent)", "Mrs Begum (carer)"),
    KindPersonKind.COMMUNITY: ("The local library", "St Anne's church volunteers", "Mr Reid"),
}


def _scaled(count: int, scale: float) -> int:
    """A count for a school `scale` times the demo school's size (at least one)."""
    return count if scale == 1 else max(1, round(count * scale))


def _school_day(rng: random.Random, start: date, end: date) -> date:
    """A random weekday between two dates, avoiding August and the Christmas fortnight."""
    span = max((end - start).days, 0)
    for _ in range(50):
        day = start + timedelta(days=rng.randint(0, span))
        holiday = (
            day.month == 8 or (day.month, day.day) >= (12, 21) or (day.month, day.day) <= (1, 3)
        )
        if day.weekday() < 5 and not holiday:
            return day
    return start


def _support_weight(pupil: Pupil) -> float:
    """Disadvantaged, SEND and looked-after pupils are mentored more often, as in real schools."""
    weight = 1.0
    weight += 2.0 if pupil.pupil_premium else 0
    weight += {SenStatus.SUPPORT: 2.0, SenStatus.EHC_PLAN: 3.0}.get(pupil.sen_status, 0)
    weight += 3.0 if pupil.looked_after else 0
    return weight


def _year_then(pupil: Pupil, years_ago: int) -> int:
    return pupil.year_group.order - years_ago


def _sessions(rng: random.Random, pairing: MentoringPairing, until: date) -> list[MentoringSession]:
    """A run of sessions at roughly the planned rhythm, some missed, wellbeing drifting."""
    step = FREQUENCY_DAYS[pairing.frequency]
    baseline = rng.choice((1, 2, 2, 3, 3, 3, 4))
    trend = rng.choice((-0.08, -0.02, 0.0, 0.05, 0.1, 0.15, 0.2))  # not every pairing helps
    sessions: list[MentoringSession] = []
    day, n = pairing.starts_on, 0
    while day <= until and len(sessions) < 40:
        if day.weekday() < 5 and day.month != 8 and rng.random() > 0.15:
            checked = rng.random() < 0.7
            start = min(5, max(1, round(baseline + trend * n + rng.uniform(-0.7, 0.7))))
            end = min(5, max(1, start + rng.choice((-1, 0, 0, 1, 1))))
            sessions.append(
                MentoringSession(
                    school_id=pairing.school_id,
                    held_on=day,
                    minutes=rng.choice((20, 30, 30, 40, 45, 60)),
                    activities=rng.choice(ACTIVITIES),
                    mentee_voice=rng.choice(MENTEE_VOICE) if rng.random() < 0.85 else None,
                    mentor_reflection=rng.choice(MENTOR_REFLECTION) if rng.random() < 0.8 else None,
                    wellbeing_start=start if checked else None,
                    wellbeing_end=end if checked else None,
                    created_by_id=pairing.created_by_id,
                )
            )
            n += 1
        day += timedelta(days=step + rng.randint(-1, 2))
    return sessions


# Peers who may mentor, by (years ago, the mentee's year group).
PeerLists = dict[tuple[int, YearGroup], list[Pupil]]


def _mentor(
    rng: random.Random,
    pupils: list[Pupil],
    staff: list[User],
    mentee: Pupil,
    years_ago: int,
    peer_lists: PeerLists,
) -> dict[str, Any]:
    roll = rng.random()
    if roll < 0.55:
        return {"mentor_kind": MentorKind.STAFF, "mentor_user_id": rng.choice(staff).id}
    if roll < 0.8:
        name, relationship = rng.choice(ADULTS)
        return {
            "mentor_kind": MentorKind.ADULT,
            "mentor_name": name,
            "mentor_relationship": relationship,
        }
    # Peers are older than the mentee (so never the mentee), Year 5 or above at the time:
    # the list depends only on the year and the mentee's year group, so it is built once.
    key = (years_ago, mentee.year_group)
    if key not in peer_lists:
        peer_lists[key] = [
            p
            for p in pupils
            if _year_then(p, years_ago) >= YearGroup.Y5.order
            and p.year_group.order > mentee.year_group.order
        ]
    peers = peer_lists[key]
    if not peers:
        return {"mentor_kind": MentorKind.STAFF, "mentor_user_id": rng.choice(staff).id}
    return {"mentor_kind": MentorKind.PEER, "mentor_pupil_id": rng.choice(peers).id}


def _end_state(rng: random.Random, starts: date, today: date) -> dict:
    """Older pairings have mostly ended, with mixed outcomes; recent ones run or pause."""
    age = (today - starts).days
    if age > 240 or (age > 120 and rng.random() < 0.5):
        ended = min(today, starts + timedelta(days=rng.randint(70, 240)))
        outcome = rng.choices(list(PairingOutcome), weights=(30, 30, 12, 10, 8, 6, 4), k=1)[0]
        return {"status": PairingStatus.ENDED, "ended_on": ended, "outcome": outcome}
    if rng.random() < 0.2:
        paused = today - timedelta(days=rng.randint(5, 70))
        return {"status": PairingStatus.PAUSED, "paused_on": max(paused, starts)}
    return {"status": PairingStatus.ACTIVE}


def seed_mentoring_pairings(
    school: School, rng: random.Random, today: date, scale: float = 1.0
) -> None:
    """About 40 pairings (times `scale`) with sessions, SEND/disadvantaged over-represented."""
    staff = list(
        db.session.scalars(
            sa.select(User).where(User.school_id == school.id, User.role.in_(STAFF_AND_LEADERS))
        )
    )
    pupils = list(db.session.scalars(sa.select(Pupil).where(Pupil.school_id == school.id)))
    priorities = {p.code: p for p in db.session.scalars(sa.select(Priority))}
    if not staff or len(pupils) < 2:
        return
    first_year = (today.year if today.month >= 9 else today.year - 1) - 2
    window_start = date(first_year, 9, 1)
    made: list[MentoringPairing] = []
    this_year = date(first_year + 2, 9, 1)
    latest = today - timedelta(days=10)
    pairings = _scaled(PAIRINGS, scale)
    # Who may be mentored depends only on how many years back a pairing started: each list
    # (and its cumulative weights) is built once, not once per pairing: the same draws.
    mentee_lists: dict[int, tuple[list[Pupil], list[float]]] = {}
    peer_lists: PeerLists = {}
    for index in range(pairings):
        # About a third start this academic year, so there is a live caseload to look at.
        recent = index < pairings // 3 and this_year < latest
        starts = _school_day(rng, this_year if recent else window_start, latest)
        years_ago = (today - starts).days // 365
        if years_ago not in mentee_lists:
            eligible = [p for p in pupils if _year_then(p, years_ago) >= YearGroup.Y1.order]
            weights = list(accumulate(_support_weight(p) for p in eligible))
            mentee_lists[years_ago] = (eligible, weights)
        eligible, cum_weights = mentee_lists[years_ago]
        mentee = rng.choices(eligible, cum_weights=cum_weights, k=1)[0]
        state = _end_state(rng, starts, today)
        frequency = rng.choice(
            (MeetingFrequency.WEEKLY,) * 4
            + (MeetingFrequency.FORTNIGHTLY,) * 2
            + (MeetingFrequency.TWICE_WEEKLY, MeetingFrequency.MONTHLY)
        )
        creator = rng.choice(staff)
        pairing = MentoringPairing(
            school_id=school.id,
            mentee_id=mentee.id,
            mentee_goals=rng.choice(MENTEE_GOALS),
            mentor_goals=rng.choice(MENTOR_GOALS),
            starts_on=starts,
            planned_end_on=starts + timedelta(weeks=rng.choice((12, 20, 30))),
            frequency=frequency,
            created_by_id=creator.id,
            updated_by_id=creator.id,
            **_mentor(rng, pupils, staff, mentee, years_ago, peer_lists),
            **state,
        )
        if pairing.mentor_kind is MentorKind.STAFF:
            pairing.created_by_id = pairing.mentor_user_id  # mentors usually set up their own
        codes = ["P1"]
        if mentee.sen_status is not SenStatus.NONE:
            codes.append("P4b")
        if mentee.primary_need is PrimaryNeed.SEMH and rng.random() < 0.5:
            codes.append("P4a")
        pairing.priorities = [priorities[c] for c in codes if c in priorities]
        # Some active pairings have gone quiet, so the home page has something to flag.
        until = pairing.ended_on or pairing.paused_on or today - timedelta(days=rng.choice(QUIET))
        pairing.sessions = _sessions(rng, pairing, until)
        if pairing.ended_on and pairing.sessions:
            pairing.ended_on = max(pairing.ended_on, pairing.sessions[-1].held_on)
        db.session.add(pairing)
        made.append(pairing)
    _give_demo_staff_a_caseload(made, staff, today)


def _give_demo_staff_a_caseload(
    pairings: list[MentoringPairing], staff: list[User], today: date
) -> None:
    """staff@demo.school mentors a few current pairings, one gone quiet for the home page."""
    demo = next((u for u in staff if u.email == DEMO_STAFF_EMAIL), None)
    if demo is None:
        return
    current = [p for p in pairings if p.status is not PairingStatus.ENDED]
    for pairing in current[:4]:
        pairing.mentor_kind, pairing.mentor_user_id = MentorKind.STAFF, demo.id
        pairing.mentor_pupil_id = pairing.mentor_name = pairing.mentor_relationship = None
        pairing.created_by_id = pairing.updated_by_id = demo.id
        for session in pairing.sessions:
            session.created_by_id = demo.id
    cutoff = today - timedelta(days=17)
    older = [p for p in current[:4] if p.is_active and p.starts_on < cutoff]
    if older:
        quiet = older[0]
        for session in [s for s in quiet.sessions if s.held_on > cutoff]:
            quiet.sessions.remove(session)
            db.session.expunge(session)


def _kindness_moment(
    rng: random.Random,
    school: School,
    pupils: list[Pupil],
    staff: list[User],
    day: date,
    p1: Priority | None,
    cum_weights: list[float],
) -> KindnessMoment:
    values = rng.sample(list(KindnessValue), k=rng.choice((1, 1, 2, 2, 3)))
    giver_kind = rng.choices(list(KindPersonKind), weights=(70, 15, 8, 7), k=1)[0]
    # Cumulative weights computed once per school: the same draw as `weights=`, without
    # re-weighing a whole secondary roll for every moment.
    giver = rng.choices(pupils, cum_weights=cum_weights, k=1)[0]
    columns: dict[str, Any] = {"giver_kind": giver_kind}
    pupil_giver = giver_kind is KindPersonKind.PUPIL
    if not pupil_giver:
        columns["giver_name"] = rng.choice(ADULT_GIVERS[giver_kind])
    roll = rng.random()
    if roll < 0.5:
        receiver = rng.choice(pupils)
        if not (pupil_giver and receiver.id == giver.id):
            columns["receiver_pupil_id"] = receiver.id
    elif roll < 0.75:
        columns["receiver_name"] = rng.choice(RECEIVERS)
    recorder = rng.choice(staff)
    moment = KindnessMoment(
        school_id=school.id,
        description=rng.choice(KINDNESS_TEXTS[values[0]]),
        occurred_on=day,
        created_by_id=recorder.id,
        updated_by_id=recorder.id,
        **columns,
    )
    moment.giver_rows = [KindnessGiver(pupil_id=giver.id)] if pupil_giver else []
    moment.value_rows = [KindnessMomentValue(value=v) for v in values]
    moment.priorities = [p1] if p1 else []
    return moment


def seed_kindness(school: School, rng: random.Random, today: date, scale: float = 1.0) -> None:
    """A few hundred kindness moments (times `scale`), a couple hidden by a leader."""
    staff = list(
        db.session.scalars(
            sa.select(User).where(User.school_id == school.id, User.role.in_(STAFF_AND_LEADERS))
        )
    )
    leaders = [u for u in staff if u.role is Role.LEADER] or staff
    pupils = list(db.session.scalars(sa.select(Pupil).where(Pupil.school_id == school.id)))
    if not staff or not pupils:
        return
    p1 = db.session.scalar(sa.select(Priority).where(Priority.code == "P1"))
    first_year = (today.year if today.month >= 9 else today.year - 1) - 2
    first = date(first_year, 9, 1)
    days = [_school_day(rng, first, today) for _ in range(_scaled(KINDNESS_MOMENTS, scale))]
    days += [
        _school_day(rng, today - timedelta(days=59), today)
        for _ in range(_scaled(RECENT_KINDNESS, scale))
    ]
    cum_weights = list(accumulate(_support_weight(p) for p in pupils))
    moments = [_kindness_moment(rng, school, pupils, staff, day, p1, cum_weights) for day in days]
    for moment in rng.sample(moments, k=min(len(moments), _scaled(4, scale))):
        moment.hidden = True
        moment.hidden_reason = "Names a family situation that should not be on a public wall."
        moment.hidden_by_id = rng.choice(leaders).id
        moment.hidden_at = utcnow()
    db.session.add_all(moments)


def seed_mentoring(school: School, rng: random.Random, today: date, scale: float = 1.0) -> None:
    """Mentoring pairings and kindness moments for a school (no flushes per row).

    `scale` multiplies the record counts for a school that many times the demo's size.
    """
    seed_mentoring_pairings(school, rng, today, scale)
    seed_kindness(school, rng, today, scale)
