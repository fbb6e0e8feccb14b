"""A hand-built school for the named-export, subject-access, transfer and retention tests.

Records are written straight through the models so the text can be as hostile as anything
an import or a future bug could put in the database (formula triggers, control characters,
40,000 characters). Term autumn-2026 runs 1 Aug - 31 Dec 2026 (default dates).
"""

import io
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import sqlalchemy as sa
from openpyxl import load_workbook

from school_tracker.exclusions.reference import ensure_exclusion_reasons
from school_tracker.extensions import db
from school_tracker.interventions.catalogue import ensure_intervention_types
from school_tracker.models import (
    AdultRelationship,
    Agency,
    AgencyInvolvement,
    CarerRelationship,
    Exclusion,
    ExclusionKind,
    ExclusionReason,
    Intervention,
    InterventionMode,
    InterventionParticipant,
    InterventionSession,
    InterventionStatus,
    InterventionType,
    KindnessGiver,
    KindnessMoment,
    KindnessMomentValue,
    KindnessValue,
    KindPersonKind,
    LearningRecord,
    MeetingFrequency,
    MentoringPairing,
    MentoringSession,
    MentorKind,
    PairingOutcome,
    PairingStatus,
    ParentConversation,
    ParticipantStatus,
    RiskAction,
    RiskFactor,
    RiskFlag,
    RiskLevel,
    RiskLevelChange,
    RiskStatus,
    RiskStatusChange,
    Role,
    SessionAttendance,
    User,
)
from school_tracker.privacy.classification import DataClass, columns_of
from school_tracker.risk.reference import ensure_agencies, ensure_risk_factors

TERM = "autumn-2026"
NOTE = "KESTREL-MARMALADE-3319"  # note text that must never reach an audit row
HOSTILE = [
    '=HYPERLINK("http://evil.example","click")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    "#REF!",
]
# Other trigger-led text in names and short fields, also written as text.
HOSTILE_NAMES = [
    "=1+1",
    "=SUM(1,2)",
    "=Mum",
    "@call home",
    "+the office team",
    "-Trauma-informed practice",
]
CONTROL_TEXT = "bell\x01 vt\x0b " + "x" * 40_000


def at(day: date) -> datetime:
    """Noon UTC on a day."""
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


@dataclass
class World:
    """Ids of everything built, detached (reload inside an app context)."""

    school: object
    other_school: object
    leader: object
    staff: object
    mentee: object  # p1: the pupil with a record of every type
    peer: object  # p2: a peer mentor of p1 and kind to p1
    quiet: object  # p3: on roll, no records (hostile surname)
    left: object  # left before the term
    other_pupil: object  # another school's pupil
    ids: dict = field(default_factory=dict)


def build_world(app, make_school, make_user, make_pupil) -> World:
    """The school, its people and one or more records of every type (see expected counts)."""
    school = make_school("oakfield", "Oakfield Primary")
    other = make_school("riverside", "Riverside Academy")
    leader = make_user(Role.LEADER, school=school, full_name="Lena Leader")
    staff = make_user(Role.STAFF, school=school, full_name="Sam Staff")
    world = World(
        school=school,
        other_school=other,
        leader=leader,
        staff=staff,
        mentee=make_pupil(
            school, legal_surname="Menteeson", legal_forename="Mia", admission_date=date(2020, 9, 1)
        ),
        peer=make_pupil(school, legal_surname="Peerington", legal_forename="Pip"),
        quiet=make_pupil(school, legal_surname="=1+1", legal_forename="Quinn"),
        left=make_pupil(
            school, legal_surname="Gone", legal_forename="Gus", leaving_date=date(2026, 7, 1)
        ),
        other_pupil=make_pupil(other, legal_surname="Elsewhere", legal_forename="Eve"),
    )
    with app.app_context():
        ensure_exclusion_reasons()
        ensure_agencies()
        ensure_risk_factors()
        ensure_intervention_types(school.id)
        ensure_intervention_types(other.id)
        db.session.flush()
        _records(world)
        db.session.commit()
    return world


