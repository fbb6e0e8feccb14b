"""A small school whose every dashboard figure for autumn 2026 is counted by hand."""

from datetime import date

from school_tracker.exclusions.reference import ensure_exclusion_reasons
from school_tracker.extensions import db
from school_tracker.models import (
    Exclusion,
    Intervention,
    InterventionParticipant,
    InterventionSession,
    InterventionType,
    KindnessGiver,
    KindnessMoment,
    KindnessMomentValue,
    LearningRecord,
    MentoringPairing,
    MentoringSession,
    ParentConversation,
    Priority,
    ReferenceKind,
    RiskFlag,
    SenStatus,
    SessionAttendance,
)
from school_tracker.models.exclusion import ExclusionKind, ExclusionReason
from school_tracker.models.family import CarerRelationship
from school_tracker.models.intervention import (
    FundingStream,
    InterventionMode,
    InterventionStatus,
    ParticipantStatus,
)
from school_tracker.models.kindness import KindnessValue, KindPersonKind
from school_tracker.models.mentoring import MeetingFrequency, MentorKind, PairingStatus
from school_tracker.models.risk import Agency, RiskLevel, RiskLevelChange, RiskOutcome, RiskStatus
from school_tracker.risk.reference import ensure_agencies
from tests.factories.reference import coded_id, value_id


