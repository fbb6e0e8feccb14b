"""Risk-flag pages: who may see what (R21, R25), audited views (R62), forms and workflows."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from school_tracker.calendar.terms import school_today
from school_tracker.extensions import db
from school_tracker.models import (
    AuditEntry,
    RiskAction,
    RiskFactor,
    RiskFlag,
    RiskLevel,
    RiskOutcome,
    RiskStatus,
    Role,
    SenStatus,
)
from school_tracker.risk import lifecycle
from tests.conftest import AuthActions
from tests.factories.risk import MARKER, get_flag, make_flag, ref_ids, seed_reference

TODAY = school_today()


@pytest.fixture
def world(app, make_school, make_user, make_pupil):
    """A school with a leader, a named and an unnamed member of staff, and one flag."""
    seed_reference(app)
    school = make_school()
    leader = make_user(Role.LEADER, school=school, full_name="Lena Leader")
    named = make_user(Role.STAFF, school=school, full_name="Nadia Named")
    unnamed = make_user(Role.STAFF, school=school, full_name="Umar Unnamed")
    pupil = make_pupil(school, legal_surname="Okonkwo", legal_forename="Tayo")
    flag_id = make_flag(app, pupil, leader, named=[named], level=RiskLevel.HIGH)
    return dict(
        school=school, leader=leader, named=named, unnamed=unnamed, pupil=pupil, flag=flag_id
    )


def _sign_in(client, user) -> None:
    assert AuthActions(client).login(user.email).status_code == 302


def _text(response) -> str:
    return response.get_data(as_text=True)


@pytest.mark.requirement("R21")
def test_unnamed_staff_get_404_and_see_no_trace(client, world):
    _sign_in(client, world["unnamed"])
    flag = world["flag"]
    assert client.get(f"/risk/{flag}").status_code == 404
    assert client.post(f"/risk/{flag}/actions", data={}).status_code == 404
    listing = _text(client.get("/risk/"))
    assert "Okonkwo" not in listing and "0 flags" in listing
    pupil_page = _text(client.get(f"/pupils/{world['pupil'].id}"))
    # Staff may raise a flag (the button is there), but nothing says one already exists.
    assert f"/risk/{flag}" not in pupil_page and "Exclusion risk" not in pupil_page
    assert pupil_page.lower().count("exclusion-risk flag") == 1
    assert "Okonkwo" not in _text(client.get("/"))


@pytest.mark.requirement("R21")
def test_named_staff_see_level_and_actions_but_never_the_rationale(app, client, world):
    with app.app_context():
        flag = get_flag(world["flag"])
        lifecycle.change_level(flag, RiskLevel.MEDIUM, by=flag.raised_by, reason=MARKER)
        db.session.commit()
    _sign_in(client, world["named"])
    pages = [
        client.get(f"/risk/{world['flag']}"),
        client.get("/risk/"),
        client.get("/risk/?status=all"),
        client.get(f"/pupils/{world['pupil'].id}"),
        client.get("/"),
    ]
    assert all(page.status_code == 200 for page in pages)
    for page in pages:
        assert MARKER not in _text(page)
    detail = _text(pages[0])
    assert "Medium" in detail and "shared with leaders only" in detail
    assert "Early Help" not in detail and "Attendance" not in detail
    assert "Exclusion-risk flag" in _text(pages[3]) or "exclusion-risk flag" in _text(pages[3])


@pytest.mark.requirement("R21")
def test_leaders_see_the_rationale(client, world):
    _sign_in(client, world["leader"])
    detail = _text(client.get(f"/risk/{world['flag']}"))
    assert MARKER in detail and "Early Help" in detail and "Peer conflict" in detail


@pytest.mark.requirement("R25")
@pytest.mark.parametrize("role", [Role.ADMIN, Role.GOVERNOR, Role.TRUST_LEADER])
def test_admins_governors_and_trust_leaders_are_refused(client, world, make_user, role):
    user = make_user(role, school=world["school"])
    _sign_in(client, user)
    for path in (
        "/risk/",
        f"/risk/{world['flag']}",
        "/risk/new",
        f"/risk/pupils/{world['pupil'].id}/new",
        f"/risk/{world['flag']}/edit",
    ):
        assert client.get(path).status_code == 403, path
    assert client.post(f"/risk/{world['flag']}/close", data={}).status_code == 403


@pytest.mark.requirement("R19")
def test_another_schools_leader_gets_404(client, world, make_school, make_user):
    _sign_in(client, make_user(Role.LEADER, school=make_school("elsewhere")))
    assert client.get(f"/risk/{world['flag']}").status_code == 404
    assert client.get(f"/risk/pupils/{world['pupil'].id}/new").status_code == 404
    assert "Okonkwo" not in _text(client.get("/risk/?status=all"))


def test_every_view_is_audited_without_content(app, client, world):
    _sign_in(client, world["named"])
    client.get(f"/risk/{world['flag']}")
    client.get(f"/risk/{world['flag']}")
    with app.app_context():
        views = db.session.scalars(
            sa.select(AuditEntry).where(
                AuditEntry.action == "view", AuditEntry.entity_type == "risk_flag"
            )
        ).all()
        assert [(v.actor_id, v.pupil_id, v.entity_id, v.changes) for v in views] == [
            (world["named"].id, world["pupil"].id, world["flag"], None)
        ] * 2


@pytest.mark.requirement("R22")
def test_staff_raise_a_flag_and_are_named(app, client, world):
    _sign_in(client, world["unnamed"])
    pupil_id = world["pupil"].id
    chosen = client.post("/risk/new", data={"pupil": pupil_id})
    assert chosen.headers["Location"].endswith(f"/risk/pupils/{pupil_id}/new")
    with app.app_context():
        factors = ref_ids(RiskFactor, "attendance", school_id=world["school"].id)
    response = client.post(
        f"/risk/pupils/{pupil_id}/new",
        data={
            "raised_on": TODAY.isoformat(),
            "level": "low",
            "review_on": (TODAY + timedelta(days=21)).isoformat(),
            "risk_factors": factors[:1],
            "protective_factors": "Good friendships",
            "priorities": ["P4a"],
        },
    )
    assert response.status_code == 302
    with app.app_context():
        flag = db.session.scalars(sa.select(RiskFlag).order_by(RiskFlag.id.desc())).first()
        assert [u.id for u in flag.named_staff] == [world["unnamed"].id]
        assert flag.level is RiskLevel.LOW and len(flag.level_history) == 1
    assert client.get(response.headers["Location"]).status_code == 200


def test_choose_pupil_refuses_a_tampered_id(client, world, make_school, make_pupil):
    stranger = make_pupil(make_school("other-place"))
    _sign_in(client, world["leader"])
    response = client.post("/risk/new", data={"pupil": stranger.id})
    assert response.status_code == 200 and "Not a valid choice" in _text(response)


def test_raise_form_shows_extra_duties_for_an_ehc_plan(client, world, make_pupil):
    ehc = make_pupil(world["school"], sen_status=SenStatus.EHC_PLAN, child_in_need=True)
    _sign_in(client, world["leader"])
    page = _text(client.get(f"/risk/pupils/{ehc.id}/new"))
    assert "Extra duties for this pupil" in page
    assert "early annual review" in page and "social worker" in page
    plain = _text(client.get(f"/risk/pupils/{world['pupil'].id}/new"))
    assert "Extra duties for this pupil" not in plain


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"raised_on": (TODAY + timedelta(days=1)).isoformat()}, "can&#39;t be in the future"),
        ({"review_on": (TODAY - timedelta(days=1)).isoformat()}, "must be after the date raised"),
        ({"protective_factors": "bad\x00text"}, "hidden control characters"),
        ({"agency_notes": "x" * 2001}, "2000 characters"),
        ({"level": "extreme"}, "Not a valid choice"),
        ({"named_staff": ["999999"]}, "is not a valid choice"),
        ({"review_on": "31/02/2026"}, "Not a valid date"),
    ],
)
def test_raise_form_errors_write_nothing(app, client, world, changes, message):
    _sign_in(client, world["leader"])
    data = {
        "raised_on": TODAY.isoformat(),
        "level": "medium",
        "review_on": (TODAY + timedelta(days=14)).isoformat(),
        **changes,
    }
    response = client.post(f"/risk/pupils/{world['pupil'].id}/new", data=data)
    assert response.status_code == 200
    assert message in _text(response)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(RiskFlag.id))) == 1


def _version(app, flag_id: int) -> int:
    with app.app_context():
        return get_flag(flag_id).version_id


def test_leader_changes_level_status_then_closes_with_outcome(app, client, world):
    _sign_in(client, world["leader"])
    flag = world["flag"]
    response = client.post(
        f"/risk/{flag}/level",
        data={"level-level": "medium", "level-version": _version(app, flag)},
    )
    assert response.status_code == 302
    response = client.post(
        f"/risk/{flag}/status",
        data={"status-status": "monitoring", "status-version": _version(app, flag)},
    )
    assert response.status_code == 302
    refused = client.post(f"/risk/{flag}/close", data={"close-version": _version(app, flag)})
    assert refused.status_code == 400 and "Choose the outcome" in _text(refused)
    closed = client.post(
        f"/risk/{flag}/close",
        data={"close-outcome": "managed_move", "close-version": _version(app, flag)},
    )
    assert closed.status_code == 302
    with app.app_context():
        row = get_flag(flag)
        assert (row.status, row.outcome, row.level) == (
            RiskStatus.CLOSED,
            RiskOutcome.MANAGED_MOVE,
            RiskLevel.MEDIUM,
        )
        assert [h.level for h in row.level_history] == [RiskLevel.HIGH, RiskLevel.MEDIUM]
    page = _text(client.get(f"/risk/{flag}"))
    assert "Managed move" in page and "Reopen the flag" in page
    reopened = client.post(
        f"/risk/{flag}/reopen",
        data={"reopen-reason": "New incident", "reopen-version": _version(app, flag)},
    )
    assert reopened.status_code == 302


@pytest.mark.requirement("R81")
def test_a_stale_form_is_refused_with_409(app, client, world):
    _sign_in(client, world["leader"])
    flag = world["flag"]
    old = _version(app, flag)
    client.post(f"/risk/{flag}/level", data={"level-level": "low", "level-version": old})
    response = client.post(
        f"/risk/{flag}/level", data={"level-level": "medium", "level-version": old}
    )
    assert response.status_code == 409
    assert f"/risk/{flag}" in _text(response)
    with app.app_context():
        assert get_flag(flag).level is RiskLevel.LOW


def test_named_staff_add_and_complete_actions_but_cannot_manage(app, client, world):
    _sign_in(client, world["named"])
    flag = world["flag"]
    for path in ("level", "status", "close", "reopen", "edit"):
        assert client.post(f"/risk/{flag}/{path}", data={}).status_code == 403, path
    response = client.post(
        f"/risk/{flag}/actions",
        data={
            "action-description": "Daily check-in",
            "action-owner": world["named"].id,
            "action-due_on": (TODAY + timedelta(days=7)).isoformat(),
        },
    )
    assert response.status_code == 302
    with app.app_context():
        action_id = db.session.scalar(sa.select(RiskAction.id))
    assert client.post(f"/risk/{flag}/actions/{action_id}/done").status_code == 302
    assert client.post(f"/risk/{flag}/actions/999999/done").status_code == 404
    with app.app_context():
        assert db.session.get(RiskAction, action_id).done_on == TODAY


def test_leader_edits_details(app, client, world):
    _sign_in(client, world["leader"])
    flag = world["flag"]
    form = client.get(f"/risk/{flag}/edit")
    assert form.status_code == 200 and MARKER in _text(form)
    response = client.post(
        f"/risk/{flag}/edit",
        data={
            "version": _version(app, flag),
            "review_on": (TODAY + timedelta(days=40)).isoformat(),
            "protective_factors": "Now attends breakfast club",
            "named_staff": [world["named"].id, world["unnamed"].id],
            "priorities": ["P4a", "P4b"],
        },
    )
    assert response.status_code == 302
    with app.app_context():
        row = get_flag(flag)
        assert row.protective_factors == "Now attends breakfast club"
        assert {u.id for u in row.named_staff} == {world["named"].id, world["unnamed"].id}
        assert row.agencies == []


def test_home_pages(app, client, world, make_pupil):
    with app.app_context():
        flag = get_flag(world["flag"])
        flag.review_on = flag.raised_on + timedelta(days=1)  # now overdue
        db.session.commit()
    _sign_in(client, world["leader"])
    home = _text(client.get("/"))
    assert "Overdue risk-flag reviews" in home and "review overdue since" in home
    assert "High risk flags without an open action" in home
    assert "Okonkwo, Tayo (Year 3): raised" in home
    client.post("/logout")
    _sign_in(client, world["named"])
    home = _text(client.get("/"))
    assert "Risk flags I am named on" in home and "Okonkwo, Tayo (Year 3): high risk" in home


def test_pupil_left_school_cannot_get_a_new_flag(client, world, make_pupil):
    left = make_pupil(world["school"], leaving_date=TODAY - timedelta(days=1))
    _sign_in(client, world["leader"])
    assert client.get(f"/risk/pupils/{left.id}/new").status_code == 404


def test_list_filters_are_allowlisted(client, world):
    _sign_in(client, world["leader"])
    assert client.get("/risk/?status=bogus").status_code == 400
    assert client.get("/risk/?level=extreme").status_code == 400
    assert "Okonkwo" in _text(client.get("/risk/?level=high"))
    assert "Okonkwo" not in _text(client.get("/risk/?level=low"))
