"""Intervention pages: who may open what, form validation, lost updates, timeline, home page."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from school_tracker.calendar.terms import school_today
from school_tracker.extensions import db
from school_tracker.models import (
    AuditEntry,
    Intervention,
    InterventionParticipant,
    InterventionStatus,
    InterventionType,
    Role,
)
from tests.factories.interventions import MARKER, make_intervention, seed_catalogue, type_id

TODAY = school_today()


@pytest.fixture
def setup(app, make_school, make_user, make_pupil):
    """A school with a lead, another member of staff, a leader and an intervention."""
    school = make_school()
    lead = make_user(Role.STAFF, school=school, full_name="Lena Lead")
    pupils = [make_pupil(school, legal_surname=f"Pupil{n}") for n in range(3)]
    ident = make_intervention(app, school, lead, pupils[:1])
    with app.app_context():
        part = db.session.get(Intervention, ident).participants[0].id
    return {"school": school, "lead": lead, "pupils": pupils, "id": ident, "part": part}


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _form(kind: int, lead: int, **overrides) -> dict:
    start = TODAY - timedelta(days=7)
    data = {
        "type_id": kind,
        "mode": "individual",
        "pupil_ids": [],
        "lead_id": lead,
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
        "pupil_voice": "It helps.",
        "parent_voice": "",
        "notes": "",
    }
    data.update(overrides)
    return data


# --- who may open what -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("lead", 200),
        ("leader", 200),
        ("other_staff", 404),
        ("admin", 403),
        ("governor", 403),
        ("trust_leader", 403),
        ("other_school_leader", 404),
    ],
)
def test_detail_page_by_role(app, client, auth, make_user, make_school, setup, who, expected):
    school = setup["school"]
    users = {
        "lead": setup["lead"],
        "leader": make_user(Role.LEADER, school=school),
        "other_staff": make_user(Role.STAFF, school=school),
        "admin": make_user(Role.ADMIN, school=school),
        "governor": make_user(Role.GOVERNOR, school=school),
        "trust_leader": make_user(Role.TRUST_LEADER, school=school),
        "other_school_leader": make_user(Role.LEADER, school=make_school("elsewhere")),
    }
    auth.login(users[who].email)
    ident = setup["id"]
    pages = [
        f"/interventions/{ident}",
        f"/interventions/{ident}/edit",
        f"/interventions/{ident}/pupils/{setup['part']}/outcome",
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == expected, (who, page)
        shows_voice = expected == 200 and not page.endswith("/outcome")
        assert (MARKER in response.get_data(as_text=True)) == shows_voice, page
    with app.app_context():
        version = db.session.get(Intervention, ident).version_id
    post = client.post(
        f"/interventions/{ident}/status", data={"status": "active", "version": version}
    )
    assert post.status_code == (302 if expected == 200 else expected)


def test_creator_who_is_not_the_lead_can_see_it(app, client, auth, make_user, setup):
    creator = make_user(Role.STAFF, school=setup["school"])
    ident = make_intervention(
        app, setup["school"], creator, setup["pupils"][1:2], lead=setup["lead"]
    )
    auth.login(creator.email)
    assert client.get(f"/interventions/{ident}").status_code == 200
    assert f"/interventions/{ident}" in client.get("/interventions/").get_data(as_text=True)


def test_list_shows_staff_only_their_own(app, client, auth, make_user, setup):
    other = make_user(Role.STAFF, school=setup["school"])
    auth.login(other.email)
    body = client.get("/interventions/").get_data(as_text=True)
    assert f"/interventions/{setup['id']}" not in body
    assert "0 interventions" in body
    auth.logout()
    auth.login(setup["lead"].email)
    assert f"/interventions/{setup['id']}" in client.get("/interventions/").get_data(as_text=True)


def test_list_filters_and_refuses_bad_values(client, login_as, setup):
    login_as(Role.LEADER, school=setup["school"])
    ident = setup["id"]
    assert f"/interventions/{ident}" in client.get("/interventions/?status=planned").text
    assert f"/interventions/{ident}" not in client.get("/interventions/?status=active").text
    assert f"/interventions/{ident}" not in client.get("/interventions/?overdue=1").text
    assert client.get("/interventions/?status=bogus").status_code == 400
    assert client.get("/interventions/?type=x").status_code == 400


def test_detail_view_is_audited(app, client, auth, setup):
    auth.login(setup["lead"].email)
    client.get(f"/interventions/{setup['id']}")
    with app.app_context():
        views = db.session.scalars(
            sa.select(AuditEntry).where(
                AuditEntry.action == "view", AuditEntry.entity_type == "intervention"
            )
        ).all()
        assert [v.entity_id for v in views] == [setup["id"]]


# --- creating --------------------------------------------------------------------------------


def test_staff_plans_a_group_intervention(app, client, auth, setup):
    auth.login(setup["lead"].email)
    school = setup["school"]
    kind = type_id(app, school, "elsa")
    assert client.get("/interventions/new").status_code == 200
    pupils = [p.id for p in setup["pupils"]]
    response = client.post(
        "/interventions/new",
        data=_form(kind, setup["lead"].id, mode="group", pupil_ids=pupils),
    )
    assert response.status_code == 302
    with app.app_context():
        record = db.session.scalars(
            sa.select(Intervention).order_by(Intervention.id.desc())
        ).first()
        assert record.cost_pence == 12_050
        assert sorted(p.pupil_id for p in record.participants) == sorted(pupils)
        assert [p.code for p in record.priorities] == ["P1", "P4b"]
        assert record.created_by_id == setup["lead"].id


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"review_date": (TODAY - timedelta(days=8)).isoformat()}, "after the start date"),
        ({"cost": "-5"}, "Number must be between 0 and"),
        ({"cost": "12.345"}, "two decimal places"),
        ({"cost": "NaN"}, "Enter a number"),
        ({"score_min": "50"}, "highest score must be above"),
        ({"notes": "bad\x00text"}, "control characters"),
        ({"pupil_voice": "x" * 10_001}, "10000"),
        ({"planned_sessions": "0"}, "Number must be between 1 and 500"),
        ({"mode": "group"}, "at least two pupils"),
        ({"lead_id": "999999"}, "Not a valid choice"),
    ],
)
def test_bad_plans_are_refused_beside_the_field(app, client, auth, setup, overrides, message):
    auth.login(setup["lead"].email)
    kind = type_id(app, setup["school"])
    data = _form(kind, setup["lead"].id, pupil_ids=[setup["pupils"][1].id], **overrides)
    response = client.post("/interventions/new", data=data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert _count(Intervention) == 1


@pytest.mark.requirement("R32")
def test_tampered_catalogue_and_pupil_ids_are_form_errors(
    app, client, auth, make_school, make_pupil, setup
):
    other = make_school("other")
    seed_catalogue(app, other)
    foreign_type = type_id(app, other)
    foreign_pupil = make_pupil(other)
    auth.login(setup["lead"].email)
    kind = type_id(app, setup["school"])
    for data in (
        _form(foreign_type, setup["lead"].id, pupil_ids=[setup["pupils"][1].id]),
        _form(kind, setup["lead"].id, pupil_ids=[foreign_pupil.id]),
        _form("abc", setup["lead"].id, pupil_ids=[setup["pupils"][1].id]),
    ):
        response = client.post("/interventions/new", data=data)
        assert response.status_code == 200
        assert "valid choice" in response.get_data(as_text=True).lower()
    with app.app_context():
        assert _count(Intervention) == 1


def test_deactivated_type_is_not_offered_for_new_plans(app, client, auth, setup):
    with app.app_context():
        kind = db.session.get(InterventionType, type_id(app, setup["school"], "phonics"))
        kind.active = False
        db.session.commit()
    auth.login(setup["lead"].email)
    body = client.get("/interventions/new").get_data(as_text=True)
    assert ">Phonics<" not in body and ">Reading catch-up<" in body


# --- editing and lost updates ----------------------------------------------------------------


@pytest.mark.requirement("R81")
def test_edit_saves_and_a_stale_form_gets_409(app, client, auth, make_user, setup):
    ident = setup["id"]
    kind = type_id(app, setup["school"])
    auth.login(setup["lead"].email)
    page = client.get(f"/interventions/{ident}/edit").get_data(as_text=True)
    assert 'name="version" type="hidden" value="1"' in page
    data = _form(kind, setup["lead"].id, version="1", cost="99.99")
    del data["mode"], data["pupil_ids"]
    assert client.post(f"/interventions/{ident}/edit", data=data).status_code == 302
    stale = client.post(f"/interventions/{ident}/edit", data={**data, "cost": "1.00"})
    assert stale.status_code == 409
    assert f'href="/interventions/{ident}"' in stale.get_data(as_text=True)
    with app.app_context():
        record = db.session.get(Intervention, ident)
        assert record.cost_pence == 9_999 and record.version_id == 2


@pytest.mark.requirement("R81")
def test_a_stale_save_gives_back_what_was_typed(app, client, auth, setup):
    """R81: the 409 page shows the refused input, so nothing typed is lost."""
    ident = setup["id"]
    auth.login(setup["lead"].email)
    data = _form(type_id(app, setup["school"]), setup["lead"].id, version="1")
    del data["mode"], data["pupil_ids"]
    assert client.post(f"/interventions/{ident}/edit", data=data).status_code == 302
    typed = "Calmer at lunch <b>and</b> in class.\nTalks to an adult when upset."
    stale = client.post(f"/interventions/{ident}/edit", data={**data, "intended_outcome": typed})
    page = stale.get_data(as_text=True)
    assert stale.status_code == 409
    assert "Your changes (not saved)" in page and "Intended outcome" in page
    assert "Calmer at lunch &lt;b&gt;and&lt;/b&gt; in class.\nTalks to an adult" in page
    assert "Csrf token" not in page and "Version" not in page


@pytest.mark.requirement("R81")
@pytest.mark.parametrize("version", [None, "", "two"])
def test_an_edit_without_its_version_is_refused_as_stale(app, client, auth, setup, version):
    """R81: a form that lost its version must not save over whatever is there now."""
    auth.login(setup["lead"].email)
    data = {"impact": "2"} | ({} if version is None else {"version": version})
    response = client.post(
        f"/interventions/{setup['id']}/pupils/{setup['part']}/outcome", data=data
    )
    assert response.status_code == 409
    with app.app_context():
        part = db.session.get(InterventionParticipant, setup["part"])
        assert part.impact is None and part.version_id == 1


@pytest.mark.requirement("R23")
def test_edit_ignores_fields_the_form_does_not_declare(app, client, auth, make_school, setup):
    other = make_school("other")
    ident = setup["id"]
    kind = type_id(app, setup["school"])
    auth.login(setup["lead"].email)
    data = _form(kind, setup["lead"].id, version="1")
    data.update(school_id=other.id, created_by_id=999, status="completed", mode="group")
    client.post(f"/interventions/{ident}/edit", data=data)
    with app.app_context():
        record = db.session.get(Intervention, ident)
        assert record.school_id == setup["school"].id
        assert record.created_by_id == setup["lead"].id
        assert record.status is InterventionStatus.PLANNED
        assert record.mode.value == "individual"


# --- status and participants -----------------------------------------------------------------


def test_status_changes_by_post(app, client, auth, setup):
    ident = setup["id"]
    auth.login(setup["lead"].email)
    assert client.get(f"/interventions/{ident}/status").status_code == 405
    client.post(f"/interventions/{ident}/status", data={"status": "active", "version": "1"})
    response = client.post(
        f"/interventions/{ident}/status",
        data={"status": "stopped", "version": "2"},
        follow_redirects=True,
    )
    assert "Say why the intervention is stopping." in response.get_data(as_text=True)
    stale = client.post(
        f"/interventions/{ident}/status", data={"status": "completed", "version": "1"}
    )
    assert stale.status_code == 409
    client.post(
        f"/interventions/{ident}/status",
        data={"status": "stopped", "reason": "Family moved away.", "version": "2"},
    )
    with app.app_context():
        record = db.session.get(Intervention, ident)
        assert record.status is InterventionStatus.STOPPED
        assert record.stop_reason == "Family moved away."


def test_participant_pages_add_record_outcome_and_withdraw(app, client, auth, setup):
    pupils = setup["pupils"]
    ident = make_intervention(app, setup["school"], setup["lead"], pupils[:2], seed_key="phonics")
    auth.login(setup["lead"].email)
    start = (TODAY - timedelta(days=2)).isoformat()
    response = client.post(
        f"/interventions/{ident}/pupils/new", data={"pupil_id": pupils[2].id, "start_date": start}
    )
    assert response.status_code == 302
    with app.app_context():
        part = db.session.scalar(
            sa.select(InterventionParticipant).where(
                InterventionParticipant.intervention_id == ident,
                InterventionParticipant.pupil_id == pupils[2].id,
            )
        )
        part_id = part.id
    base = f"/interventions/{ident}/pupils/{part_id}"
    bad = client.post(f"{base}/outcome", data={"exit_score": "250", "version": "1"})
    assert bad.status_code == 200 and "at most 200" in bad.get_data(as_text=True)
    good = client.post(
        f"{base}/outcome",
        data={"exit_score": "88", "sessions_attended": "5", "impact": "-1", "version": "1"},
    )
    assert good.status_code == 302
    assert client.post(f"{base}/outcome", data={"impact": "2", "version": "1"}).status_code == 409
    no_reason = client.post(f"{base}/withdraw", data={"on": TODAY.isoformat(), "version": "2"})
    assert no_reason.status_code == 200
    withdrawn = client.post(
        f"{base}/withdraw",
        data={"on": TODAY.isoformat(), "reason": "Joined a smaller group.", "version": "2"},
    )
    assert withdrawn.status_code == 302
    with app.app_context():
        part = db.session.get(InterventionParticipant, part_id)
        # The typed "sessions attended" is gone from the form: a value posted anyway is ignored.
        assert (part.exit_score, part.sessions_before_register, part.impact) == (88.0, None, -1)
        assert part.status.value == "withdrawn"


def test_individual_intervention_offers_no_add_or_withdraw(client, auth, setup):
    auth.login(setup["lead"].email)
    base = f"/interventions/{setup['id']}/pupils"
    for page in (f"{base}/new", f"{base}/{setup['part']}/withdraw"):
        response = client.get(page, follow_redirects=True)
        assert response.request.path == f"/interventions/{setup['id']}"
    response = client.post(f"{base}/new", data={"pupil_id": setup["pupils"][1].id})
    assert response.status_code == 302


def test_participant_of_another_intervention_is_not_found(app, client, auth, setup):
    other = make_intervention(app, setup["school"], setup["lead"], setup["pupils"][1:2])
    with app.app_context():
        foreign = db.session.get(Intervention, other).participants[0].id
    auth.login(setup["lead"].email)
    assert client.get(f"/interventions/{setup['id']}/pupils/{foreign}/outcome").status_code == 404


# --- timeline and home page ------------------------------------------------------------------


def test_timeline_shows_interventions_only_to_those_allowed(client, auth, make_user, setup):
    school, pupil = setup["school"], setup["pupils"][0]
    link = f'href="/interventions/{setup["id"]}"'
    for user, visible in (
        (setup["lead"], True),
        (make_user(Role.LEADER, school=school), True),
        (make_user(Role.STAFF, school=school), False),
        (make_user(Role.ADMIN, school=school), False),
    ):
        auth.login(user.email)
        body = client.get(f"/pupils/{pupil.id}").get_data(as_text=True)
        assert (link in body) == visible, user.role
        assert MARKER not in body
        auth.logout()


def test_overdue_review_appears_on_lead_and_leader_home(app, client, auth, make_user, setup):
    start = TODAY - timedelta(days=60)
    ident = make_intervention(
        app,
        setup["school"],
        setup["lead"],
        setup["pupils"][1:2],
        start_date=start,
        review_date=TODAY - timedelta(days=1),
    )
    link = f'href="/interventions/{ident}"'
    for user, visible in (
        (setup["lead"], True),
        (make_user(Role.LEADER, school=setup["school"]), True),
        (make_user(Role.STAFF, school=setup["school"]), False),
    ):
        auth.login(user.email)
        body = client.get("/").get_data(as_text=True)
        assert (link in body) == visible, user.role
        assert ("overdue since" in body) == visible
        auth.logout()
    auth.login(setup["lead"].email)
    assert link in client.get("/interventions/?overdue=1").get_data(as_text=True)


# --- catalogue -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [(Role.ADMIN, 200), (Role.LEADER, 403), (Role.STAFF, 403), (Role.GOVERNOR, 403)],
)
def test_catalogue_is_for_admins(client, login_as, setup, role, expected):
    login_as(role, school=setup["school"])
    assert client.get("/interventions/catalogue/").status_code == expected
    assert client.get("/interventions/catalogue/new").status_code == expected


def test_admin_edits_the_catalogue(app, client, login_as, make_school, setup):
    login_as(Role.ADMIN, school=setup["school"])
    assert (
        client.post(
            "/interventions/catalogue/new",
            data={"name": "Forest school", "priorities": ["P1"], "send_focused": "y"},
        ).status_code
        == 302
    )
    dup = client.post("/interventions/catalogue/new", data={"name": "forest school"})
    assert "already has a type" in dup.get_data(as_text=True)
    kind = type_id(app, setup["school"], "phonics")
    client.post(
        f"/interventions/catalogue/{kind}/edit",
        data={"name": "Read Write Inc", "priorities": ["P2"]},
    )
    client.post(f"/interventions/catalogue/{kind}/deactivate")
    with app.app_context():
        row = db.session.get(InterventionType, kind)
        assert (row.name, row.active) == ("Read Write Inc", False)
    other = make_school("other")
    seed_catalogue(app, other)
    foreign = type_id(app, other)
    assert client.get(f"/interventions/catalogue/{foreign}/edit").status_code == 404
    assert client.post(f"/interventions/catalogue/{foreign}/deactivate").status_code == 404


def test_admin_seeds_the_standard_catalogue(app, client, login_as, make_school):
    school = make_school("fresh")
    login_as(Role.ADMIN, school=school)
    assert "catalogue is empty" in client.get("/interventions/catalogue/").get_data(as_text=True)
    client.post("/interventions/catalogue/standard")
    body = client.get("/interventions/catalogue/").get_data(as_text=True)
    assert "Alternative provision placement" in body and "Managed move" in body
