"""The school's own lists (issue 16 item 6): admins add, rename, retire and reinstate; nothing is
deleted (R63)."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from school_tracker.admin import reference_data as service
from school_tracker.calendar.terms import school_today
from school_tracker.extensions import db
from school_tracker.learning import services as learning
from school_tracker.models import Agency, AuditEntry, ReferenceKind, Role, User
from school_tracker.records.reference_lists import STANDARD_VALUES, offered
from school_tracker.records.versions import RecordRuleError
from tests.factories.interventions import make_intervention
from tests.factories.reference import coded_id, value_id
from tests.factories.risk import make_flag, seed_reference

TODAY = school_today()
SLUGS = list(service.LISTS)
# A value of each standard list, and how a record comes to name it.
STANDARD_NAME = {
    "agencies": "Early Help",
    "risk-factors": "Attendance",
    "measures": "Reading age (months)",
    "cpd-focus": "Reading",
}


@pytest.fixture
def lists(app, make_school, make_user, make_pupil) -> dict:
    seed_reference(app)
    school = make_school()
    other = make_school("elm", "Elm Primary")
    return {
        "school": school,
        "other": other,
        "admin": make_user(Role.ADMIN, school=school, full_name="Ada Admin"),
        "leader": make_user(Role.LEADER, school=school, full_name="Lena Leader"),
        "other_admin": make_user(Role.ADMIN, school=other, full_name="Olu Admin"),
        "pupil": make_pupil(school, legal_surname="Okafor"),
    }


def _admin(lists) -> User:
    return db.session.get_one(User, lists["admin"].id)


def _row(slug: str, school_id: int, name: str):
    lst = service.LISTS[slug]
    return next(row for row in service.list_values(lst, school_id) if row.name == name)


def _name_in_use(app, lists, slug: str) -> str:
    """Make one record name a standard value of the list; return the value's name."""
    school, leader, pupil = lists["school"], lists["leader"], lists["pupil"]
    if slug in ("agencies", "risk-factors"):
        make_flag(app, pupil, leader)  # ticks Early Help, CAMHS, attendance, peer conflict
    elif slug == "measures":
        make_intervention(app, school, leader, [pupil])  # measured by reading age
    else:
        with app.app_context():
            learning.create_learning(
                school.id,
                learning.LearningData(
                    staff_id=leader.id,
                    held_on=TODAY - timedelta(days=2),
                    activity="Reading for pleasure network",
                    hours_tenths=20,
                    focus_id=value_id(school.id, ReferenceKind.CPD_FOCUS, "Reading"),
                ),
                [],
                by=db.session.get_one(User, leader.id),
                today=TODAY,
            )
            db.session.commit()
    return STANDARD_NAME[slug]


def test_every_school_starts_with_its_own_copy_of_the_standard_lists(app, lists):
    with app.app_context():
        for school in (lists["school"], lists["other"]):
            assert len(service.list_values(service.LISTS["agencies"], school.id)) == 17
            assert len(service.list_values(service.LISTS["risk-factors"], school.id)) == 9
            measures = service.list_values(service.LISTS["measures"], school.id)
            assert [m.name for m in measures] == list(STANDARD_VALUES[ReferenceKind.MEASURE])
        mine = coded_id(Agency, lists["school"].id, "camhs")
        theirs = coded_id(Agency, lists["other"].id, "camhs")
        assert mine != theirs


@pytest.mark.parametrize("slug", SLUGS)
def test_add_rename_and_duplicates_refused_without_case(app, lists, slug):
    lst, school_id = service.LISTS[slug], lists["school"].id
    with app.app_context():
        row = service.add_value(
            lst, school_id, name="Forest School", active_from=None, active_to=None, by=_admin(lists)
        )
        db.session.commit()
        assert row.name == "Forest School" and row.school_id == school_id
        assert row in offered(lst.model, school_id, on=TODAY, kind=lst.kind)
        for clash in ("forest school", "  FOREST SCHOOL "):
            with pytest.raises(RecordRuleError) as error:
                service.add_value(
                    lst, school_id, name=clash, active_from=None, active_to=None, by=_admin(lists)
                )
            assert error.value.field == "name"
        db.session.rollback()
        # Another school may use the same name on its own list.
        service.add_value(
            lst,
            lists["other"].id,
            name="Forest School",
            active_from=None,
            active_to=None,
            by=db.session.get_one(User, lists["other_admin"].id),
        )
        row = _row(slug, school_id, "Forest School")
        changes = service.update_value(
            lst, row, name="Forest school club", active_from=None, active_to=None, by=_admin(lists)
        )
        assert changes == {"name": ["Forest School", "Forest school club"]}
        with pytest.raises(RecordRuleError) as error:  # renamed onto another value of the list
            service.update_value(
                lst,
                row,
                name=STANDARD_NAME[slug].upper(),
                active_from=None,
                active_to=None,
                by=_admin(lists),
            )
        assert error.value.field == "name"
        with pytest.raises(RecordRuleError) as error:
            service.update_value(
                lst,
                row,
                name="Forest school club",
                active_from=TODAY,
                active_to=TODAY - timedelta(days=1),
                by=_admin(lists),
            )
        assert error.value.field == "active_to"
        db.session.commit()
        actions = db.session.scalars(
            sa.select(AuditEntry.action).where(
                AuditEntry.entity_type == lst.entity_type, AuditEntry.entity_id == row.id
            )
        ).all()
        assert actions == ["create", "update"]