def build(school, other_school, staff, make_pupil):
    """Pupils p1..p6 in `school`, q1 elsewhere, and one record of each kind (see test)."""
    p = {
        "p1": make_pupil(
            school, legal_surname="One", sen_status=SenStatus.SUPPORT, pupil_premium=True
        ),
        "p2": make_pupil(school, legal_surname="Two", sen_status=SenStatus.EHC_PLAN),
        "p3": make_pupil(school, legal_surname="Three", pupil_premium=True, eal=True),
        "p4": make_pupil(school, legal_surname="Four"),
        "p5": make_pupil(
            school, legal_surname="Five", young_carer=True, admission_date=date(2026, 9, 1)
        ),
        "p6": make_pupil(school, legal_surname="Six", leaving_date=date(2026, 7, 20)),
        "q1": make_pupil(other_school, legal_surname="Elsewhere"),
    }
    ids = {key: pupil.id for key, pupil in p.items()}
    ensure_agencies()
    ensure_exclusion_reasons()
    pr = {row.code: row for row in db.session.scalars(db.select(Priority))}
    common = {"school_id": school.id, "created_by_id": staff.id}

    def pairing(mentee, starts, ended=None, school_id=school.id):
        row = MentoringPairing(
            school_id=school_id,
            created_by_id=staff.id,
            mentee_id=mentee,
            mentor_kind=MentorKind.STAFF,
            mentor_user_id=staff.id,
            mentee_goals="g",
            mentor_goals="g",
            starts_on=starts,
            frequency=MeetingFrequency.WEEKLY,
            status=PairingStatus.ENDED if ended else PairingStatus.ACTIVE,
            ended_on=ended,
            outcome=None,
            priorities=[pr["P1"]],
        )
        if ended:
            from school_tracker.models.mentoring import PairingOutcome

            row.outcome = list(PairingOutcome)[0]
        db.session.add(row)
        return row

    live = pairing(ids["p1"], date(2026, 9, 10))
    pairing(ids["p4"], date(2026, 3, 1), ended=date(2026, 7, 1))
    pairing(ids["q1"], date(2026, 9, 10), school_id=other_school.id)
    db.session.flush()
    for held, minutes in ((date(2026, 10, 1), 30), (date(2026, 11, 1), 60)):
        db.session.add(
            MentoringSession(
                pairing_id=live.id,
                school_id=school.id,
                held_on=held,
                minutes=minutes,
                activities="a",
            )
        )
    kind = db.session.scalar(
        db.select(InterventionType).where(InterventionType.school_id == school.id)
    ) or InterventionType(school_id=school.id, name="Reading catch-up")
    db.session.add(kind)
    db.session.flush()
    group = Intervention(
        **common,
        type_id=kind.id,
        mode=InterventionMode.GROUP,
        lead_id=staff.id,
        cost_pence=60_000,
        start_date=date(2026, 9, 5),
        review_date=date(2026, 10, 1),
        status=InterventionStatus.ACTIVE,
        priorities=[pr["P2"], pr["P4b"]],
    )
    planned = Intervention(
        **common,
        type_id=kind.id,
        mode=InterventionMode.INDIVIDUAL,
        lead_id=staff.id,
        cost_pence=99_900,
        start_date=date(2026, 10, 1),
        review_date=date(2027, 1, 10),
        status=InterventionStatus.PLANNED,
        priorities=[pr["P2"]],
    )
    db.session.add_all([group, planned])
    db.session.flush()
    db.session.add_all(
        [
            InterventionParticipant(
                intervention_id=group.id,
                pupil_id=ids["p1"],
                start_date=date(2026, 9, 5),
                end_date=date(2026, 12, 1),
                impact=1,
            ),
            InterventionParticipant(
                intervention_id=group.id,
                pupil_id=ids["p2"],
                start_date=date(2026, 9, 5),
                end_date=date(2026, 11, 15),
                impact=-1,
            ),
            InterventionParticipant(
                intervention_id=group.id,
                pupil_id=ids["p3"],
                start_date=date(2026, 9, 5),
                status=ParticipantStatus.WITHDRAWN,
                withdrawn_on=date(2026, 9, 6),
                withdrawn_reason="moved set",
            ),
            InterventionParticipant(
                intervention_id=planned.id, pupil_id=ids["p4"], start_date=date(2026, 10, 1)
            ),
        ]
    )
    camhs = db.session.get_one(Agency, coded_id(Agency, school.id, "camhs"))
    open_flag = RiskFlag(
        **common,
        pupil_id=ids["p2"],
        raised_by_id=staff.id,
        raised_on=date(2026, 10, 1),
        level=RiskLevel.HIGH,
        review_on=date(2026, 11, 1),
        priorities=[pr["P4a"]],
        agencies=[camhs],
    )
    closed_flag = RiskFlag(
        **common,
        pupil_id=ids["p3"],
        raised_by_id=staff.id,
        raised_on=date(2026, 5, 1),
        level=RiskLevel.LOW,
        review_on=date(2026, 6, 1),
        status=RiskStatus.CLOSED,
        outcome=list(RiskOutcome)[0],
        closed_on=date(2026, 9, 15),
        priorities=[pr["P4a"]],
    )
    db.session.add_all([open_flag, closed_flag])
    db.session.flush()
    for flag in (open_flag, closed_flag):
        db.session.add(RiskLevelChange(flag_id=flag.id, level=flag.level, changed_by_id=staff.id))
    pp = db.session.scalar(db.select(ExclusionReason).where(ExclusionReason.code == "PP"))
    db.session.add_all(
        [
            Exclusion(
                **common,
                pupil_id=ids["p2"],
                kind=ExclusionKind.SUSPENSION,
                start_date=date(2026, 11, 2),
                sessions=4,
                reason_1_id=pp.id,
            ),
            Exclusion(
                **common,
                pupil_id=ids["p4"],
                kind=ExclusionKind.SUSPENSION,
                start_date=date(2026, 11, 5),
                sessions=2,
                reason_1_id=pp.id,
                cancelled_on=date(2026, 11, 6),
                cancel_reason="recorded in error",
            ),
            ParentConversation(
                **common,
                pupil_id=ids["p3"],
                carer_name="A Parent",
                carer_relationship=CarerRelationship.MOTHER,
                led_by_id=staff.id,
                held_on=date(2026, 10, 10),
                priorities=[pr["P5"]],
            ),
            LearningRecord(
                **common,
                staff_id=staff.id,
                held_on=date(2026, 9, 20),
                activity="Attachment-aware practice",
                hours_tenths=35,
                priorities=[pr["P3"]],
            ),
            LearningRecord(
                **common,
                staff_id=staff.id,
                held_on=date(2026, 10, 20),
                activity="Nurture training",
                hours_tenths=20,
                priorities=[pr["P3"]],
            ),
        ]
    )
    moment = KindnessMoment(
        **common,
        giver_kind=KindPersonKind.PUPIL,
        giver_rows=[KindnessGiver(pupil_id=ids["p5"])],
        receiver_pupil_id=ids["p6"],
        description="Shared lunch",
        occurred_on=date(2026, 10, 5),
        priorities=[pr["P1"]],
    )
    db.session.add(moment)
    db.session.flush()
    db.session.add_all(
        [
            KindnessMomentValue(moment_id=moment.id, value=KindnessValue.FRIENDSHIP),
            KindnessMomentValue(moment_id=moment.id, value=KindnessValue.PATIENCE),
        ]
    )
    db.session.commit()
    return ids


