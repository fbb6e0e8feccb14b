"""No SQL built by string formatting (R35), hostile text escaped on every page (R33), and
polluted or impossible parameters never a 500 (R36)."""

import re

import pytest
import sqlalchemy as sa

import school_tracker
from school_tracker import ROOT
from school_tracker.calendar.terms import school_today
from school_tracker.extensions import db
from school_tracker.models import Role

TODAY = school_today()

# --- R35 SQL: no string formatting into SQL text ----------------------------------------------

SQL_FORMATTING = re.compile(
    r"""text\(\s*f["']|text\([^)]*(%|\.format\()|exec_driver_sql\(\s*f["']|execute\(\s*f["']"""
)


@pytest.mark.requirement("R35")
def test_r35_no_sql_is_built_by_string_formatting():
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in (ROOT / "school_tracker").rglob("*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if SQL_FORMATTING.search(line)
    ]
    assert offenders == []


@pytest.mark.requirement("R35")
def test_r35_sort_is_allowlisted_and_injection_text_finds_nobody(client, auth, people):
    auth.login(people["staff"].email)
    assert client.get("/pupils/?sort=year").status_code == 200
    assert client.get("/pupils/?sort=legal_surname").status_code == 400
    assert client.get("/pupils/?sort=name;DROP TABLE pupils").status_code == 400
    for term in ("%", "_", "' OR 1=1 --", "Okafor' --"):
        body = client.post(
            "/pupils/", data={"query": term, "submit": "Search"}, follow_redirects=True
        ).get_data(as_text=True)
        assert "0 pupils" in body, term


# --- R33 output encoding: hostile text in every stored text column, every page rendered -----

XSS = "<script>alert(1)</script><img src=x onerror=alert(2)>{{'zq'*3}}javascript:alert(3)"
XSS_SHORT = "<b id=x>{{'zq'*3}}"  # registration groups are 20 characters
RAW = ("<script>alert(1)", "<img src=x", "<b id=x>", "zqzqzq", '="javascript:')


def _text_columns():
    """Every column a person types into, by model: `?` only where set, `!` made unique."""
    m = school_tracker.models
    return {
        m.Trust: ["name"],
        m.School: ["name"],
        m.User: ["full_name"],
        m.Pupil: ["legal_surname", "legal_forename", "preferred_forename", "registration_group"],
        m.ParentConversation: ["carer_name", "family_said", "school_said", "agreed_actions"],
        m.KindnessMoment: ["giver_name?", "receiver_name?", "description", "hidden_reason?"],
        m.MentoringPairing: ["mentor_name?", "mentee_goals", "mentor_goals", "outcome_notes"],
        m.MentoringSession: ["activities", "mentee_voice", "mentor_reflection"],
        m.LearningRecord: ["activity", "reflection"],
        m.Exclusion: ["cancel_reason"],
        m.ExclusionFollowUp: ["attended", "agreed", "pupil_views", "parent_views", "provider?"],
        m.ReinstatementReview: ["representations", "decision_reasons"],
        m.TransferRecord: ["sent_to"],
        m.InterventionType: ["name!"],  # unique in a school: the id is appended
        m.RegistrationGroupStaff: ["registration_group"],  # the same hostile group as the pupils
        # The school's own lists, named by its admins (measures and CPD focus areas among them)
        m.ReferenceValue: ["name!"],
        m.Agency: ["name"],
        m.RiskFactor: ["name"],
        m.Intervention: [
            "intended_outcome",
            "stop_reason",
            "pupil_voice",
            "parent_voice",
            "notes",
        ],
        m.InterventionParticipant: ["withdrawn_reason"],
        m.RiskFlag: ["protective_factors", "agency_notes"],
        m.RiskLevelChange: ["reason"],
        m.RiskStatusChange: ["reason"],
        m.RiskAction: ["description"],
        m.AgencyInvolvement: [
            "professional_role",
            "professional_contact",
            "next_step",
            "outcome_notes",
        ],
    }


