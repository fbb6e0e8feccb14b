"""One CPD form for several staff or everyone (an INSET day): each person's own record."""

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from school_tracker.calendar.terms import school_today
from school_tracker.extensions import db
from school_tracker.learning import queries, services
from school_tracker.models import AuditEntry, LearningRecord, Role, User
from school_tracker.records.versions import RecordRuleError

TODAY = school_today()


@pytest.fixture
def people(app, make_school, make_user):
    school = make_school()
    return (
        school,
        make_user(Role.STAFF, school=school, full_name="Sam Staff"),
        make_user(Role.STAFF, school=school, full_name="Tess Teacher"),
        make_user(Role.LEADER, school=school, full_name="Lee Leader"),
    )


def _data(**overrides) -> services.LearningData:
    values = dict(
        staff_id=0,
        held_on=TODAY - timedelta(days=1),
        activity="INSET: attachment-aware schools",
        hours_tenths=60,
    )
    values.update(overrides)
    return services.LearningData(**values)


def _for_staff(app, school, by, *, staff_ids=(), everyone=False, **overrides):
    with app.app_context():
        made = services.create_learning_for_staff(
            school.id,
            _data(**overrides),
            ["P3"],
            staff_ids=list(staff_ids),
            everyone=everyone,
            by=db.session.get(User, by.id),
            today=TODAY,
        )
        db.session.commit()
        return sorted(record.staff_id for record in made)


def _rows() -> list[tuple[int, int]]:
    rows = db.session.execute(
        sa.select(LearningRecord.staff_id, LearningRecord.hours_tenths).order_by(
            LearningRecord.staff_id
        )
    )
    return [(staff_id, tenths) for staff_id, tenths in rows]


def test_everyone_gets_their_own_record_and_the_totals_count_each_person(
    app, people, make_user, make_school
):
    school, sam, tess, lee = people
    make_user(Role.ADMIN, school=school)  # an admin takes no CPD here
    make_user(Role.STAFF, school=make_school("elsewhere"))
    gone = make_user(Role.STAFF, school=school)
    with app.app_context():
        db.session.get(User, gone.id).active = False
        db.session.commit()
    assert _for_staff(app, school, lee, everyone=True) == sorted([sam.id, tess.id, lee.id])
    with app.app_context():
        assert _rows() == sorted((who.id, 60) for who in (sam, tess, lee))
        audits = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.entity_type == "learning_record")
        ).all()
        assert len(audits) == 3 and {a.action for a in audits} == {"create"}
        # Sam sees his own 6 hours; the leader sees 18 across the school.
        filters = queries.LearningFilters(staff_id=None, year=None)
        for who, hours in ((sam, Decimal("6")), (lee, Decimal("18"))):
            _, total = queries.list_learning(
                school.id, db.session.get(User, who.id), filters, page=1, per_page=25
            )
            assert Decimal(total) == hours


def test_chosen_staff_once_each_and_nothing_saved_when_one_is_wrong(
    app, people, make_user, make_school
):
    school, sam, tess, lee = people
    assert _for_staff(app, school, lee, staff_ids=[sam.id, sam.id, tess.id]) == sorted(
        [sam.id, tess.id]
    )
    stranger = make_user(Role.STAFF, school=make_school("elsewhere"))
    with pytest.raises(RecordRuleError, match="staff at this school"):
        _for_staff(app, school, lee, staff_ids=[sam.id, stranger.id])
    with pytest.raises(RecordRuleError, match="Choose the staff"):
        _for_staff(app, school, lee)
    with pytest.raises(RecordRuleError, match="future"):
        _for_staff(app, school, lee, staff_ids=[sam.id], held_on=TODAY + timedelta(days=1))
    with app.app_context():
        assert len(_rows()) == 2


def test_only_a_leader_records_for_others(app, people):
    school, sam, tess, _ = people
    with pytest.raises(RecordRuleError, match="Only a leader"):
        _for_staff(app, school, sam, staff_ids=[sam.id, tess.id])
    with app.app_context():
        assert _rows() == []


def _form(**overrides):
    data = {
        "held_on": TODAY.isoformat(),
        "activity": "Twilight: emotion coaching",
        "hours": "1.5",
        "priorities": ["P3"],
    }
    data.update(overrides)
    return data


def test_the_page_records_for_the_chosen_staff(app, client, auth, people):
    school, sam, tess, lee = people
    auth.login(lee.email)
    assert "/learning/new-for-staff" in client.get("/learning/").get_data(as_text=True)
    page = client.get("/learning/new-for-staff").get_data(as_text=True)
    assert "Everyone at this school" in page and "Tess Teacher" in page
    refused = client.post("/learning/new-for-staff", data=_form())
    assert refused.status_code == 200
    assert "Choose the staff who took part" in refused.get_data(as_text=True)
    bad = client.post("/learning/new-for-staff", data=_form(staff_ids=[sam.id], hours="0"))
    assert bad.status_code == 200
    with app.app_context():
        assert _rows() == []
    response = client.post("/learning/new-for-staff", data=_form(staff_ids=[sam.id, tess.id]))
    assert response.status_code == 302
    assert "recorded for 2 staff" in client.get("/learning/").get_data(as_text=True)
    with app.app_context():
        assert _rows() == sorted([(sam.id, 15), (tess.id, 15)])


@pytest.mark.requirement("R19")
@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.LEADER, 200),
        (Role.STAFF, 403),
        (Role.ADMIN, 403),
        (Role.GOVERNOR, 403),
        (Role.TRUST_LEADER, 403),
    ],
)
def test_who_may_open_the_page(app, client, login_as, make_school, make_user, role, expected):
    school = make_school()
    other_school_staff = make_user(Role.STAFF, school=make_school("elsewhere"))
    login_as(role, school=school)
    assert client.get("/learning/new-for-staff").status_code == expected
    # Another school's staff are not a choice: the post is refused and nothing is saved.
    response = client.post("/learning/new-for-staff", data=_form(staff_ids=[other_school_staff.id]))
    assert response.status_code == (200 if expected == 200 else expected)
    with app.app_context():
        assert _rows() == []
