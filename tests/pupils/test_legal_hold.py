"""A legal hold on one pupil (R69): placed and lifted by leaders only, audited without
the reason, and while it stands retention blanks nothing about the child, whatever its age."""

import re
from datetime import date

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from school_tracker.extensions import db
from school_tracker.imports import services as import_services
from school_tracker.imports.parser import parse_roll
from school_tracker.imports.plan import IMPORTED_FIELDS
from school_tracker.models import (
    AuditEntry,
    Exclusion,
    Intervention,
    InterventionParticipant,
    KindnessGiver,
    KindnessMoment,
    MentoringPairing,
    MentoringSession,
    ParentConversation,
    Pupil,
    RiskAction,
    RiskFlag,
    RiskLevelChange,
    RiskStatusChange,
    Role,
    School,
    User,
)
from school_tracker.models.kindness import gave_or_received
from school_tracker.privacy.retention import REMOVED, apply_retention
from school_tracker.pupils.holds import lift_hold, place_hold
from school_tracker.records.versions import RecordRuleError
from tests.conftest import PASSWORD
from tests.factories.exports import NOTE, workbook_rows
from tests.factories.imports import csv_bytes, row, upn

PLACED = "OSPREY-INQUIRY-4417 police investigation"  # must never reach the audit log
LIFTED = "WREN-CLOSED-9023 inquiry closed"
FAR_FUTURE = date(2090, 1, 1)  # past every retention period, SEN included
HOLD_FIELDS = ("legal_hold_reason", "legal_hold_set_at", "legal_hold_set_by_id")
ACTIONS = ("place_legal_hold", "lift_legal_hold")


@pytest.fixture
def app_config_overrides():
    # No category is held, so the only thing keeping records is the pupil's own hold.
    return {"RETENTION_LEGAL_HOLD": ()}


def _hold(app, pupil_id: int, reason: str, by_id: int, change=place_hold) -> None:
    with app.app_context():
        change(db.session.get(Pupil, pupil_id), reason, by=db.session.get(User, by_id))
        db.session.commit()


def _state(app, pupil_id: int) -> tuple:
    with app.app_context():
        pupil = db.session.get(Pupil, pupil_id)
        return (
            pupil.legal_hold_reason,
            pupil.legal_hold_set_at is not None,
            pupil.legal_hold_set_by_id,
        )


def _hold_entries(app) -> list[tuple]:
    with app.app_context():
        entries = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action.in_(ACTIONS)).order_by(AuditEntry.id)
        )
        return [
            (e.action, e.actor_id, e.entity_type, e.entity_id, e.pupil_id, e.changes)
            for e in entries
        ]


def _all_audit_text(app) -> str:
    with app.app_context():
        return " ".join(str(tuple(r)) for r in db.session.execute(sa.select(AuditEntry.__table__)))


def _run(app, today: date = FAR_FUTURE) -> dict[str, int]:
    with app.app_context():
        counts = apply_retention(today)
        db.session.commit()
        return counts


def _about(app, pupil_id: int) -> dict[str, list]:
    """Every whole row about one pupil: their own, and every record naming them."""
    mp, ip, km = MentoringPairing, InterventionParticipant, KindnessMoment
    pairings = sa.select(mp.id).where(
        sa.or_(mp.mentee_id == pupil_id, mp.mentor_pupil_id == pupil_id)
    )
    flags = sa.select(RiskFlag.id).where(RiskFlag.pupil_id == pupil_id)
    wheres = {
        Pupil: Pupil.id == pupil_id,
        mp: mp.id.in_(pairings),
        MentoringSession: MentoringSession.pairing_id.in_(pairings),
        ip: ip.pupil_id == pupil_id,
        Intervention: Intervention.id.in_(
            sa.select(ip.intervention_id).where(ip.pupil_id == pupil_id)
        ),
        RiskFlag: RiskFlag.id.in_(flags),
        RiskAction: RiskAction.flag_id.in_(flags),
        RiskLevelChange: RiskLevelChange.flag_id.in_(flags),
        RiskStatusChange: RiskStatusChange.flag_id.in_(flags),
        ParentConversation: ParentConversation.pupil_id == pupil_id,
        Exclusion: Exclusion.pupil_id == pupil_id,
        km: gave_or_received(pupil_id),
        KindnessGiver: KindnessGiver.pupil_id == pupil_id,
    }
    with app.app_context():
        return {
            model.__tablename__: sorted(
                (tuple(r) for r in db.session.execute(sa.select(model.__table__).where(where))),
                key=repr,
            )
            for model, where in wheres.items()
        }