@pytest.mark.parametrize("slug", SLUGS)
def test_retire_and_reinstate(app, lists, slug):
    lst, school_id = service.LISTS[slug], lists["school"].id
    with app.app_context():
        row = _row(slug, school_id, STANDARD_NAME[slug])
        service.retire_value(lst, row, today=TODAY, by=_admin(lists))
        db.session.commit()
        assert row.active_to == TODAY - timedelta(days=1)
        assert row not in offered(lst.model, school_id, on=TODAY, kind=lst.kind)
        assert row in offered(lst.model, school_id, on=TODAY - timedelta(days=1), kind=lst.kind)
        assert row in offered(lst.model, school_id, on=TODAY, keep=[row.id], kind=lst.kind)
        with pytest.raises(RecordRuleError):
            service.retire_value(lst, row, today=TODAY, by=_admin(lists))
        service.reinstate_value(lst, row, by=_admin(lists))
        db.session.commit()
        assert row.active_to is None and row in offered(
            lst.model, school_id, on=TODAY, kind=lst.kind
        )
        actions = db.session.scalars(
            sa.select(AuditEntry.action).where(
                AuditEntry.entity_type == lst.entity_type, AuditEntry.entity_id == row.id
            )
        ).all()
        assert actions == ["retire", "reinstate"]


@pytest.mark.parametrize("slug", SLUGS)
def test_admin_pages_list_add_refuse_retire_and_reinstate(app, client, auth, lists, slug):
    auth.login(lists["admin"].email)
    _name_in_use(app, lists, slug)
    page = client.get(f"/admin/reference-data/{slug}").get_data(as_text=True)
    assert STANDARD_NAME[slug] in page and "1 record<" in page and "0 records" in page
    assert "Reference data" in client.get("/admin/reference-data").get_data(as_text=True)
    added = client.post(f"/admin/reference-data/{slug}/new", data={"name": "Nature walks"})
    assert added.status_code == 302
    refused = client.post(f"/admin/reference-data/{slug}/new", data={"name": "NATURE WALKS"})
    assert refused.status_code == 200
    assert "already has a" in refused.get_data(as_text=True)  # beside the name field
    bad_dates = client.post(
        f"/admin/reference-data/{slug}/new",
        data={"name": "Later", "active_from": "2026-09-01", "active_to": "2026-08-01"},
    )
    assert "can&#39;t be before the first day" in bad_dates.get_data(as_text=True)
    with app.app_context():
        used = _row(slug, lists["school"].id, STANDARD_NAME[slug])
        new = _row(slug, lists["school"].id, "Nature walks")
        used_id, new_id = used.id, new.id
    edit = client.get(f"/admin/reference-data/{slug}/{used_id}/edit").get_data(as_text=True)
    assert STANDARD_NAME[slug] in edit
    assert client.post(f"/admin/reference-data/{slug}/{used_id}/retire").status_code == 302
    assert client.post(f"/admin/reference-data/{slug}/{used_id}/delete").status_code == 404
    page = client.get(f"/admin/reference-data/{slug}").get_data(as_text=True)
    assert "Retired" in page and STANDARD_NAME[slug] in page  # in use: kept, only retired
    assert client.post(f"/admin/reference-data/{slug}/{used_id}/reinstate").status_code == 302
    assert client.post(f"/admin/reference-data/{slug}/{new_id}/retire").status_code == 302
    with app.app_context():
        names = [row.name for row in service.list_values(service.LISTS[slug], lists["school"].id)]
        assert "Nature walks" in names and STANDARD_NAME[slug] in names  # retired, kept
        assert _row(slug, lists["school"].id, STANDARD_NAME[slug]).active_to is None


@pytest.mark.parametrize("slug", SLUGS)
def test_another_schools_value_is_not_found(app, client, auth, lists, slug):
    with app.app_context():
        theirs = _row(slug, lists["other"].id, STANDARD_NAME[slug]).id
    auth.login(lists["admin"].email)
    assert client.get(f"/admin/reference-data/{slug}/{theirs}/edit").status_code == 404
    for action in ("retire", "reinstate"):
        assert client.post(f"/admin/reference-data/{slug}/{theirs}/{action}").status_code == 404
    assert client.get("/admin/reference-data/priorities").status_code == 404
    with app.app_context():
        assert _row(slug, lists["other"].id, STANDARD_NAME[slug]).active_to is None


def test_only_admins_keep_the_lists(app, client, auth, lists, make_user):
    for role in (Role.LEADER, Role.STAFF, Role.GOVERNOR):
        user = make_user(role, school=lists["school"])
        auth.login(user.email)
        assert client.get("/admin/reference-data/agencies").status_code == 403
        auth.logout()
