"""Data for the demo: how each intervention type runs, and the words records are written in."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    """How a type of intervention is usually run and measured in the demo school."""

    weight: int
    group: bool | None  # True: always a group; False: always individual; None: either
    measure: str | None
    low: float | None
    high: float | None
    baseline: tuple[float, float]
    gain: float  # change in score per point of impact (negative: lower is better)
    cost: tuple[int, int]  # pounds
    sessions: tuple[int, int]
    send: bool = False
    older: bool = False  # aimed at older pupils (Year 3 and up)


BOXALL = ("Boxall Profile (developmental strands)", 0, 136)
SDQ = ("SDQ total difficulties", 0, 40)
ATTENDANCE = ("Attendance %", 0, 100)
WELLBEING = ("Wellbeing scale (1-5)", 1, 5)
PROFILES = {
    "nurture_group": Profile(5, True, *BOXALL, (40, 80), 9, (1500, 4000), (20, 36)),
    "reading_catch_up": Profile(
        10, None, "Reading age (months)", 36, 180, (60, 110), 4, (200, 900), (12, 30)
    ),
    "phonics": Profile(6, True, "Phonics check score", 0, 40, (8, 26), 4, (150, 600), (15, 30)),
    "maths_booster": Profile(
        7, None, "Maths standardised score", 70, 140, (78, 96), 4, (300, 900), (10, 20)
    ),
    "elsa": Profile(7, False, *SDQ, (16, 28), -3, (300, 800), (6, 12), send=True),
    "social_skills": Profile(5, True, *SDQ, (14, 26), -2, (200, 600), (8, 12), send=True),
    "attendance_mentoring": Profile(
        5, False, *ATTENDANCE, (72, 89), 3, (300, 1200), (8, 20), older=True
    ),
    "speech_language": Profile(
        5,
        False,
        "Language standardised score",
        40,
        160,
        (62, 84),
        4,
        (600, 2000),
        (10, 24),
        send=True,
    ),
    "lunchtime_club": Profile(3, True, *WELLBEING, (2, 3), 0.5, (0, 300), (10, 30)),
    "sport_extracurricular": Profile(3, True, *WELLBEING, (2, 3), 0.5, (200, 1500), (8, 20)),
    "counselling_camhs": Profile(3, False, *SDQ, (18, 32), -3, (800, 2500), (6, 12)),
    "structured_conversation": Profile(1, False, None, None, None, (0, 0), 0, (0, 150), (3, 6)),
    "alternative_provision": Profile(
        2, False, *ATTENDANCE, (55, 80), 5, (6000, 18000), (30, 60), older=True
    ),
    "managed_move": Profile(1, False, *ATTENDANCE, (60, 85), 4, (0, 1000), (6, 12), older=True),
}


INTENDED = {
    "nurture_group": (
        "Settle into class after lunch and join in with group work.",
        "Build trust with adults and manage transitions without upset.",
    ),
    "reading_catch_up": (
        "Reading age up by six months; reads aloud to an adult with confidence.",
        "Close the gap to age-related expectations in reading fluency.",
    ),
    "phonics": ("Secure phase 3 and 4 sounds before the phonics screening check.",),
    "maths_booster": ("Fluent with number bonds and times tables; standardised score above 90.",),
    "elsa": (
        "Name feelings and use two calming strategies when upset.",
        "Fewer incidents at playtime; can ask an adult for help.",
    ),
    "social_skills": ("Take turns, join a game and repair a friendship after a fall-out.",),
    "attendance_mentoring": ("Attendance above 92% and on time every morning.",),
    "speech_language": ("Understand and follow two-part instructions in class.",),
    "alternative_provision": (
        "Re-engage with learning in a small setting and plan a return to class.",
    ),
    "managed_move": ("A fresh start with a clear plan, reviewed at six and twelve weeks.",),
    "default": (
        "Feel happier and more settled at school.",
        "Grow in confidence and make at least one new friend.",
    ),
}
PUPIL_VOICE = (
    "I like coming to the group because it's calm and I can talk.",
    "It's helped me with my reading, I can read chapter books now.",
    "Sometimes I don't want to miss PE to go.",
    "I know what to do now when I feel cross.",
    "It was OK but I'd rather be with my friends.",
    "I liked the games best.",
    "I feel better in the mornings now.",
    "It's boring sometimes but the adult is kind.",
)
PARENT_VOICE = (
    "Much happier coming into school; talks about the group at home.",
    "We've noticed more reading at bedtime.",
    "Still finding mornings hard but it's getting better.",
    "Not sure it has made much difference yet.",
    "Grateful for the support; would like updates every half term.",
)
NOTES = (
    "Sessions moved to mornings after feedback from the class teacher.",
    "Good rapport with the adult leading; keep the same person next term.",
    "Some sessions missed for trips and assessments.",
    "Shared strategies with the class teacher at the review.",
    "Useful; would like more time to plan follow-up in class.",
    "Linked well with the school's behaviour policy work.",
)
STOP_REASONS = (
    "Pupil left the school mid-term.",
    "Staff absence meant sessions could not run; to restart next term.",
    "Pupil was unsettled by being withdrawn from class; trying in-class support instead.",
    "Family asked for the sessions to stop.",
    "Referred on to a specialist service instead.",
)
WITHDRAW_REASONS = (
    "Moved to a smaller group better suited to their needs.",
    "Made rapid progress and no longer needs the group.",
    "Clashed with speech and language sessions.",
    "Family moved away.",
)
# (activity, focus, hours, a second priority or None)
CPD = (
    ("Trauma-informed practice INSET", "Attachment and trauma", 6.0, "P1"),
    ("Adaptive teaching for pupils with SEND", "SEND", 1.5, "P4b"),
    ("Autism awareness (local authority outreach)", "SEND: autism", 3.0, "P4b"),
    ("Phonics refresher", "Early reading", 1.0, "P2"),
    ("Maths mastery hub workgroup", "Maths", 2.0, "P2"),
    ("Restorative conversations training", "Behaviour and relationships", 2.0, "P4a"),
    ("Working with families: structured conversations", "Parents and carers", 1.5, "P5"),
    ("Emotion coaching twilight", "Wellbeing", 1.5, "P1"),
    ("NPQ for SENCo module", "SEND leadership", 12.0, "P4b"),
    ("Peer observation and coaching cycle", "Teaching and learning", 3.0, None),
    ("Designated safeguarding lead update", "Safeguarding", 6.0, None),
    ("Speech and language strategies in class", "Communication", 1.0, "P4b"),
    ("Reading for pleasure network", "Reading", 2.0, "P2"),
)
FAMILY_SAID = (
    "Worried about friendships; says home is calmer than last term.",
    "Finds homework a battle and would like ideas to help.",
    "Proud of progress in reading; asked how to keep it going in the holidays.",
    "Concerned about mornings and getting to school on time.",
    "Wants to understand the SEN support plan and who to contact.",
    "Shared that there has been a bereavement in the family.",
    "Felt the school had not listened before and wanted to be heard.",
)
SCHOOL_SAID = (
    "Shared what is going well in class and one thing to work on together.",
    "Explained the support in place and how we measure progress.",
    "Offered a place at the nurture group and a weekly check-in.",
    "Agreed a consistent approach between home and school for mornings.",
    "Explained the referral process for speech and language support.",
)
AGREED = (
    "Weekly check-in with the class teacher; review in four weeks.",
    "Reading diary signed at home three times a week.",
    "Family to try the morning visual timetable; school to share it.",
    "SENCo to update the support plan and share a copy.",
    "Meet again after half term to review progress.",
)