# --- placing and lifting ------------------------------------------------------------------------


def test_leader_places_and_lifts_a_hold_audited_without_the_reason(
    app, client, auth, leavers_world
):
    mia, leader = leavers_world.mentee, leavers_world.leader
    auth.login(leader.email)
    placed = client.post(f"/pupils/{mia.id}/legal-hold", data={"reason": PLACED})
    assert placed.status_code == 302 and placed.headers["Location"] == f"/pupils/{mia.id}"
    assert _state(app, mia.id) == (PLACED, True, leader.id)
    page = client.get(f"/pupils/{mia.id}").get_data(as_text=True)
    assert "Under legal hold" in page and PLACED in page and "Lena Leader" in page
    assert f'action="/pupils/{mia.id}/legal-hold/lift"' in page
    lifted = client.post(f"/pupils/{mia.id}/legal-hold/lift", data={"reason": LIFTED})
    assert lifted.status_code == 302
    assert _state(app, mia.id) == (LIFTED, False, None)
    assert [entry[:5] for entry in _hold_entries(app)] == [
        ("place_legal_hold", leader.id, "pupil", mia.id, mia.id),
        ("lift_legal_hold", leader.id, "pupil", mia.id, mia.id),
    ]
    assert set(_hold_entries(app)[0][5]) == set(HOLD_FIELDS)
    audit = _all_audit_text(app)
    assert "OSPREY" not in audit and "WREN" not in audit


@pytest.mark.parametrize("role", [Role.ADMIN, Role.STAFF, Role.GOVERNOR, Role.TRUST_LEADER])
def test_other_roles_cannot_place_or_lift_a_hold(app, client, auth, make_user, leavers_world, role):
    """R25: admins (separation of duties), staff, governors and trust leaders are refused."""
    _hold(app, leavers_world.peer.id, PLACED, leavers_world.leader.id)
    auth.login(make_user(role, school=leavers_world.school).email)
    mia, pip = leavers_world.mentee.id, leavers_world.peer.id
    assert client.post(f"/pupils/{mia}/legal-hold", data={"reason": "x"}).status_code == 403
    assert client.post(f"/pupils/{pip}/legal-hold/lift", data={"reason": "x"}).status_code == 403
    assert _state(app, mia) == (None, False, None)
    assert _state(app, pip) == (PLACED, True, leavers_world.leader.id)
    assert len(_hold_entries(app)) == 1


def test_the_service_refuses_anyone_but_the_schools_leaders(app, make_user, leavers_world):
    other_leader = make_user(Role.LEADER, school=leavers_world.other_school)
    admin = make_user(Role.ADMIN, school=leavers_world.school)
    for person in (other_leader, admin):
        with app.app_context(), pytest.raises(RecordRuleError, match="leaders"):
            place_hold(
                db.session.get(Pupil, leavers_world.mentee.id),
                "x",
                by=db.session.get(User, person.id),
            )
    assert _state(app, leavers_world.mentee.id) == (None, False, None)


@pytest.mark.parametrize("role", [Role.STAFF, Role.ADMIN])
def test_staff_and_admins_see_nothing_of_a_hold(app, client, auth, make_user, leavers_world, role):
    _hold(app, leavers_world.mentee.id, PLACED, leavers_world.leader.id)
    auth.login(make_user(role, school=leavers_world.school).email)
    page = client.get(f"/pupils/{leavers_world.mentee.id}")
    assert page.status_code == 200
    body = page.get_data(as_text=True).lower()
    assert "legal hold" not in body and "osprey" not in body and "legal-hold" not in body


def test_a_second_hold_and_lifting_no_hold_are_refused(app, client, auth, leavers_world):
    mia = leavers_world.mentee.id
    auth.login(leavers_world.leader.email)
    lift = client.post(
        f"/pupils/{mia}/legal-hold/lift", data={"reason": LIFTED}, follow_redirects=True
    )
    assert "not under a legal hold" in lift.get_data(as_text=True)
    client.post(f"/pupils/{mia}/legal-hold", data={"reason": PLACED})
    again = client.post(
        f"/pupils/{mia}/legal-hold", data={"reason": "Another"}, follow_redirects=True
    )
    assert "already under a legal hold" in again.get_data(as_text=True)
    assert _state(app, mia) == (PLACED, True, leavers_world.leader.id)
    assert [entry[0] for entry in _hold_entries(app)] == ["place_legal_hold"]


