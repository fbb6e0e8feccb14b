"""Staff professional learning (P3): own records for staff, everyone's for leaders."""

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from school_tracker.calendar.terms import school_today
from school_tracker.extensions import db
from school_tracker.learning import services
from school_tracker.models import AuditEntry, LearningRecord, Role, User
from school_tracker.records.versions import RecordRuleError, StaleRecordError

TODAY = school_today()


def _data(staff_id: int, **overrides) -> services.LearningData:
    values = dict(
        staff_id=staff_id,
        held_on=TODAY - timedelta(days=2),
        activity="Attachment-aware schools INSET",
        hours_tenths=35,
        focus_id=None,
        reflection="Try meet-and-greet at the door.",
    )
    values.update(overrides)
    return services.LearningData(**values)


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count(LearningRecord.id)))


@pytest.fixture
def people(app, make_school, make_user):
    school = make_school()
    return (
        school,
        make_user(Role.STAFF, school=school, full_name="Sam Staff"),
        make_user(Role.STAFF, school=school, full_name="Tess Teacher"),
        make_user(Role.LEADER, school=school, full_name="Lee Leader"),
    )


def _record(app, school, by, staff_id=None, **overrides) -> int:
    with app.app_context():
        record = services.create_learning(
            school.id,
            _data(staff_id or by.id, **overrides),
            [],
            by=db.session.get(User, by.id),
            today=TODAY,
        )
        db.session.commit()
        return record.id


def test_create_defaults_to_p3_and_audits(app, people):
    school, sam, _, _ = people
    ident = _record(app, school, sam)
    with app.app_context():
        record = db.session.get(LearningRecord, ident)
        assert [p.code for p in record.priorities] == ["P3"]
        assert record.hours == Decimal("3.5")
        entry = db.session.scalar(
            sa.select(AuditEntry).where(AuditEntry.entity_type == "learning_record")
        )
        assert entry.action == "create" and "meet-and-greet" not in str(entry.changes)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"held_on": TODAY + timedelta(days=1)}, "held_on"),
        ({"hours_tenths": 4}, "hours"),
        ({"hours_tenths": 1001}, "hours"),
        ({"activity": "   "}, "activity"),
    ],
)
def test_rules_refuse_bad_values(app, people, overrides, field):
    school, sam, _, _ = people
    with app.app_context(), pytest.raises(RecordRuleError) as error:
        services.create_learning(
            school.id, _data(sam.id, **overrides), [], by=db.session.get(User, sam.id), today=TODAY
        )
    assert error.value.field == field


def test_staff_record_only_their_own_and_leaders_anyones(app, people):
    school, sam, tess, leader = people
    with app.app_context(), pytest.raises(RecordRuleError):
        services.create_learning(
            school.id, _data(tess.id), [], by=db.session.get(User, sam.id), today=TODAY
        )
    ident = _record(app, school, leader, staff_id=tess.id)
    with app.app_context():
        assert db.session.get(LearningRecord, ident).staff_id == tess.id


def test_stale_edit_is_refused(app, people):
    school, sam, _, _ = people
    ident = _record(app, school, sam)
    with app.app_context():
        record = db.session.get(LearningRecord, ident)
        by = db.session.get(User, sam.id)
        services.update_learning(
            record,
            _data(sam.id, hours_tenths=40),
            ["P3", "P4b"],
            by=by,
            today=TODAY,
            expected_version=1,
        )
        db.session.commit()
        assert record.version_id == 2
        with pytest.raises(StaleRecordError):
            services.update_learning(
                record, _data(sam.id, hours_tenths=10), [], by=by, today=TODAY, expected_version=1
            )
        db.session.rollback()
        assert db.session.get(LearningRecord, ident).hours_tenths == 40


def test_list_shows_staff_their_own_and_leaders_everyones(app, client, auth, people):
    school, sam, tess, leader = people
    _record(app, school, sam, activity="Sams course")
    _record(app, school, tess, activity="Tess course", hours_tenths=15)
    auth.login(sam.email)
    body = client.get("/learning/").get_data(as_text=True)
    assert "Sams course" in body and "Tess course" not in body and "3.5" in body
    auth.logout()
    auth.login(leader.email)
    body = client.get("/learning/").get_data(as_text=True)
    assert "Sams course" in body and "Tess course" in body
    assert "<strong>5.0</strong> hours" in body
    body = client.get(f"/learning/?staff={tess.id}").get_data(as_text=True)
    assert "Sams course" not in body and "Tess course" in body
    assert client.get("/learning/?year=20x6").status_code == 400


def test_staff_cannot_open_someone_elses_record(app, client, auth, people, make_school, make_user):
    school, sam, tess, leader = people
    ident = _record(app, school, tess)
    auth.login(sam.email)
    assert client.get(f"/learning/{ident}/edit").status_code == 404
    auth.logout()
    auth.login(leader.email)
    assert client.get(f"/learning/{ident}/edit").status_code == 200
    auth.logout()
    outsider = make_user(Role.LEADER, school=make_school("other"))
    auth.login(outsider.email)
    assert client.get(f"/learning/{ident}/edit").status_code == 404


@pytest.mark.parametrize("role", [Role.ADMIN, Role.GOVERNOR, Role.TRUST_LEADER])
def test_other_roles_are_refused(client, login_as, make_school, role):
    login_as(role, school=make_school())
    assert client.get("/learning/").status_code == 403
    assert client.get("/learning/new").status_code == 403


def test_create_form_validates_and_staff_cannot_pick_someone_else(app, client, auth, people):
    school, sam, tess, _ = people
    auth.login(sam.email)
    base = {
        "staff_id": sam.id,
        "held_on": TODAY.isoformat(),
        "activity": "Phonics training",
        "hours": "1.5",
        "priorities": ["P3", "P2"],
    }
    for bad, message in (
        ({"hours": "0.4"}, "Number must be between 0.5 and 100"),
        ({"hours": "1.25"}, "one decimal place"),
        ({"hours": "inf"}, "Enter a number"),
        ({"activity": "x" * 201}, "200"),
        ({"reflection": "a\x00b"}, "control characters"),
        ({"staff_id": tess.id}, "Not a valid choice"),
        ({"held_on": (TODAY + timedelta(days=3)).isoformat()}, "future"),
    ):
        response = client.post("/learning/new", data={**base, **bad})
        assert response.status_code == 200
        assert message in response.get_data(as_text=True), bad
    with app.app_context():
        assert _count() == 0
    assert client.post("/learning/new", data=base).status_code == 302
    with app.app_context():
        record = db.session.scalar(sa.select(LearningRecord))
        assert (record.hours_tenths, sorted(p.code for p in record.priorities)) == (
            15,
            ["P2", "P3"],
        )


def test_edit_page_refuses_a_stale_version(app, client, auth, people):
    school, sam, _, _ = people
    ident = _record(app, school, sam)
    auth.login(sam.email)
    data = {
        "staff_id": sam.id,
        "held_on": TODAY.isoformat(),
        "activity": "Renamed",
        "hours": "2.0",
        "priorities": ["P3"],
        "version": "1",
    }
    assert client.post(f"/learning/{ident}/edit", data=data).status_code == 302
    assert client.post(f"/learning/{ident}/edit", data=data).status_code == 409
