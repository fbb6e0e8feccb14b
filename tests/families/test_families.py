"""Structured conversations with parents and carers (P5): rules, access, timeline, follow-ups."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from school_tracker.calendar.terms import school_today
from school_tracker.extensions import db
from school_tracker.families import services
from school_tracker.models import AuditEntry, CarerRelationship, ParentConversation, Role, User
from school_tracker.records.versions import RecordRuleError, StaleRecordError
from tests.factories.interventions import MARKER, make_conversation

TODAY = school_today()


@pytest.fixture
def setup(app, make_school, make_user, make_pupil):
    school = make_school()
    lead = make_user(Role.STAFF, school=school, full_name="Lena Lead")
    pupil = make_pupil(school, legal_surname="Okafor")
    ident = make_conversation(app, school, lead, pupil)
    return {"school": school, "lead": lead, "pupil": pupil, "id": ident}


def _data(led_by_id: int, **overrides) -> services.ConversationData:
    values = dict(
        carer_name="Sam Carer",
        carer_relationship=CarerRelationship.GRANDPARENT,
        led_by_id=led_by_id,
        held_on=TODAY,
    )
    values.update(overrides)
    return services.ConversationData(**values)


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count(ParentConversation.id)))


def test_create_defaults_to_p5_and_audits_without_content(app, setup):
    with app.app_context():
        record = db.session.get(ParentConversation, setup["id"])
        assert [p.code for p in record.priorities] == ["P5"]
        entry = db.session.scalar(
            sa.select(AuditEntry).where(AuditEntry.entity_type == "parent_conversation")
        )
        assert entry.pupil_id == setup["pupil"].id
        assert MARKER not in str(entry.changes) and "Jo Parent" not in str(entry.changes)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"held_on": TODAY + timedelta(days=1)}, "held_on"),
        ({"follow_up_on": TODAY - timedelta(days=1)}, "follow_up_on"),
        ({"led_by_id": 999_999}, "led_by_id"),
        ({"carer_name": "  "}, "carer_name"),
    ],
)
def test_rules_refuse_bad_values(app, setup, overrides, field):
    lead = setup["lead"]
    values = dict(overrides)
    with app.app_context():
        with pytest.raises(RecordRuleError) as error:
            services.create_conversation(
                setup["school"].id,
                setup["pupil"].id,
                _data(values.pop("led_by_id", lead.id), **values),
                [],
                by=db.session.get(User, lead.id),
                today=TODAY,
            )
        assert error.value.field == field


def test_pupil_from_another_school_is_refused(app, setup, make_school, make_pupil):
    stranger = make_pupil(make_school("other"))
    with app.app_context(), pytest.raises(RecordRuleError) as error:
        services.create_conversation(
            setup["school"].id,
            stranger.id,
            _data(setup["lead"].id),
            [],
            by=db.session.get(User, setup["lead"].id),
            today=TODAY,
        )
    assert error.value.field == "pupil_id"


def test_stale_edit_is_refused_and_follow_up_closes(app, setup):
    with app.app_context():
        record = db.session.get(ParentConversation, setup["id"])
        by = db.session.get(User, setup["lead"].id)
        services.update_conversation(
            record,
            _data(by.id, held_on=TODAY - timedelta(days=3), follow_up_on=TODAY),
            ["P5", "P1"],
            by=by,
            today=TODAY,
            expected_version=1,
        )
        db.session.commit()
        assert record.version_id == 2
        with pytest.raises(StaleRecordError):
            services.update_conversation(
                record, _data(by.id), [], by=by, today=TODAY, expected_version=1
            )
        db.session.rollback()
        services.mark_follow_up_done(record, by=by, on=TODAY)
        with pytest.raises(RecordRuleError):
            services.mark_follow_up_done(record, by=by, on=TODAY)
        db.session.commit()
        assert record.follow_up_done_on == TODAY


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("lead", 200),
        ("leader", 200),
        ("other_staff", 404),
        ("admin", 403),
        ("governor", 403),
        ("other_school_leader", 404),
    ],
)
def test_detail_by_role(client, auth, make_user, make_school, setup, who, expected):
    school = setup["school"]
    users = {
        "lead": setup["lead"],
        "leader": make_user(Role.LEADER, school=school),
        "other_staff": make_user(Role.STAFF, school=school),
        "admin": make_user(Role.ADMIN, school=school),
        "governor": make_user(Role.GOVERNOR, school=school),
        "other_school_leader": make_user(Role.LEADER, school=make_school("elsewhere")),
    }
    auth.login(users[who].email)
    ident = setup["id"]
    response = client.get(f"/families/{ident}")
    assert response.status_code == expected
    assert (MARKER in response.get_data(as_text=True)) == (expected == 200)
    assert client.get(f"/families/{ident}/edit").status_code == expected
    done = client.post(f"/families/{ident}/follow-up-done")
    assert done.status_code == (302 if expected == 200 else expected)
    listing = client.get("/families/")
    if listing.status_code == 200:
        assert (f"/families/{ident}" in listing.get_data(as_text=True)) == (expected == 200)


def test_creator_who_did_not_lead_can_see_it(app, client, auth, make_user, setup):
    creator = make_user(Role.STAFF, school=setup["school"])
    ident = make_conversation(app, setup["school"], creator, setup["pupil"], led_by=setup["lead"])
    auth.login(creator.email)
    assert client.get(f"/families/{ident}").status_code == 200


def test_form_validation_writes_nothing(app, client, auth, setup):
    auth.login(setup["lead"].email)
    assert client.get(f"/families/new?pupil={setup['pupil'].id}").status_code == 200
    base = {
        "pupil_id": setup["pupil"].id,
        "carer_name": "Ade Okafor",
        "carer_relationship": "father",
        "led_by_id": setup["lead"].id,
        "held_on": TODAY.isoformat(),
        "family_said": "Happy with progress.",
        "follow_up_on": (TODAY + timedelta(days=14)).isoformat(),
    }
    for bad, message in (
        ({"held_on": (TODAY + timedelta(days=1)).isoformat()}, "future"),
        ({"follow_up_on": (TODAY - timedelta(days=1)).isoformat()}, "before the conversation"),
        ({"carer_name": "Ade\u202eOkafor"}, "direction-changing"),
        ({"carer_name": ""}, "This field is required"),
        ({"agreed_actions": "x\x00"}, "control characters"),
        ({"school_said": "y" * 10_001}, "10000"),
        ({"carer_relationship": "uncle"}, "Not a valid choice"),
        ({"pupil_id": "999999"}, "Not a valid choice"),
    ):
        response = client.post("/families/new", data={**base, **bad})
        assert response.status_code == 200, bad
        assert message in response.get_data(as_text=True), bad
    with app.app_context():
        assert _count() == 1
    assert client.post("/families/new", data=base).status_code == 302
    with app.app_context():
        assert _count() == 2


def test_edit_page_refuses_a_stale_version(client, auth, setup):
    auth.login(setup["lead"].email)
    ident = setup["id"]
    data = {
        "carer_name": "Jo Parent",
        "carer_relationship": "mother",
        "led_by_id": setup["lead"].id,
        "held_on": TODAY.isoformat(),
        "priorities": ["P5"],
        "version": "1",
    }
    assert client.post(f"/families/{ident}/edit", data=data).status_code == 302
    stale = client.post(f"/families/{ident}/edit", data={**data, "carer_name": "Other"})
    assert stale.status_code == 409


def test_timeline_and_follow_up_panel(app, client, auth, make_user, setup):
    due = make_conversation(
        app,
        setup["school"],
        setup["lead"],
        setup["pupil"],
        held_on=TODAY - timedelta(days=20),
        follow_up_on=TODAY - timedelta(days=2),
    )
    link = f'href="/families/{setup["id"]}"'
    other = make_user(Role.STAFF, school=setup["school"])
    for user, visible in ((setup["lead"], True), (other, False)):
        auth.login(user.email)
        assert (
            link in client.get(f"/pupils/{setup['pupil'].id}").get_data(as_text=True)
        ) == visible
        home = client.get("/").get_data(as_text=True)
        assert (f'href="/families/{due}"' in home) == visible
        assert ("overdue since" in home) == visible
        auth.logout()
    auth.login(setup["lead"].email)
    client.post(f"/families/{due}/follow-up-done")
    assert f'href="/families/{due}"' not in client.get("/").get_data(as_text=True)
    assert f"/families/{due}" not in client.get("/families/?due=1").get_data(as_text=True)