def test_a_reason_is_required_both_ways(app, client, auth, leavers_world):
    mia = leavers_world.mentee.id
    auth.login(leavers_world.leader.email)
    assert client.post(f"/pupils/{mia}/legal-hold", data={"reason": "  "}).status_code == 302
    assert _state(app, mia) == (None, False, None)
    _hold(app, mia, PLACED, leavers_world.leader.id)
    assert client.post(f"/pupils/{mia}/legal-hold/lift", data={"reason": ""}).status_code == 302
    assert _state(app, mia) == (PLACED, True, leavers_world.leader.id)


def test_hold_routes_are_post_only(client, auth, leavers_world):
    auth.login(leavers_world.leader.email)
    assert client.get(f"/pupils/{leavers_world.mentee.id}/legal-hold").status_code == 405
    assert client.get(f"/pupils/{leavers_world.mentee.id}/legal-hold/lift").status_code == 405


def test_another_schools_pupil_is_not_found(app, client, auth, leavers_world):
    other = leavers_world.other_pupil.id
    auth.login(leavers_world.leader.email)
    assert client.post(f"/pupils/{other}/legal-hold", data={"reason": PLACED}).status_code == 404
    assert client.post(f"/pupils/{other}/legal-hold/lift", data={"reason": "x"}).status_code == 404
    assert _state(app, other) == (None, False, None)


class TestWithCsrf:
    @pytest.fixture
    def app_config_overrides(self):
        return {"WTF_CSRF_ENABLED": True, "RETENTION_LEGAL_HOLD": ()}

    def test_a_hold_needs_the_forms_csrf_token(self, app, client, leavers_world):
        login_page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page)[1]
        client.post(
            "/login",
            data={"email": leavers_world.leader.email, "password": PASSWORD, "csrf_token": token},
        )
        url = f"/pupils/{leavers_world.mentee.id}/legal-hold"
        assert client.post(url, data={"reason": PLACED}).status_code == 400
        assert _state(app, leavers_world.mentee.id) == (None, False, None)
        page = client.get(f"/pupils/{leavers_world.mentee.id}").get_data(as_text=True)
        form = page[page.index(f'action="{url}"') :]
        fields = dict(re.findall(r'name="(csrf_token|form_nonce)"[^>]*value="([^"]+)"', form)[:2])
        assert client.post(url, data={"reason": PLACED, **fields}).status_code == 302
        assert _state(app, leavers_world.mentee.id) == (PLACED, True, leavers_world.leader.id)


# --- retention --------------------------------------------------------------------------------


@pytest.mark.requirement("R69")
def test_retention_far_in_the_future_leaves_a_held_pupil_untouched(app, runner, leavers_world):
    _hold(app, leavers_world.mentee.id, PLACED, leavers_world.leader.id)
    before = _about(app, leavers_world.mentee.id)
    assert NOTE in str(before) and all(before.values())  # a record of every kind
    with freeze_time(FAR_FUTURE):
        result = runner.invoke(args=["apply-retention"])
    assert result.exit_code == 0, result.output
    assert _about(app, leavers_world.mentee.id) == before  # name, UPN, birthday, every record
    with app.app_context():
        pip = db.session.get(Pupil, leavers_world.peer.id)
        assert (pip.legal_surname, pip.upn) == (REMOVED, f"x{leavers_world.peer.id}")
        entry = db.session.scalar(
            sa.select(AuditEntry).where(AuditEntry.action == "apply_retention")
        )
        assert entry.changes["held_pupils"] == 1 and "Menteeson" not in str(entry.changes)
    assert set(_run(app).values()) == {0}  # a second run changes nothing
    assert _about(app, leavers_world.mentee.id) == before


def test_a_held_peer_mentor_or_kindness_giver_keeps_those_records(app, leavers_world):
    _hold(app, leavers_world.peer.id, PLACED, leavers_world.leader.id)
    _run(app)
    with app.app_context():
        mp = MentoringPairing
        goals = dict(
            db.session.execute(
                sa.select(mp.mentor_pupil_id, mp.mentor_goals).where(
                    mp.mentee_id == leavers_world.mentee.id
                )
            ).all()
        )
        # Mia's pairing with Pip as her peer mentor is kept; the one with staff is blanked.
        assert goals == {leavers_world.peer.id: f"Peer's own goal {NOTE}", None: ""}
        moments = dict(
            db.session.execute(
                sa.select(KindnessGiver.pupil_id, KindnessMoment.description).join(
                    KindnessGiver, KindnessGiver.moment_id == KindnessMoment.id
                )
            ).all()
        )
        assert moments == {leavers_world.peer.id: "Shared a snack", leavers_world.mentee.id: ""}
        assert db.session.get(Pupil, leavers_world.peer.id).legal_surname == "Peerington"
        assert db.session.get(Pupil, leavers_world.mentee.id).legal_surname == REMOVED