@pytest.fixture
def hostile(app, make_school, make_user, make_pupil):
    """The export tests' school (a record of every kind), then XSS in every text column."""
    from tests.factories.exports import build_world

    world = build_world(app, make_school, make_user, make_pupil)
    m = school_tracker.models
    with app.app_context():
        s, staff = world.school.id, world.staff.id
        db.session.add_all(
            [
                m.RegistrationGroupStaff(school_id=s, registration_group="x", user_id=staff),
                m.KindnessMoment(
                    school_id=s,
                    giver_kind=m.KindPersonKind.STAFF,
                    giver_name="x",
                    receiver_pupil_id=world.mentee.id,
                    description="x",
                    occurred_on=TODAY,
                    created_by_id=staff,
                    hidden=True,
                    hidden_reason="x",
                    hidden_at=school_tracker.orm.utcnow(),
                ),
                m.MentoringPairing(
                    school_id=s,
                    mentee_id=world.peer.id,
                    mentor_kind=m.MentorKind.ADULT,
                    mentor_name="x",
                    mentor_relationship=m.AdultRelationship.VOLUNTEER,
                    mentee_goals="x",
                    mentor_goals="x",
                    starts_on=TODAY,
                    frequency=m.MeetingFrequency.WEEKLY,
                    created_by_id=staff,
                ),
                m.TransferRecord(
                    school_id=s, pupil_id=world.left.id, created_by_id=world.leader.id, sent_to="x"
                ),
                m.AgencyInvolvement(
                    school_id=s,
                    pupil_id=world.mentee.id,
                    agency_id=db.session.scalar(
                        sa.select(sa.func.min(m.Agency.id)).where(m.Agency.school_id == s)
                    ),
                    referred_on=TODAY,
                    referred_by_id=staff,
                    created_by_id=staff,
                ),
            ]
        )
        exclusion = db.session.scalar(sa.select(m.Exclusion).where(m.Exclusion.school_id == s))
        db.session.add_all(  # the return and the governors' meeting after the world's suspension
            [
                m.ExclusionFollowUp(
                    school_id=s, exclusion_id=exclusion.id, provider="x", provision_from=TODAY
                ),
                m.ReinstatementReview(
                    school_id=s,
                    pupil_id=exclusion.pupil_id,
                    exclusion_id=exclusion.id,
                    trigger=m.ReviewTrigger.PUBLIC_EXAM,
                    board_notified_on=exclusion.start_date,
                ),
            ]
        )
        db.session.flush()
        for model, columns in _text_columns().items():
            for column in columns:
                name = column.rstrip("?!")
                size = getattr(model, name).type.length or 10_000
                value = sa.literal(XSS if size >= len(XSS) else XSS_SHORT)
                if column.endswith("!"):
                    value = value + sa.cast(model.id, sa.String)
                update = sa.update(model).values({name: value})
                if column.endswith("?"):
                    update = update.where(getattr(model, name).is_not(None))
                db.session.execute(update)
        db.session.commit()
        ids = {
            "pupil_id": world.mentee.id,
            "pairing_id": world.ids["staff_pairing"],
            "flag_id": world.ids["flag"],
            "intervention_id": world.ids["group"],
            "participant_id": db.session.scalar(
                sa.select(sa.func.min(m.InterventionParticipant.id)).where(
                    m.InterventionParticipant.intervention_id == world.ids["group"]
                )
            ),
        }
        for arg, model in {
            "moment_id": m.KindnessMoment,
            "conversation_id": m.ParentConversation,
            "record_id": m.LearningRecord,
            "exclusion_id": m.Exclusion,
            "involvement_id": m.AgencyInvolvement,
            "review_id": m.ReinstatementReview,
            "type_id": m.InterventionType,
            "assignment_id": m.RegistrationGroupStaff,
        }.items():
            ids[arg] = db.session.scalar(
                sa.select(sa.func.min(model.id)).where(model.school_id == s)
            )
    from school_tracker.dashboard.figures import TABLE_SOURCES

    # Alerts are their recipient's alone; another's id is a 404 page, which must not be a 500.
    ids.update(table_key=next(iter(TABLE_SOURCES)), key="autumn-2026", import_id="none", alert_id=1)
    ids.update(section="reach")  # a dashboard section
    ids.update(list_name="agencies")  # one of the school's reference lists (admin)
    with app.app_context():
        ids["value_id"] = db.session.scalar(
            sa.select(sa.func.min(m.Agency.id)).where(m.Agency.school_id == world.school.id)
        )
    ids.update(token="not-a-reset-token")  # an unknown reset link is a page, never a 500
    with app.app_context():
        ids["session_id"] = db.session.scalar(
            sa.select(sa.func.min(m.MentoringSession.id)).where(
                m.MentoringSession.pairing_id == world.ids["staff_pairing"]
            )
        )
    world.ids.update(ids)
    return world


