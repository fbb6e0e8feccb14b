"""Helpers for intervention, CPD and parent-conversation tests (plain functions, detached ids)."""

from datetime import timedelta

import sqlalchemy as sa

from school_tracker.calendar.terms import school_today
from school_tracker.extensions import db
from school_tracker.families import services as family_services
from school_tracker.interventions import services
from school_tracker.interventions.catalogue import ensure_intervention_types
from school_tracker.models import (
    CarerRelationship,
    InterventionMode,
    InterventionType,
    ReferenceKind,
    School,
    User,
)
from tests.factories.reference import value_id

MARKER = "PANGOLIN-VOICE-4417"  # wellbeing text that must never leak to the wrong role


def seed_catalogue(app, school: School) -> None:
    """The standard catalogue for a school (create_all does not seed it)."""
    with app.app_context():
        ensure_intervention_types(school.id)
        db.session.commit()


def type_id(app, school: School, seed_key: str = "reading_catch_up") -> int:
    """The id of a standard catalogue type in a school."""
    with app.app_context():
        return db.session.scalar(
            sa.select(InterventionType.id).where(
                InterventionType.school_id == school.id, InterventionType.seed_key == seed_key
            )
        )


def _measure_id(kind_id: int, name: str) -> int:
    """The measure of that name on the school's own list (the school of the type)."""
    kind = db.session.get_one(InterventionType, kind_id)
    return value_id(kind.school_id, ReferenceKind.MEASURE, name)


def plan(kind_id: int, lead_id: int, **overrides) -> services.InterventionData:
    """A valid plan starting three weeks ago with a review in three weeks."""
    start = school_today() - timedelta(days=21)
    values = dict(
        type_id=kind_id,
        lead_id=lead_id,
        priority_codes=[],
        start_date=start,
        review_date=start + timedelta(days=42),
        measure_id=_measure_id(kind_id, "Reading age (months)"),
        score_min=0.0,
        score_max=200.0,
        intended_outcome="Reading age up by six months.",
        planned_sessions=20,
        cost_pence=45_000,
        pupil_voice=f"I like the stories. {MARKER}",
        parent_voice="Reads at bedtime now.",
    )
    values.update(overrides)
    return services.InterventionData(**values)


def make_intervention(
    app,
    school: School,
    by: User,
    pupils: list,
    *,
    lead: User | None = None,
    seed_key: str = "reading_catch_up",
    **overrides,
) -> int:
    """Plan an intervention through the service (group when more than one pupil)."""
    seed_catalogue(app, school)
    kind = type_id(app, school, seed_key)
    with app.app_context():
        user = db.session.get(User, by.id)
        record = services.create_intervention(
            school.id,
            plan(kind, (lead or by).id, **overrides),
            mode=InterventionMode.GROUP if len(pupils) > 1 else InterventionMode.INDIVIDUAL,
            pupil_ids=[p.id for p in pupils],
            by=user,
        )
        db.session.commit()
        return record.id


def make_conversation(
    app, school: School, by: User, pupil, *, led_by: User | None = None, **overrides
) -> int:
    """Record a parent conversation through the service."""
    values = dict(
        carer_name="Jo Parent",
        carer_relationship=CarerRelationship.MOTHER,
        led_by_id=(led_by or by).id,
        held_on=school_today() - timedelta(days=3),
        family_said=f"Worried about friendships. {MARKER}",
        school_said="We will set up a lunchtime club.",
        agreed_actions="Check in weekly.",
        follow_up_on=school_today() + timedelta(days=3),
    )
    values.update(overrides)
    with app.app_context():
        record = family_services.create_conversation(
            school.id,
            pupil.id,
            family_services.ConversationData(**values),
            [],
            by=db.session.get(User, by.id),
            today=school_today(),
        )
        db.session.commit()
        return record.id
