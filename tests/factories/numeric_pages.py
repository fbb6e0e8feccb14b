"""The pages that post a form with a numeric field, each with a valid body (issue 11 item 2).

tests/app/test_hostile_numbers.py posts every hostile number to every numeric field of each page;
a new form with a numeric field fails there until its pages are added to NUMERIC_PAGES.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from school_tracker.calendar.terms import school_today
from school_tracker.exclusions import services as exclusion_services
from school_tracker.extensions import db
from school_tracker.learning import services as learning_services
from school_tracker.mentoring import session_log
from school_tracker.models import (
    ExclusionKind,
    Intervention,
    LearningRecord,
    MentoringPairing,
    Pupil,
    Role,
    User,
)
from tests.factories.interventions import make_intervention
from tests.factories.mentoring import make_pairing
from tests.factories.risk import reason_id, seed_reference

TODAY = school_today()
# What a careless user or an attacker types into a number box (issue 11 item 2).
HOSTILE_NUMBERS = [
    "1e27",
    "1e309",
    "-1e309",
    "1E+400",
    "NaN",
    "Infinity",
    "-inf",
    str(2**63),
    "9" * 40,
    "-" + "9" * 40,
    "1,5",
    "1_000",
    "\u0661\u0662",  # Arabic-Indic digits: int() reads them as 12
    "0x10",
    "1.5.2",
    "9" * 5000,  # beyond int()'s 4,300-digit limit
]


@dataclass(frozen=True)
class NumericPage:
    """A page posting a form with numeric fields: who may post, where, and a valid body."""

    form: str
    name: str
    who: str
    build: Callable[..., tuple[str, dict]]  # (app, world) -> (url, valid data)


def numeric_world(app, make_school, make_user, make_pupil) -> dict:
    """A school with staff, a leader, pupils, an individual and a group intervention."""
    seed_reference(app)
    school = make_school()
    staff = make_user(Role.STAFF, school=school, full_name="Sam Staff")
    pupils = [make_pupil(school, legal_surname=f"Pupil{n}") for n in range(4)]
    individual = make_intervention(app, school, staff, pupils[:1])
    group = make_intervention(app, school, staff, pupils[1:3])
    with app.app_context():
        kind = db.session.get(Intervention, individual).type_id
    return {
        "school": school,
        "staff": staff,
        "leader": make_user(Role.LEADER, school=school, full_name="Lee Leader"),
        "pupils": pupils,
        "individual": individual,
        "group": group,
        "type_id": kind,
    }


def _plan_data(world, **changes) -> dict:
    start = TODAY - timedelta(days=7)
    return {
        "type_id": world["type_id"],
        "mode": "individual",
        "pupil_ids": [world["pupils"][2].id],
        "lead_id": world["staff"].id,
        "measure_id": "",
        "score_min": "0",
        "score_max": "40",
        "intended_outcome": "Calmer at lunchtimes.",
        "planned_sessions": "12",
        "frequency": "weekly",
        "cost": "120.50",
        "funding_stream": "pupil_premium",
        "start_date": start.isoformat(),
        "review_date": (start + timedelta(days=42)).isoformat(),
        **changes,
    }


def _version(app, model, ident: int) -> str:
    with app.app_context():
        return str(db.session.get(model, ident).version_id)


def _intervention_new(app, world):
    return "/interventions/new", _plan_data(world)


def _intervention_edit(app, world):
    ident = world["individual"]
    data = _plan_data(world, version=_version(app, Intervention, ident))
    del data["mode"], data["pupil_ids"]
    return f"/interventions/{ident}/edit", data


def _participant_new(app, world):
    return f"/interventions/{world['group']}/pupils/new", {
        "pupil_id": world["pupils"][0].id,
        "start_date": TODAY.isoformat(),
        "baseline_score": "12",
    }


def _participant_part(app, world) -> tuple[int, int, str]:
    ident = world["individual"]
    with app.app_context():
        part = db.session.get(Intervention, ident).participants[0]
        return ident, part.id, str(part.version_id)


def _participant_edit(app, world):
    ident, part, version = _participant_part(app, world)
    data = {"start_date": TODAY.isoformat(), "baseline_score": "14", "version": version}
    return f"/interventions/{ident}/pupils/{part}/edit", data


def _outcome(app, world):
    ident, part, version = _participant_part(app, world)
    data = {
        "end_date": TODAY.isoformat(),
        "exit_score": "30",
        "impact": "1",
        "version": version,
    }
    return f"/interventions/{ident}/pupils/{part}/outcome", data


def _register_new(app, world):
    ident = world["group"]
    with app.app_context():
        parts = [part.id for part in db.session.get(Intervention, ident).participants]
    data = {"held_on": TODAY.isoformat(), "minutes": "30", "note": ""}
    data.update({f"attendance_{part}": "present" for part in parts})
    return f"/interventions/{ident}/sessions/new", data


def _exclusion_data(app) -> dict:
    with app.app_context():
        reason = reason_id("DB")
    return {
        "kind": "suspension",
        "start_date": TODAY.isoformat(),
        "sessions": "4",
        "reason_1": str(reason),
        "reason_2": "",
        "reason_3": "",
    }


def _exclusion_new(app, world):
    return f"/exclusions/pupils/{world['pupils'][0].id}/new", _exclusion_data(app)


def _exclusion_edit(app, world):
    with app.app_context():
        exclusion = exclusion_services.record_exclusion(
            db.session.get(Pupil, world["pupils"][1].id),
            exclusion_services.ExclusionData(
                kind=ExclusionKind.SUSPENSION,
                start_date=TODAY - timedelta(days=3),
                sessions=2,
                reason_ids=[reason_id("VA")],
            ),
            by=db.session.get(User, world["leader"].id),
        )
        db.session.commit()
        ident = exclusion.id
    return f"/exclusions/{ident}/edit", {**_exclusion_data(app), "version": "1"}


def _session_new(app, world):
    pairing = make_pairing(
        app, world["pupils"][0], world["staff"], starts_on=TODAY - timedelta(days=30)
    )
    data = {
        "held_on": TODAY.isoformat(),
        "minutes": "40",
        "activities": "Built a den.",
        "wellbeing_start": "2",
        "wellbeing_end": "4",
    }
    return f"/mentoring/{pairing}/sessions/new", data


def learning_data(world) -> dict:
    return {
        "staff_id": world["staff"].id,
        "held_on": TODAY.isoformat(),
        "activity": "Phonics",
        "hours": "1.5",
        "priorities": ["P3"],
    }


def _learning_new(app, world):
    return "/learning/new", learning_data(world)


def learning_edit(app, world) -> tuple[str, dict]:
    with app.app_context():
        record = learning_services.create_learning(
            world["school"].id,
            learning_services.LearningData(
                staff_id=world["staff"].id,
                held_on=TODAY - timedelta(days=2),
                activity="INSET",
                hours_tenths=35,
                focus_id=None,
                reflection="",
            ),
            [],
            by=db.session.get(User, world["staff"].id),
            today=TODAY,
        )
        db.session.commit()
        ident = record.id
    return f"/learning/{ident}/edit", {
        **learning_data(world),
        "version": _version(app, LearningRecord, ident),
    }


def _session_correction(app, world):
    url, data = _session_new(app, world)
    pairing_id = int(url.split("/")[2])
    with app.app_context():
        session = session_log.log_session(
            db.session.get_one(MentoringPairing, pairing_id),
            session_log.SessionDetails(held_on=TODAY, minutes=30, activities="Lego club."),
            by=db.session.get_one(User, world["staff"].id),
            today=TODAY,
        )
        db.session.commit()
        ident, version = session.id, str(session.version_id)
    return f"/mentoring/{pairing_id}/sessions/{ident}/edit", {**data, "version": version}


def _learning_for_staff(app, world):
    data = {**learning_data(world), "staff_ids": [world["staff"].id]}
    del data["staff_id"]
    return "/learning/new-for-staff", data


NUMERIC_PAGES = [
    NumericPage("InterventionForm", "new intervention", "staff", _intervention_new),
    NumericPage("InterventionForm", "edit intervention", "staff", _intervention_edit),
    NumericPage("ParticipantForm", "add to a group", "staff", _participant_new),
    NumericPage("ParticipantForm", "edit a participant", "staff", _participant_edit),
    NumericPage("OutcomeForm", "record an outcome", "staff", _outcome),
    NumericPage("RegisterForm", "record an intervention session", "staff", _register_new),
    NumericPage("ExclusionForm", "record a suspension", "leader", _exclusion_new),
    NumericPage("ExclusionForm", "edit a suspension", "leader", _exclusion_edit),
    NumericPage("SessionForm", "log a mentoring session", "staff", _session_new),
    NumericPage(
        "SessionCorrectionForm", "correct a mentoring session", "staff", _session_correction
    ),
    NumericPage("LearningForm", "new CPD", "staff", _learning_new),
    NumericPage("LearningForm", "edit CPD", "staff", learning_edit),
    NumericPage("StaffLearningForm", "CPD for several staff", "leader", _learning_for_staff),
]