def _pairing(world: World, mentee, **values) -> MentoringPairing:
    base = dict(
        school_id=world.school.id,
        mentee_id=mentee.id,
        mentor_kind=MentorKind.STAFF,
        mentor_user_id=world.staff.id,
        mentee_goals="Make a friend",
        mentor_goals="Listen",
        starts_on=date(2026, 9, 10),
        frequency=MeetingFrequency.WEEKLY,
        created_by_id=world.staff.id,
    )
    base.update(values)
    pairing = MentoringPairing(**base)
    db.session.add(pairing)
    db.session.flush()
    return pairing


def _records(world: World) -> None:
    s, leader, staff = world.school.id, world.leader.id, world.staff.id
    p1, p2 = world.mentee, world.peer
    staff_pairing = _pairing(world, p1, mentee_goals=HOSTILE[0], mentor_goals=HOSTILE[1])
    peer_pairing = _pairing(
        world,
        p1,
        mentor_kind=MentorKind.PEER,
        mentor_user_id=None,
        mentor_pupil_id=p2.id,
        mentor_goals=f"Peer's own goal {NOTE}",
    )
    mentor_pairing = _pairing(  # p1 is the peer mentor of p2
        world,
        p2,
        mentor_kind=MentorKind.PEER,
        mentor_user_id=None,
        mentor_pupil_id=p1.id,
        mentee_goals=f"The other child's goal {NOTE}",
    )
    _pairing(  # ended long before the term: not exported for autumn-2026
        world,
        world.quiet,
        starts_on=date(2025, 1, 6),
        status=PairingStatus.ENDED,
        ended_on=date(2025, 6, 1),
        outcome=PairingOutcome.GOALS_MET,
    )
    sessions = [
        (staff_pairing, date(2026, 9, 17), HOSTILE[2], HOSTILE[3], HOSTILE[4]),
        (staff_pairing, date(2026, 10, 1), CONTROL_TEXT, "I liked it", "Good"),
        (peer_pairing, date(2026, 10, 8), "Chess", "Fun", f"Peer reflection {NOTE}"),
        (mentor_pairing, date(2026, 10, 9), "Reading", f"Other child's voice {NOTE}", "Mine"),
        (staff_pairing, date(2027, 1, 14), "Spring session", None, None),  # spring-2027
    ]
    db.session.add_all(
        MentoringSession(
            pairing_id=pairing.id,
            school_id=s,
            held_on=held,
            minutes=30,
            activities=did,
            mentee_voice=voice,
            mentor_reflection=reflection,
            wellbeing_start=2,
            wellbeing_end=4,
            created_by_id=staff,
        )
        for pairing, held, did, voice, reflection in sessions
    )
    kind = db.session.scalar(
        sa.select(InterventionType.id).where(InterventionType.school_id == s).limit(1)
    )
    group = Intervention(
        school_id=s,
        type_id=kind,
        mode=InterventionMode.GROUP,
        lead_id=staff,
        start_date=date(2026, 9, 1),
        review_date=date(2026, 10, 15),
        status=InterventionStatus.ACTIVE,
        cost_pence=12_345,
        notes=HOSTILE[5],
        pupil_voice=f"Group voice {NOTE}",
        created_by_id=staff,
    )
    solo = Intervention(
        school_id=s,
        type_id=kind,
        mode=InterventionMode.INDIVIDUAL,
        lead_id=staff,
        start_date=date(2026, 9, 1),
        review_date=date(2026, 10, 15),
        status=InterventionStatus.ACTIVE,
        pupil_voice=HOSTILE[6],
        created_by_id=staff,
    )
    db.session.add_all([group, solo])
    db.session.flush()
    db.session.add_all(
        [
            InterventionParticipant(
                intervention_id=group.id,
                pupil_id=p1.id,
                start_date=date(2026, 9, 1),
                impact=-2,
                baseline_score=-5.5,
            ),
            InterventionParticipant(
                intervention_id=group.id,
                pupil_id=p2.id,
                start_date=date(2026, 9, 1),
                status=ParticipantStatus.WITHDRAWN,
                withdrawn_on=date(2026, 9, 20),
                withdrawn_reason="Moved class",
            ),
            InterventionParticipant(
                intervention_id=solo.id, pupil_id=p1.id, start_date=date(2026, 9, 1)
            ),
        ]
    )
    db.session.flush()
    mine, theirs = (
        db.session.scalar(
            sa.select(InterventionParticipant.id).where(
                InterventionParticipant.intervention_id == group.id,
                InterventionParticipant.pupil_id == pupil.id,
            )
        )
        for pupil in (p1, p2)
    )
    db.session.add(  # the group's register: p1 absent, p2 present with a note about them
        InterventionSession(
            intervention_id=group.id,
            held_on=date(2026, 9, 15),
            minutes=40,
            note=f"Group session note {NOTE}",
            created_by_id=staff,
            attendance=[
                SessionAttendance(
                    participant_id=mine, present=False, absence_reason=f"Dentist {NOTE}"
                ),
                SessionAttendance(
                    participant_id=theirs, present=True, note=f"The other child's note {NOTE}"
                ),
            ],
        )
    )
    flag = RiskFlag(
        school_id=s,
        pupil_id=p1.id,
        raised_by_id=staff,
        raised_on=date(2026, 10, 1),
        level=RiskLevel.HIGH,
        status=RiskStatus.MONITORING,
        review_on=date(2026, 11, 1),
        protective_factors=f"Loves football {NOTE}",
        agency_notes="=SUM(1,2)",
        created_by_id=staff,
    )
    flag.agencies = list(
        db.session.scalars(sa.select(Agency).where(Agency.school_id == s).limit(2))
    )
    flag.risk_factors = list(
        db.session.scalars(sa.select(RiskFactor).where(RiskFactor.school_id == s).limit(1))
    )
    flag.named_staff = [db.session.get(User, staff)]
    db.session.add(flag)
    db.session.flush()
    db.session.add_all(
        [
            RiskLevelChange(
                flag_id=flag.id,
                level=RiskLevel.MEDIUM,
                changed_by_id=staff,
                changed_at=at(date(2026, 10, 1)),
            ),
            RiskLevelChange(
                flag_id=flag.id,
                level=RiskLevel.HIGH,
                changed_by_id=leader,
                changed_at=at(date(2026, 10, 20)),
                reason="Escalated",
            ),
            RiskStatusChange(
                flag_id=flag.id,
                from_status=RiskStatus.OPEN,
                to_status=RiskStatus.MONITORING,
                changed_by_id=leader,
                changed_at=at(date(2026, 11, 3)),
                reason="Calmer",
            ),
            RiskAction(
                flag_id=flag.id,
                description="@call home",
                owner_id=staff,
                due_on=date(2026, 10, 10),
                created_by_id=staff,
                created_at=at(date(2026, 10, 2)),
            ),
        ]
    )
    reason = db.session.scalar(sa.select(ExclusionReason).where(ExclusionReason.code == "DB"))
    db.session.add(
        Exclusion(
            school_id=s,
            pupil_id=p1.id,
            kind=ExclusionKind.SUSPENSION,
            start_date=date(2026, 11, 2),
            sessions=3,
            reason_1_id=reason.id,
            created_by_id=leader,
        )
    )
    db.session.add_all(
        [
            LearningRecord(
                school_id=s,
                staff_id=staff,
                held_on=date(2026, 10, 10),
                activity="-Trauma-informed practice",
                hours_tenths=15,
                reflection=f"Useful {NOTE}",
                created_by_id=staff,
            ),
            LearningRecord(
                school_id=s,
                staff_id=staff,
                held_on=date(2026, 3, 10),
                activity="Spring 2026 course",
                hours_tenths=10,
                created_by_id=staff,
            ),
            ParentConversation(
                school_id=s,
                pupil_id=p1.id,
                carer_name="=Mum",
                led_by_id=staff,
                carer_relationship=CarerRelationship.MOTHER,
                held_on=date(2026, 10, 5),
                family_said=f"Worried {NOTE}",
                created_by_id=staff,
            ),
            AgencyInvolvement(
                school_id=s,
                pupil_id=p1.id,
                agency_id=db.session.scalar(
                    sa.select(Agency.id).where(Agency.school_id == s, Agency.code == "camhs")
                ),
                referred_on=date(2026, 10, 6),
                referred_by_id=staff,
                next_step=f"Chase the letter {NOTE}",
                created_by_id=staff,
            ),
        ]
    )
    moments = [
        KindnessMoment(
            school_id=s,
            giver_kind=KindPersonKind.PUPIL,
            giver_rows=[KindnessGiver(pupil_id=p2.id)],
            receiver_pupil_id=p1.id,
            description="Shared a snack",
            occurred_on=date(2026, 10, 7),
            created_by_id=staff,
        ),
        KindnessMoment(
            school_id=s,
            giver_kind=KindPersonKind.PUPIL,
            giver_rows=[KindnessGiver(pupil_id=p1.id)],
            receiver_name="+the office team",
            description="Tidied up",
            occurred_on=date(2026, 10, 8),
            created_by_id=staff,
        ),
    ]
    db.session.add_all(moments)
    db.session.flush()
    db.session.add_all(
        KindnessMomentValue(moment_id=m.id, value=KindnessValue.FRIENDSHIP) for m in moments
    )
    # Another school's records: never in Oakfield's exports.
    db.session.add(
        MentoringPairing(
            school_id=world.other_school.id,
            mentee_id=world.other_pupil.id,
            mentor_kind=MentorKind.ADULT,
            mentor_name="Elsewhere Volunteer",
            mentor_relationship=AdultRelationship.VOLUNTEER,
            mentee_goals="x",
            mentor_goals="y",
            starts_on=date(2026, 9, 1),
            frequency=MeetingFrequency.WEEKLY,
        )
    )
    world.ids.update(flag=flag.id, group=group.id, staff_pairing=staff_pairing.id)