@pytest.mark.requirement("R69")
def test_lifting_the_hold_lets_the_next_run_anonymise(app, leavers_world):
    mia = leavers_world.mentee.id
    _hold(app, mia, PLACED, leavers_world.leader.id)
    _run(app)
    _hold(app, mia, LIFTED, leavers_world.leader.id, change=lift_hold)
    counts = _run(app)
    assert counts["pupils"] == 1 and counts["exclusion-risk flags"] == 1
    with app.app_context():
        pupil = db.session.get(Pupil, mia)
        assert (pupil.legal_surname, pupil.legal_hold_reason) == (REMOVED, None)
        assert NOTE not in db.session.get(RiskFlag, leavers_world.ids["flag"]).protective_factors
    assert set(_run(app).values()) == {0}


def test_the_dry_run_counts_held_pupils_without_naming_them(app, runner, leavers_world):
    _hold(app, leavers_world.mentee.id, PLACED, leavers_world.leader.id)
    before = _about(app, leavers_world.peer.id)
    with freeze_time(FAR_FUTURE):
        result = runner.invoke(args=["apply-retention", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Pupils under their own legal hold (not touched): 1." in result.output
    assert "Menteeson" not in result.output and "Mia" not in result.output
    assert _about(app, leavers_world.peer.id) == before


# --- the roll import and the subject access export ---------------------------------------------


def test_a_roll_import_never_clears_a_hold(app, make_school, make_user):
    assert not set(IMPORTED_FIELDS) & set(HOLD_FIELDS)
    school = make_school()
    leader = make_user(Role.LEADER, school=school)
    _import(app, school.id, [row(1), row(2)])
    with app.app_context():
        ids = {p.upn: p.id for p in db.session.scalars(sa.select(Pupil))}
    for n in (1, 2):
        _hold(app, ids[upn(n)], PLACED, leader.id)
    _import(app, school.id, [row(1, **{"Legal Surname": "Renamed"})], mark_leavers=True)
    with app.app_context():
        renamed, leaver = db.session.get(Pupil, ids[upn(1)]), db.session.get(Pupil, ids[upn(2)])
        assert renamed.legal_surname == "Renamed" and leaver.leaving_date is not None
    for n in (1, 2):
        assert _state(app, ids[upn(n)]) == (PLACED, True, leader.id)


def _import(app, school_id: int, rows: list[dict], *, mark_leavers: bool = False) -> None:
    with app.app_context():
        school = db.session.get(School, school_id)
        parsed = parse_roll(csv_bytes(rows), "roll.csv", today=date(2026, 11, 22))
        assert parsed.ok, parsed.errors[:3]
        plan = import_services.preview_import(school, parsed, mark_leavers=mark_leavers, by=None)
        import_services.apply_import(
            school, plan, mark_leavers=mark_leavers, by=None, file_name="roll.csv", sha256="ab" * 32
        )
        db.session.commit()


def test_subject_access_shows_the_hold_and_governors_never_see_it(
    app, client, auth, make_user, leavers_world
):
    _hold(app, leavers_world.mentee.id, PLACED, leavers_world.leader.id)
    auth.login(leavers_world.leader.email)
    fields = dict(
        (r[0], r[1])
        for r in workbook_rows(
            client.get(f"/reports/pupils/{leavers_world.mentee.id}/subject-access.xlsx").data
        )["Pupil"]
    )
    assert fields["Legal hold reason"] == PLACED and fields["Legal hold"].startswith("Yes")
    peer = workbook_rows(
        client.get(f"/reports/pupils/{leavers_world.peer.id}/subject-access.xlsx").data
    )
    assert not any(r[0].startswith("Legal hold") for r in peer["Pupil"])
    auth.logout()
    auth.login(make_user(Role.GOVERNOR, school=leavers_world.school).email)
    assert (
        client.get(f"/reports/pupils/{leavers_world.mentee.id}/subject-access.xlsx").status_code
        == 403
    )
    workbook = client.get("/reports/governors.xlsx?term=autumn-2026")
    assert workbook.status_code == 200
    assert "OSPREY" not in str(workbook_rows(workbook.data))