def _get_pages(app, ids: dict, query: str = "") -> list[str]:
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in ("static", "bootstrap.static"):
            continue
        paths.append(rule.build(ids, append_unknown=False)[1] + query)
    return sorted(paths)


@pytest.mark.requirement("R33")
@pytest.mark.parametrize("role", ["leader", "staff", "admin", "governor", "trust_leader"])
def test_r33_hostile_text_is_escaped_on_every_page(app, client, auth, make_user, hostile, role):
    user = {"leader": hostile.leader, "staff": hostile.staff}.get(role) or make_user(
        Role(role), school=hostile.school
    )
    assert auth.login(user.email).status_code == 302
    escaped = 0
    for path in _get_pages(app, hostile.ids):
        response = client.get(path)
        assert response.status_code != 500, path
        kind = response.mimetype
        if kind in ("text/html", "image/svg+xml", "application/json", "text/plain"):
            body = response.get_data(as_text=True)
            assert [raw for raw in RAW if raw in body] == [], path
            escaped += "&lt;script&gt;alert(1)" in body or "&lt;b id=x&gt;" in body
        response.close()
    assert escaped >= {"leader": 15, "staff": 10}.get(role, 1)  # the payload was shown


# --- R36 parameter pollution and type confusion --------------------------------------------

POLLUTED = (
    "?page=abc&page=2&year=abc&year=2026&status=x&status=live&type=abc&term=zz&term=x"
    "&staff=abc&pupil=abc&pupil_id=abc&group=x&group=y&figure=x&level=x&show=x&due=x"
    "&overdue=x&whole_year=x&sort=name;DROP&next=//evil.example"
)
HUGE_NUMBERS = f"?page={10**30}&year={10**30}&type={10**30}&staff={10**30}&pupil={10**30}"


@pytest.mark.requirement("R36")
def test_r36_polluted_queries_and_huge_numbers_are_never_a_500(app, client, auth, hostile):
    assert auth.login(hostile.leader.email).status_code == 302
    for query in (POLLUTED, HUGE_NUMBERS):
        for path in _get_pages(app, hostile.ids, query):
            response = client.get(path)
            assert response.status_code in (200, 302, 400, 403, 404, 429), path
            response.close()
    assert client.get("/audit/" + HUGE_NUMBERS).status_code == 400
    assert client.get(f"/audit/?page=000000000000{10**30}").status_code == 400
    assert client.get("/audit/?page=0000000000002").status_code == 200


@pytest.mark.requirement("R36")
@pytest.mark.parametrize("big", [2**31, 2**63, 10**30])
def test_r36_ids_no_row_can_have_are_404_not_500(app, client, auth, hostile, big):
    assert auth.login(hostile.leader.email).status_code == 302
    huge = {key: big if isinstance(value, int) else value for key, value in hostile.ids.items()}
    paths = [path for path in _get_pages(app, huge) if str(big) in path]
    assert len(paths) > 15
    for path in paths:
        assert client.get(path).status_code == 404, path
