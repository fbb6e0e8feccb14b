"""A school with two registration groups, a neighbour school with a "7B" of its own, and one
record of each kind a tutor's class page shows (or must not show)."""

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
import sqlalchemy as sa

from school_tracker.admin.class_staff import assign_staff
from school_tracker.calendar.term_dates import calendar_for
from school_tracker.calendar.terms import school_today
from school_tracker.extensions import db
from school_tracker.interventions.catalogue import ensure_intervention_types
from school_tracker.models import (
    Intervention,
    InterventionMode,
    InterventionParticipant,
    InterventionStatus,
    InterventionType,
    KindnessMoment,
    KindnessMomentValue,
    KindnessValue,
    KindPersonKind,
    MeetingFrequency,
    MentoringPairing,
    MentorKind,
    Pupil,
    Role,
    School,
    SenStatus,
    User,
)
from school_tracker.orm import utcnow
from tests.factories.risk import make_flag, seed_reference

SECRET = "PRIVATE-NOTE-4471"  # in every note, goal and voice: never on the class page
TODAY = school_today()


@dataclass
class ClassWorld:
    school: School
    other_school: School
    people: dict[str, User] = field(default_factory=dict)
    pupils: dict[str, int] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)
    type_name: str = ""  # the intervention's type, as the class page names it


def _assign(app, school: School, group: str, user: User, by: User) -> int:
    with app.app_context():
        assignment = assign_staff(school.id, group, user.id, by=db.session.get_one(User, by.id))
        db.session.commit()
        return assignment.id


@pytest.fixture
def class_world(app, make_school, make_user, make_pupil) -> ClassWorld:
    seed_reference(app)
    oak, river = make_school("oak", "Oak Primary"), make_school("river", "River Primary")
    world = ClassWorld(oak, river)
    for key, role, name in [
        ("tutor", Role.STAFF, "Tess Tutor"),
        ("other", Role.STAFF, "Omar Other"),
        ("leader", Role.LEADER, "Lena Leader"),
        ("admin", Role.ADMIN, "Adam Admin"),
        ("governor", Role.GOVERNOR, "Gail Governor"),
    ]:
        world.people[key] = make_user(role, school=oak, full_name=name, email=f"{key}@oak.test")
    world.people["river_staff"] = make_user(
        Role.STAFF, school=river, full_name="Rory River", email="rory@river.test"
    )
    for key, school, values in [
        (
            "ada",
            oak,
            dict(
                legal_forename="Ada",
                legal_surname="Apple",
                registration_group="7B",
                sen_status=SenStatus.SUPPORT,
                pupil_premium=True,
            ),
        ),
        (
            "ben",
            oak,
            dict(
                legal_forename="Ben",
                legal_surname="Birch",
                registration_group="7B",
                eal=True,
                young_carer=True,
            ),
        ),
        ("cy", oak, dict(legal_forename="Cy", legal_surname="Cedar", registration_group="8C")),
        (
            "lou",
            oak,
            dict(
                legal_forename="Lou",
                legal_surname="Left",
                registration_group="7B",
                leaving_date=TODAY - timedelta(days=30),
            ),
        ),
        ("zed", river, dict(legal_forename="Zed", legal_surname="Zinc", registration_group="7B")),
    ]:
        world.pupils[key] = make_pupil(school, **values).id
    world.ids["tutor_7b"] = _assign(app, oak, "7B", world.people["tutor"], world.people["admin"])
    _assign(app, river, "7B", world.people["river_staff"], world.people["river_staff"])
    with app.app_context():
        ensure_intervention_types(oak.id)
        kind = db.session.scalars(
            sa.select(InterventionType).where(InterventionType.school_id == oak.id).limit(1)
        ).one()
        other = world.people["other"]
        common = dict(school_id=oak.id, created_by_id=other.id)
        intervention = Intervention(
            **common,
            type_id=kind.id,
            mode=InterventionMode.GROUP,
            lead_id=other.id,
            start_date=TODAY - timedelta(days=14),
            review_date=TODAY + timedelta(days=28),
            status=InterventionStatus.ACTIVE,
            notes=SECRET,
            pupil_voice=SECRET,
            parent_voice=SECRET,
            intended_outcome=SECRET,
        )
        pairing = MentoringPairing(
            **common,
            mentee_id=world.pupils["ada"],
            mentor_kind=MentorKind.STAFF,
            mentor_user_id=other.id,
            mentee_goals=SECRET,
            mentor_goals=SECRET,
            starts_on=TODAY - timedelta(days=7),
            frequency=MeetingFrequency.WEEKLY,
        )
        term = calendar_for(oak.id).term_for(TODAY)
        moments = [
            KindnessMoment(
                **common,
                giver_kind=KindPersonKind.STAFF,
                giver_name="Mrs Kind",
                receiver_pupil_id=world.pupils["ada"],
                description=SECRET,
                occurred_on=on,
                hidden=hidden,
                hidden_reason="Duplicate" if hidden else None,
                hidden_at=utcnow() if hidden else None,
            )
            for on, hidden in [
                (TODAY, False),
                (term.starts_on, False),
                (TODAY, True),  # hidden: not counted
                (term.starts_on - timedelta(days=1), False),  # last term: not counted
            ]
        ]
        db.session.add_all([intervention, pairing, *moments])
        db.session.flush()
        db.session.add(
            InterventionParticipant(
                intervention_id=intervention.id,
                pupil_id=world.pupils["ada"],
                start_date=TODAY - timedelta(days=14),
            )
        )
        db.session.add(KindnessMomentValue(moment=moments[0], value=KindnessValue.FRIENDSHIP))
        db.session.add(KindnessMomentValue(moment=moments[1], value=KindnessValue.PATIENCE))
        db.session.commit()
        world.ids["intervention"] = intervention.id
        world.type_name = kind.name
    pupils = {key: _detached(app, pupil_id) for key, pupil_id in world.pupils.items()}
    world.ids["flag_tutor"] = make_flag(
        app, pupils["ada"], world.people["leader"], named=[world.people["tutor"]]
    )
    world.ids["flag_other"] = make_flag(
        app, pupils["ben"], world.people["leader"], named=[world.people["other"]]
    )
    return world


def _detached(app, pupil_id: int) -> Pupil:
    with app.app_context():
        pupil = db.session.get_one(Pupil, pupil_id)
        db.session.expunge(pupil)
        return pupil
