"""A retired reference value still shows on old records and is not offered on new ones
(issue 16 item 6), for risk factors, agencies, intervention measures and CPD focus areas; and
another school's value is refused beside its field."""

import re
from dataclasses import replace
from datetime import timedelta

import pytest
import sqlalchemy as sa

from school_tracker.calendar.terms import school_today
from school_tracker.extensions import db
from school_tracker.interventions import services as interventions
from school_tracker.learning import services as learning
from school_tracker.models import (
    Agency,
    Intervention,
    LearningRecord,
    Pupil,
    ReferenceKind,
    ReferenceValue,
    RiskFactor,
    RiskFlag,
    RiskLevel,
    Role,
    User,
)
from school_tracker.records.versions import RecordRuleError
from school_tracker.risk import services as risk
from tests.factories.interventions import make_intervention, plan, type_id
from tests.factories.reference import coded_id, value_id
from tests.factories.risk import make_flag, seed_reference

TODAY = school_today()
READING_AGE = "Reading age (months)"


@pytest.fixture
def world(app, make_school, make_user, make_pupil) -> dict:
    seed_reference(app)
    school = make_school()
    other = make_school("elm", "Elm Primary")
    return {
        "school": school,
        "other": other,
        "leader": make_user(Role.LEADER, school=school, full_name="Lena Leader"),
        "pupil": make_pupil(school, legal_surname="Okafor"),
    }


def _retire(model, row_id: int, last_day) -> None:
    db.session.get_one(model, row_id).active_to = last_day
    db.session.commit()


def _checkbox(page: str, name: str, value_id: int) -> re.Match | None:
    return re.search(rf'<input[^>]*name="{name}"[^>]*value="{value_id}"', page)


def _option(page: str, value_id: int, select: str) -> re.Match | None:
    """The option for `value_id` in the page's <select name=`select`>, if offered there."""
    found = re.search(rf'<select[^>]*name="{select}"[^>]*>(.*?)</select>', page, re.S)
    assert found, select
    return re.search(rf'<option( selected)? value="{value_id}">([^<]*)<', found.group(1))


def test_risk_factors_and_agencies(app, client, auth, world):
    school, leader, pupil = world["school"], world["leader"], world["pupil"]
    flag_id = make_flag(app, pupil, leader, raised_on=TODAY - timedelta(days=10))
    with app.app_context():
        factor = coded_id(RiskFactor, school.id, "peer_conflict")
        agency = coded_id(Agency, school.id, "early_help")
        _retire(RiskFactor, factor, TODAY - timedelta(days=20))  # before the flag was raised
        _retire(Agency, agency, TODAY - timedelta(days=20))
    auth.login(leader.email)
    old = client.get(f"/risk/{flag_id}").get_data(as_text=True)
    assert "Peer conflict" in old and "Early Help" in old
    new = client.get(f"/risk/pupils/{pupil.id}/new").get_data(as_text=True)
    assert not _checkbox(new, "risk_factors", factor) and not _checkbox(new, "agencies", agency)
    assert _checkbox(new, "risk_factors", coded_id_in(app, RiskFactor, school.id, "attendance"))
    edit = client.get(f"/risk/{flag_id}/edit").get_data(as_text=True)
    kept = _checkbox(edit, "risk_factors", factor)
    assert kept and "checked" in kept.group(0) and "Peer conflict (no longer offered)" in edit
    assert _checkbox(edit, "agencies", agency)
    with app.app_context():
        flag = db.session.get_one(RiskFlag, flag_id)
        by = db.session.get_one(User, leader.id)
        details = risk.FlagDetails(
            review_on=flag.review_on,
            risk_factor_ids=[row.id for row in flag.risk_factors],
            agency_ids=[row.id for row in flag.agencies],
            protective_factors=flag.protective_factors,
            agency_notes=flag.agency_notes,
            named_staff_ids=[user.id for user in flag.named_staff],
            priority_codes=[p.code for p in flag.priorities],
        )
        later = replace(details, review_on=flag.review_on + timedelta(days=1))
        risk.update_flag(flag, later, by=by, expected_version=flag.version_id)
        db.session.commit()
        assert factor in {row.id for row in flag.risk_factors}  # saving keeps the retired one
        assert agency in {row.id for row in flag.agencies}
        for field, changed in (
            ("risk_factors", replace(details, risk_factor_ids=[factor], agency_ids=[])),
            ("agencies", replace(details, risk_factor_ids=[], agency_ids=[agency])),
            (
                "agencies",
                replace(
                    details,
                    risk_factor_ids=[],
                    agency_ids=[coded_id(Agency, world["other"].id, "camhs")],
                ),
            ),
        ):
            with pytest.raises(RecordRuleError) as error:
                risk.raise_flag(
                    db.session.get_one(Pupil, pupil.id),
                    by=by,
                    raised_on=TODAY,
                    level=RiskLevel.LOW,
                    details=replace(changed, named_staff_ids=[]),
                )
            assert error.value.field == field
            db.session.rollback()


