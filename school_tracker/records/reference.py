"""Reference data every school shares, such as the AfA priorities (docs/design.md section 2)."""

from school_tracker.extensions import db
from school_tracker.models import Priority

PRIORITIES: tuple[tuple[str, str, str], ...] = (
    (
        "P1",
        "Kindness and wellbeing",
        "Inclusion every day; mental health, character and resilience through a culture of "
        "kindness and mutuality.",
    ),
    (
        "P2",
        "Investment across all phases",
        "A relevant curriculum; attainment in reading, writing and maths; a meaningful "
        "destination for every child.",
    ),
    (
        "P3",
        "Teachers as professional learners",
        "Recruitment, retention and CPD on how disadvantaged and vulnerable children learn.",
    ),
    (
        "P4a",
        "Reduce exclusions",
        "Responsibility for children at risk of exclusion through cross-agency collaboration.",
    ),
    ("P4b", "Close the gap for SEND", "Close the gap for children with special educational needs."),
    (
        "P5",
        "Parents, carers and communities as partners",
        "Recognition of parents, carers and wider communities as partners.",
    ),
)

KINDNESS_VALUES = ("tolerance", "patience", "friendship", "creativity", "problem solving")


def ensure_priorities() -> None:
    """Insert any missing priority (the migration seeds them; tests on create_all call this)."""
    existing = set(db.session.scalars(db.select(Priority.code)))
    for order, (code, title, description) in enumerate(PRIORITIES, start=1):
        if code not in existing:
            db.session.add(
                Priority(code=code, title=title, description=description, sort_order=order)
            )