# Rows each sheet should hold for autumn-2026 (counted by hand from _records above).
AUTUMN_COUNTS = {
    "Pupils": 3,  # mentee, peer, quiet (the leaver left in July)
    "Mentoring pairings": 3,  # not the one that ended in 2025
    "Mentoring sessions": 4,  # not the January one
    "Interventions": 2,
    "Intervention participants": 3,
    "Risk flags": 1,
    "Risk level changes": 2,
    "Risk status changes": 1,
    "Risk actions": 1,
    "Suspensions and exclusions": 1,
    "Professional learning": 1,  # not the spring 2026 course
    "Parent conversations": 1,
    "Kindness moments": 2,
}


def workbook_rows(data: bytes) -> dict[str, list[list]]:
    """Every sheet's rows (header included) as values."""
    wb = load_workbook(io.BytesIO(data))
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in wb.worksheets}


def assert_no_formulas(data: bytes) -> None:
    """No sheet part holds a formula or an error cell (R44)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                xml = archive.read(name).decode()
                assert "<f>" not in xml and "<f " not in xml, name
                assert 't="e"' not in xml, name


def assert_hostile_cells_are_text(data: bytes, hostile: list[str]) -> int:
    """Every cell holding a hostile value is a quote-prefixed string; returns how many."""
    wanted = {value.replace("\r", "\n") for value in hostile}
    found = 0
    wb = load_workbook(io.BytesIO(data))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value in wanted:
                    found += 1
                    assert cell.data_type == "s", (ws.title, cell.coordinate)
                    assert cell.quotePrefix or str(cell.value)[0] not in "=+-@\t\n", (
                        ws.title,
                        cell.coordinate,
                    )
    return found


def classified_values(app) -> tuple[set[str], set[date]]:
    """Every identifying or free-text value stored (4+ characters), and every such date."""
    texts, dates = set(), set()
    with app.app_context():
        for qualified in columns_of(DataClass.IDENTIFYING, DataClass.FREE_TEXT):
            table, column = qualified.split(".")
            values = db.session.scalars(sa.select(db.metadata.tables[table].c[column]))
            for value in values:
                if isinstance(value, date):
                    dates.add(value)
                elif isinstance(value, str) and len(value.strip()) >= 4:
                    texts.add(value)
    return texts, dates