# (baseline, exit, sessions attended, impact) for the nurture group's six pupils. Attendance
# comes from the register: ten weekly sessions, each pupil present at the first ones and absent
# after, except n5, whose 7 are 4 on the register and 3 counted before the register existed.
NURTURE_SESSIONS = [date(2026, 9, 14 + 7 * week) for week in range(3)] + [
    date(2026, 10, 5 + 7 * week) for week in range(4)
]
NURTURE_SESSIONS += [date(2026, 11, 2 + 7 * week) for week in range(3)]
NURTURE_BEFORE_REGISTER = {4: 3}
NURTURE_SCORES = [
    (100, 106, 10, 2),
    (90, 93, 9, 1),
    (80, 80, 8, 0),
    (95, 99, 10, 1),
    (70, 78, 7, 2),
    (85, 88, 6, None),
]


def build_nurture_group(app, school, staff, make_pupil, name="Nurture group"):
    """A completed £1,200 pupil premium nurture group for six more pupils (two disadvantaged),
    measured in reading age months with 10 sessions planned (tests/dashboard/test_impact_spend.py
    counts it by hand)."""
    pupils = [
        make_pupil(school, legal_surname=f"Nurture{i}", pupil_premium=i <= 2) for i in range(1, 7)
    ]
    with app.app_context():
        kind = InterventionType(school_id=school.id, name=name)
        db.session.add(kind)
        db.session.flush()
        nurture = Intervention(
            school_id=school.id,
            created_by_id=staff.id,
            type_id=kind.id,
            mode=InterventionMode.GROUP,
            lead_id=staff.id,
            measure_id=value_id(school.id, ReferenceKind.MEASURE, "Reading age (months)"),
            planned_sessions=10,
            cost_pence=120_000,
            funding_stream=FundingStream.PUPIL_PREMIUM,
            start_date=date(2026, 9, 10),
            review_date=date(2026, 10, 10),
            end_date=date(2026, 12, 10),
            status=InterventionStatus.COMPLETED,
        )
        db.session.add(nurture)
        db.session.flush()
        sessions = [
            InterventionSession(intervention_id=nurture.id, held_on=day, minutes=30)
            for day in NURTURE_SESSIONS
        ]
        db.session.add_all(sessions)
        for index, (pupil, (baseline, exit_score, attended, impact)) in enumerate(
            zip(pupils, NURTURE_SCORES, strict=True)
        ):
            before = NURTURE_BEFORE_REGISTER.get(index)
            part = InterventionParticipant(
                intervention_id=nurture.id,
                pupil_id=pupil.id,
                start_date=date(2026, 9, 10),
                baseline_score=baseline,
                exit_score=exit_score,
                sessions_before_register=before,
                impact=impact,
            )
            db.session.add(part)
            db.session.flush()
            present = attended - (before or 0)
            db.session.add_all(
                SessionAttendance(session=session, participant_id=part.id, present=n < present)
                for n, session in enumerate(sessions)
            )
        db.session.commit()
    return pupils