def coded_id_in(app, model, school_id: int, code: str) -> int:
    with app.app_context():
        return coded_id(model, school_id, code)


def test_intervention_measures(app, client, auth, world):
    school, leader, pupil = world["school"], world["leader"], world["pupil"]
    record_id = make_intervention(app, school, leader, [pupil])  # started three weeks ago
    with app.app_context():
        measure = value_id(school.id, ReferenceKind.MEASURE, READING_AGE)
        _retire(ReferenceValue, measure, TODAY - timedelta(days=30))
    auth.login(leader.email)
    assert READING_AGE in client.get(f"/interventions/{record_id}").get_data(as_text=True)
    new = client.get("/interventions/new").get_data(as_text=True)
    assert not _option(new, measure, "measure_id") and "SDQ total difficulties" in new
    edit = client.get(f"/interventions/{record_id}/edit").get_data(as_text=True)
    kept = _option(edit, measure, "measure_id")
    assert kept and kept.group(1) and kept.group(2) == f"{READING_AGE} (no longer offered)"
    kind = type_id(app, school)
    with app.app_context():
        record = db.session.get_one(Intervention, record_id)
        by = db.session.get_one(User, leader.id)
        data = plan(kind, leader.id, start_date=record.start_date, review_date=record.review_date)
        assert data.measure_id == measure
        interventions.update_intervention(
            record, replace(data, cost_pence=50_000), by=by, expected_version=record.version_id
        )
        db.session.commit()
        assert record.measure_id == measure and record.cost_pence == 50_000
        theirs = value_id(world["other"].id, ReferenceKind.MEASURE, READING_AGE)
        for chosen in (measure, theirs):
            with pytest.raises(RecordRuleError) as error:
                interventions.create_intervention(
                    school.id,
                    replace(data, measure_id=chosen),
                    mode=record.mode,
                    pupil_ids=[pupil.id],
                    by=by,
                )
            assert error.value.field == "measure_id"
            db.session.rollback()


def test_cpd_focus_areas(app, client, auth, world):
    school, leader = world["school"], world["leader"]
    with app.app_context():
        focus = value_id(school.id, ReferenceKind.CPD_FOCUS, "Reading")
        by = db.session.get_one(User, leader.id)
        data = learning.LearningData(
            staff_id=leader.id,
            held_on=TODAY - timedelta(days=5),
            activity="Reading for pleasure network",
            hours_tenths=20,
            focus_id=focus,
        )
        record_id = learning.create_learning(school.id, data, [], by=by, today=TODAY).id
        db.session.commit()
        _retire(ReferenceValue, focus, TODAY - timedelta(days=10))  # before the record's date
    auth.login(leader.email)
    listed = client.get("/learning/").get_data(as_text=True)
    assert "Reading for pleasure network" in listed and "<td>Reading</td>" in listed
    for path in ("/learning/new", "/learning/new-for-staff"):
        page = client.get(path).get_data(as_text=True)
        assert not _option(page, focus, "focus_id") and "Early reading" in page, path
    edit = client.get(f"/learning/{record_id}/edit").get_data(as_text=True)
    kept = _option(edit, focus, "focus_id")
    assert kept and kept.group(1) and kept.group(2) == "Reading (no longer offered)"
    with app.app_context():
        record = db.session.get_one(LearningRecord, record_id)
        by = db.session.get_one(User, leader.id)
        learning.update_learning(
            record,
            replace(data, hours_tenths=25),
            [],
            by=by,
            today=TODAY,
            expected_version=record.version_id,
        )
        db.session.commit()
        assert record.focus_id == focus and record.focus == "Reading"
        theirs = value_id(world["other"].id, ReferenceKind.CPD_FOCUS, "Reading")
        for chosen in (focus, theirs):
            with pytest.raises(RecordRuleError) as error:
                learning.create_learning(
                    school.id, replace(data, focus_id=chosen), [], by=by, today=TODAY
                )
            assert error.value.field == "focus_id"
            db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count(LearningRecord.id))) == 1


def test_another_schools_value_posted_on_a_form_is_a_field_error(app, client, auth, world):
    leader = world["leader"]
    with app.app_context():
        theirs = value_id(world["other"].id, ReferenceKind.CPD_FOCUS, "Reading")
    auth.login(leader.email)
    response = client.post(
        "/learning/new",
        data={
            "staff_id": leader.id,
            "held_on": TODAY.isoformat(),
            "activity": "Phonics",
            "hours": "1.5",
            "focus_id": str(theirs),
            "priorities": ["P3"],
        },
    )
    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(LearningRecord.id))) == 0
