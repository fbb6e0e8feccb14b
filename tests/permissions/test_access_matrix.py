"""Access control, tenancy and safe methods (R17-R27, R39).

The role x endpoint x method matrix is generated from the policies the views register with
`@allow(...)` (read back through the URL map), not from a separate policy file: the policy
sits beside the code it guards, so it cannot drift from it, and a new endpoint without one is
refused to everyone (and fails test_access.py). Every request here is a real signed-in request
to a concrete URL built with real ids.

The two schools (and their records) are built once per module by `world`, on the module's own
app; tests that change accounts use the per-test `app` fixture instead, and `world` rebuilds
itself if one of those has emptied the tables in between.
"""

import io
import re
import time
import zipfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import count

import pyotp
import pytest
import sqlalchemy as sa
from flask import url_for

from school_tracker import create_app
from school_tracker.admin.schools import ensure_reference_data
from school_tracker.auth import totp
from school_tracker.auth.passwords import hash_password
from school_tracker.calendar.term_dates import calendar_for
from school_tracker.calendar.terms import school_today
from school_tracker.dashboard.figures import TABLE_SOURCES, build_dashboard
from school_tracker.dashboard.selection import default_term_key
from school_tracker.demo.school import make_upn
from school_tracker.extensions import db
from school_tracker.imports import services as import_services
from school_tracker.imports.parser import parse_roll
from school_tracker.interventions.catalogue import ensure_intervention_types
from school_tracker.models import (
    Agency,
    AgencyInvolvement,
    Alert,
    AlertKind,
    CarerRelationship,
    Exclusion,
    ExclusionKind,
    ExclusionReason,
    Gender,
    Intervention,
    InterventionMode,
    InterventionParticipant,
    InterventionStatus,
    InterventionType,
    KindnessGiver,
    KindnessMoment,
    KindnessMomentValue,
    KindnessValue,
    KindPersonKind,
    LearningRecord,
    MeetingFrequency,
    MentoringPairing,
    MentoringSession,
    MentorKind,
    ParentConversation,
    Pupil,
    RegistrationGroupStaff,
    ReinstatementReview,
    ReviewTrigger,
    RiskAction,
    RiskFactor,
    RiskFlag,
    RiskLevel,
    RiskStatus,
    Role,
    School,
    SenStatus,
    TransferRecord,
    Trust,
    User,
    YearGroup,
)
from school_tracker.permissions import PUBLIC_ENDPOINTS
from school_tracker.records.reference_lists import ensure_school_lists
from tests.conftest import PASSWORD, make_config
from tests.factories.imports import csv_bytes, row
from tests.support.published import pdf_text

# Marker strings: each must reach only the people the requirement names.
B_MARK = "RIVERSIDE-ONLY-8842"  # in every free-text field and staff name of school B
A_NOTE = "OAKNOTE-5521"  # school A's restricted record text (mentoring, interventions, ...)
RISK_MARK = "HERON-RATIONALE-6610"  # school A's flag rationale and agency details (R21)
TODAY = school_today()

# --- the registered policies, read once at collection ---------------------------------------

_POLICY_APP = create_app(make_config("sqlite://"))
RULES = sorted(
    (r for r in _POLICY_APP.url_map.iter_rules() if r.endpoint not in PUBLIC_ENDPOINTS),
    key=lambda r: (r.rule, r.endpoint),
)


def _allowed(endpoint: str) -> frozenset[Role]:
    return getattr(_POLICY_APP.view_functions[endpoint], "allowed_roles", frozenset())


def _methods(rule) -> list[str]:
    return sorted(rule.methods & {"GET", "POST"})


# Route arguments naming a record, and the key of the world's id for it. A new argument name
# fails every test that builds that route until it is added here with a real object.
OBJECT_ARGS = {
    "alert_id": "alert",
    "pupil_id": "pupil",
    "flag_id": "flag",
    "action_id": "action",
    "exclusion_id": "exclusion",
    "review_id": "review",
    "conversation_id": "conversation",
    "involvement_id": "involvement",
    "import_id": "import",
    "intervention_id": "intervention",
    "participant_id": "participant",
    "type_id": "type",
    "moment_id": "moment",
    "record_id": "learning",
    "pairing_id": "pairing",
    "session_id": "meeting",
    "user_id": "target",
    "transfer_id": "transfer",
    "assignment_id": "assignment",
    "value_id": "agency",  # a value of the school's own list (admin reference data)
}
# Arguments that name no record (the same for every school).
PLAIN_ARGS = {
    "key": lambda: _term_key(),
    "table_key": lambda: next(iter(TABLE_SOURCES)),
    "section": lambda: "reach",
    "list_name": lambda: "agencies",
}
# Query strings a route needs to do its real work (exports need a term).
QUERIES = {
    "reports.governors_workbook": lambda: {"term": _term_key()},
    "reports.governors_summary": lambda: {"term": _term_key()},
    "reports.trust_workbook": lambda: {"term": _term_key()},
    "reports.named_export": lambda: {"term": _term_key(), "whole_year": "1"},
    "dashboard.pupils": lambda: {"figure": "reached:any"},
    "dashboard.records": lambda: {"figure": "running:any"},
}
# An alert is its recipient's alone (the world's is its staff member's): to anyone else,
# whatever their role's policy reaches, it is not found.
OWNER_ONLY = {"alerts.open_record", "alerts.read"}
# Routes that end the session by design (their redirect to the login page is success).
SIGNS_OUT = {"auth.logout", "admin.end_all_sessions"}
MATRIX_CASES = [
    pytest.param(rule, method, role, id=f"{rule.endpoint}-{method}-{role.value}")
    for rule in RULES
    for method in _methods(rule)
    for role in Role
]
OBJECT_RULES = [rule for rule in RULES if set(rule.arguments) & set(OBJECT_ARGS)]


def _term_key() -> str:
    return default_term_key()  # the schools keep the default term dates


# --- the world: two schools with colliding pupil names ----------------------------------------


@dataclass
class Side:
    """One school's ids and its people's e-mail addresses (detached, safe across tests)."""

    school_id: int
    slug: str
    upn: str
    users: dict[Role | str, str] = field(default_factory=dict)  # role or name -> e-mail
    user_ids: dict[Role | str, int] = field(default_factory=dict)
    ids: dict[str, int | str] = field(default_factory=dict)


@dataclass
class World:
    a: Side
    b: Side
    trust_leader: str


_serial = count(1)
_addresses = count(1)


def _user(school: School, role: Role, name: str) -> User:
    user = User(
        trust_id=school.trust_id,
        school_id=None if role is Role.TRUST_LEADER else school.id,
        email=f"{name.split()[0].lower()}{next(_serial)}@{school.slug}.example.org",
        full_name=name,
        role=role,
        password_hash=hash_password(PASSWORD),
    )
    db.session.add(user)
    return user


def _side(trust: Trust, slug: str, *, mark: str, rationale: str, tag: str, upn_base: int) -> Side:
    """A school, its people and one record of every type, all naming the same child.

    `mark` goes in restricted record text, `rationale` in the flag's rationale and agency
    details, and `tag` in people's names, the import's file name and the (openly shown)
    kindness moment.
    """
    school = School(trust=trust, slug=slug, name=f"{slug.title()} School")
    db.session.add(school)
    db.session.flush()
    ensure_school_lists(school.id)
    people = {
        Role.STAFF: _user(school, Role.STAFF, f"Sam Staff {tag}"),
        Role.LEADER: _user(school, Role.LEADER, f"Lee Leader {tag}"),
        Role.GOVERNOR: _user(school, Role.GOVERNOR, f"Gil Governor {tag}"),
        Role.ADMIN: _user(school, Role.ADMIN, f"Ada Admin {tag}"),
        "other_staff": _user(school, Role.STAFF, f"Olu Other {tag}"),
        "target": _user(school, Role.STAFF, f"Tam Target {tag}"),
    }
    pupil = Pupil(  # the same name and birthday in both schools; only the UPN differs
        school_id=school.id,
        upn=make_upn(938, 2003, 20, upn_base),
        legal_surname="Colliding",
        legal_forename="Alex",
        date_of_birth=date(2017, 5, 4),
        gender=Gender.FEMALE,
        year_group=YearGroup.Y3,
        registration_group="3A",
        sen_status=SenStatus.NONE,
    )
    db.session.add(pupil)
    db.session.flush()
    staff, leader = people[Role.STAFF], people[Role.LEADER]
    ensure_intervention_types(school.id)
    db.session.flush()
    kind = db.session.scalar(
        sa.select(InterventionType).where(InterventionType.school_id == school.id).limit(1)
    )
    common = dict(school_id=school.id, created_by_id=staff.id)
    pairing = MentoringPairing(
        **common,
        mentee_id=pupil.id,
        mentor_kind=MentorKind.STAFF,
        mentor_user_id=staff.id,
        mentee_goals=f"Make a friend {mark}",
        mentor_goals=f"Listen {mark}",
        starts_on=TODAY - timedelta(days=20),
        frequency=MeetingFrequency.WEEKLY,
    )
    intervention = Intervention(
        **common,
        type_id=kind.id,
        mode=InterventionMode.GROUP,
        lead_id=staff.id,
        start_date=TODAY - timedelta(days=20),
        review_date=TODAY + timedelta(days=20),
        status=InterventionStatus.ACTIVE,
        pupil_voice=f"Pupil voice {mark}",
        notes=f"Notes {mark}",
    )
    flag = RiskFlag(
        **common,
        pupil_id=pupil.id,
        raised_by_id=staff.id,
        raised_on=TODAY - timedelta(days=10),
        level=RiskLevel.HIGH,
        status=RiskStatus.OPEN,
        review_on=TODAY + timedelta(days=10),
        protective_factors=f"Loves football {rationale}",
        agency_notes=f"Early Help worker assigned {rationale}",
    )
    flag.agencies = list(
        db.session.scalars(sa.select(Agency).where(Agency.school_id == school.id).limit(2))
    )
    flag.risk_factors = list(
        db.session.scalars(sa.select(RiskFactor).where(RiskFactor.school_id == school.id).limit(1))
    )
    flag.named_staff = [staff]
    reason = db.session.scalar(sa.select(ExclusionReason).where(ExclusionReason.code == "DB"))
    exclusion = Exclusion(
        school_id=school.id,
        created_by_id=leader.id,
        pupil_id=pupil.id,
        kind=ExclusionKind.SUSPENSION,
        start_date=TODAY - timedelta(days=3),
        sessions=2,
        reason_1_id=reason.id,
    )
    conversation = ParentConversation(
        **common,
        pupil_id=pupil.id,
        carer_name=f"Jo Parent {mark}",
        led_by_id=staff.id,
        carer_relationship=CarerRelationship.MOTHER,
        held_on=TODAY - timedelta(days=4),
        family_said=f"Worried {mark}",
        follow_up_on=TODAY + timedelta(days=3),
    )
    learning = LearningRecord(
        **common,
        staff_id=staff.id,
        held_on=TODAY - timedelta(days=6),
        activity=f"Attachment training {mark}",
        hours_tenths=15,
        reflection=f"Useful {mark}",
    )
    moment = KindnessMoment(
        **common,
        giver_kind=KindPersonKind.PUPIL,
        giver_rows=[KindnessGiver(pupil_id=pupil.id)],
        receiver_name="The office team",
        description=f"Tidied the library {tag}",
        occurred_on=TODAY - timedelta(days=2),
    )
    transfer = TransferRecord(
        school_id=school.id, pupil_id=pupil.id, created_by_id=leader.id, sent_to=f"Hill {mark}"
    )
    involvement = AgencyInvolvement(
        **common,
        pupil_id=pupil.id,
        agency_id=flag.agencies[0].id,
        referred_on=TODAY - timedelta(days=8),
        referred_by_id=staff.id,
        professional_contact=f"Clinician {mark}",
        next_step=f"Chase the letter {mark}",
    )
    db.session.add_all([pairing, intervention, flag, exclusion, conversation, learning, moment])
    db.session.add(involvement)
    db.session.add(transfer)
    db.session.flush()
    participant = InterventionParticipant(
        intervention_id=intervention.id, pupil_id=pupil.id, start_date=TODAY - timedelta(days=20)
    )
    action = RiskAction(
        flag_id=flag.id,
        description=f"Call home {mark}",
        owner_id=staff.id,
        due_on=TODAY + timedelta(days=5),
        created_by_id=staff.id,
    )
    meeting = MentoringSession(
        pairing_id=pairing.id,
        school_id=school.id,
        held_on=TODAY - timedelta(days=5),
        minutes=30,
        activities=f"Chess {mark}",
        mentee_voice=f"I liked it {mark}",
        mentor_reflection=f"Good {mark}",
        created_by_id=staff.id,
    )
    alert = Alert(
        recipient_id=staff.id,
        school_id=school.id,
        kind=AlertKind.FLAG_NAMED,
        raised_by_id=leader.id,
        record_type="risk_flag",
        record_id=flag.id,
    )
    review = ReinstatementReview(  # the world's governor sits on this one panel
        school_id=school.id,
        pupil_id=pupil.id,
        exclusion_id=exclusion.id,
        trigger=ReviewTrigger.PUBLIC_EXAM,
        board_notified_on=TODAY - timedelta(days=2),
        representations="",
        decision_reasons="",
        panel=[people[Role.GOVERNOR]],
    )
    db.session.add_all(
        [
            review,
            alert,
            participant,
            action,
            meeting,
            KindnessMomentValue(moment=moment, value=KindnessValue.FRIENDSHIP),
        ]
    )
    db.session.flush()
    # My class: a colleague not named on the flag tutors the child's group (R21 walks their
    # class page); the target's assignment is the one the admin's remove button may delete.
    class_staff = [
        RegistrationGroupStaff(school_id=school.id, registration_group="3A", user_id=people[key].id)
        for key in ("other_staff", "target")
    ]
    db.session.add_all(class_staff)
    db.session.flush()
    # A real previewed roll import by the admin (imports are visible only to their uploader).
    parsed = parse_roll(csv_bytes([row(upn_base + 500, **{"Legal Surname": "Newcomer"})]), "r.csv")
    roll_import, _ = import_services.start_preview(
        school, parsed, file_name=f"roll-{slug}{tag}.csv", sha256="0" * 64, by=people[Role.ADMIN]
    )
    db.session.flush()
    side = Side(school_id=school.id, slug=slug, upn=pupil.upn)
    for key, person in people.items():
        side.users[key], side.user_ids[key] = person.email, person.id
    side.ids = {"import": roll_import.id}
    side.ids.update(
        alert=alert.id,
        pupil=pupil.id,
        flag=flag.id,
        action=action.id,
        exclusion=exclusion.id,
        conversation=conversation.id,
        involvement=involvement.id,
        agency=involvement.agency_id,
        intervention=intervention.id,
        participant=participant.id,
        type=kind.id,
        moment=moment.id,
        learning=learning.id,
        pairing=pairing.id,
        meeting=meeting.id,
        target=people["target"].id,
        transfer=transfer.id,
        review=review.id,
        assignment=class_staff[1].id,
    )
    return side


def _empty_tables() -> None:
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())


def _build_world() -> World:
    _empty_tables()
    ensure_reference_data()
    trust = Trust(name="Matrix Trust")
    db.session.add(trust)
    db.session.flush()
    a = _side(trust, "oakmatrix", mark=A_NOTE, rationale=RISK_MARK, tag="", upn_base=100)
    b = _side(trust, "rivermatrix", mark=B_MARK, rationale=B_MARK, tag=B_MARK, upn_base=200)
    school_a = db.session.get(School, a.school_id)
    trust_leader = _user(school_a, Role.TRUST_LEADER, "Tia Trust")
    db.session.commit()
    return World(a=a, b=b, trust_leader=trust_leader.email)


@pytest.fixture(scope="module")
def matrix_app(database_url):
    application = create_app(make_config(database_url))
    yield application
    with application.app_context():
        _empty_tables()
        db.session.remove()
        db.engine.dispose()


_built: dict[str, World] = {}


@pytest.fixture
def world(matrix_app) -> World:
    """The two schools, rebuilt only if a per-test `app` fixture emptied the tables."""
    with matrix_app.app_context():
        current = _built.get("world")
        intact = (
            current is not None
            and db.session.scalar(
                sa.select(User.id).where(User.email == current.a.users[Role.STAFF])
            )
            == current.a.user_ids[Role.STAFF]
        )
        db.session.remove()  # release SQLite's write lock before the tables are emptied
        if not intact:
            _built["world"] = _build_world()
        db.session.remove()
    return _built["world"]


def _client(application, email: str):
    """A client signed in through the real login form (its own address: no rate limit)."""
    n = next(_addresses)
    client = application.test_client()
    client.environ_base["REMOTE_ADDR"] = f"127.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302 and "/login" not in response.headers["Location"]
    return client


def _email(world: World, role: Role) -> str:
    """School A's person of a role (the trust leader belongs to no school)."""
    return world.trust_leader if role is Role.TRUST_LEADER else world.a.users[role]


def _url(application, rule, side: Side, **query) -> str:
    """A concrete URL for a rule, with the side's real ids."""
    values = {}
    for arg in rule.arguments:
        if arg in OBJECT_ARGS:
            values[arg] = side.ids[OBJECT_ARGS[arg]]
        elif arg in PLAIN_ARGS:
            values[arg] = PLAIN_ARGS[arg]()
        else:
            pytest.fail(f"{rule.endpoint}: no fixture object for route argument <{arg}>")
    extra = QUERIES.get(rule.endpoint, dict)()
    with application.test_request_context():
        return url_for(rule.endpoint, **values, **extra, **query)


def _refused(response) -> bool:
    return response.status_code in (403, 404)


def _sent_to_login(response) -> bool:
    return response.status_code == 302 and "/login" in response.headers.get("Location", "")


def _body(response) -> str:
    """The response text; an .xlsx is unzipped and a PDF's text read, so they are searched too."""
    data = response.get_data()
    if data[:5] == b"%PDF-":
        return pdf_text(data)
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    return data.decode("utf-8", "replace")


# --- R17: deny by default -------------------------------------------------------------------


@pytest.mark.requirement("R17")
def test_public_allowlist_is_only_sign_in_health_and_static():
    """R17: the only endpoints open without a session are signing in (password, second factor,
    first-password activation, password reset by e-mail), the health check and static files."""
    assert {
        "auth.login",
        "auth.two_factor",
        "auth.activate",
        "auth.password_reset",
        "auth.password_reset_with_token",
        "main.healthz",
        "static",
        "bootstrap.static",
    } == PUBLIC_ENDPOINTS


@pytest.mark.requirement("R17")
@pytest.mark.parametrize(
    ("rule", "method"),
    [pytest.param(r, m, id=f"{r.endpoint}-{m}") for r in RULES for m in _methods(r)],
)
def test_anonymous_requests_with_real_ids_go_to_login(matrix_app, world, rule, method):
    """R17: with real record ids, an anonymous GET or POST to any other endpoint is sent to
    the login page, never answered."""
    response = matrix_app.test_client().open(_url(matrix_app, rule, world.a), method=method)
    assert _sent_to_login(response), response.status_code


# --- R18: the matrix ------------------------------------------------------------------------


@pytest.mark.requirement("R18")
@pytest.mark.parametrize(("rule", "method", "role"), MATRIX_CASES)
def test_policy_matrix(matrix_app, world, rule, method, role):
    """R18: refused (403) exactly when the endpoint's policy leaves the role out; never a 500."""
    client = _client(matrix_app, _email(world, role))
    response = client.open(_url(matrix_app, rule, world.a), method=method)
    assert response.status_code < 500
    if role in _allowed(rule.endpoint) and rule.endpoint in OWNER_ONLY and role is not Role.STAFF:
        assert response.status_code == 404
    elif role in _allowed(rule.endpoint):
        assert not _refused(response), response.status_code
        assert rule.endpoint in SIGNS_OUT or not _sent_to_login(response)
    else:
        assert response.status_code == 403


@pytest.mark.requirement("R18")
def test_matrix_covers_every_role_and_policed_endpoint():
    """R18: the matrix is built from the URL map, so a new endpoint joins it automatically."""
    endpoints = {case.values[0].endpoint for case in MATRIX_CASES}
    assert endpoints == {r.endpoint for r in _POLICY_APP.url_map.iter_rules()} - PUBLIC_ENDPOINTS
    assert {case.values[2] for case in MATRIX_CASES} == set(Role)
    assert all(_allowed(endpoint) for endpoint in endpoints)


# --- R19: another school's objects, lists, searches and exports --------------------------------


@pytest.mark.requirement("R19")
@pytest.mark.parametrize(
    ("rule", "method"),
    [
        pytest.param(rule, method, id=f"{rule.endpoint}-{method}")
        for rule in OBJECT_RULES
        for method in _methods(rule)
    ],
)
def test_another_schools_object_ids_are_not_found(matrix_app, world, rule, method):
    """R19: every role the policy admits gets 404 for school B's ids, GET and POST alike."""
    roles = _allowed(rule.endpoint) - {Role.TRUST_LEADER}
    assert roles, rule.endpoint
    # A's own record with B's child record (an action, a participant) is not found either.
    mixed = Side(0, "", "", ids={**world.a.ids, "action": world.b.ids["action"]})
    mixed.ids["participant"] = world.b.ids["participant"]
    sides = [world.b, mixed] if {"action_id", "participant_id"} & set(rule.arguments) else [world.b]
    for role in roles:
        client = _client(matrix_app, _email(world, role))
        for side in sides:
            response = client.open(_url(matrix_app, rule, side), method=method)
            assert response.status_code == 404, (role, side is mixed, response.status_code)


def _plain_get_rules(role: Role) -> list:
    return [
        rule
        for rule in RULES
        if "GET" in rule.methods
        and not set(rule.arguments) & set(OBJECT_ARGS)
        and role in _allowed(rule.endpoint)
        and rule.endpoint not in SIGNS_OUT
    ]


def _other_school_traces(world: World) -> list[str]:
    b = world.b
    traces = [B_MARK, b.upn]
    for prefix, key in [
        ("/pupils/", "pupil"),
        ("/mentoring/", "pairing"),
        ("/interventions/", "intervention"),
        ("/risk/", "flag"),
        ("/exclusions/", "exclusion"),
        ("/families/", "conversation"),
        ("/agencies/", "involvement"),
        ("/kindness/", "moment"),
        ("/learning/", "learning"),
    ]:
        traces.append(f'"{prefix}{b.ids[key]}"')
        traces.append(f'"{prefix}{b.ids[key]}/')
    return traces


PUPIL_OPTION = re.compile(r'<option[^>]*value="(\d+)"[^>]*>\s*Colliding')


@pytest.mark.requirement("R19")
@pytest.mark.parametrize("role", [Role.STAFF, Role.LEADER, Role.ADMIN, Role.GOVERNOR])
def test_lists_searches_dashboards_and_exports_never_show_another_school(matrix_app, world, role):
    """R19, R20: every list, search, picker, dashboard and export a school A role can open,
    even with school B named in the query string or a header, shows nothing of school B."""
    b_leader = _client(matrix_app, world.b.users[Role.LEADER])  # B's own activity, audited
    assert b_leader.get(f"/pupils/{world.b.ids['pupil']}").status_code == 200
    client = _client(matrix_app, _email(world, role))
    if role in _allowed("pupils.index"):
        client.post("/pupils/", data={"query": "Colliding"})
    tamper = {"school_id": world.b.school_id, "school": world.b.slug}
    headers = {"X-School-Id": str(world.b.school_id)}
    rules = _plain_get_rules(role)
    assert rules
    for rule in rules:
        response = client.get(_url(matrix_app, rule, world.a, **tamper), headers=headers)
        assert response.status_code < 500, rule.endpoint
        body = _body(response)
        for trace in _other_school_traces(world):
            assert trace not in body, (rule.endpoint, trace)
        # Both children are "Colliding, Alex": a picker may offer only school A's.
        assert set(PUPIL_OPTION.findall(body)) <= {str(world.a.ids["pupil"])}, rule.endpoint
    if role in _allowed("pupils.index"):
        found = client.get("/pupils/").get_data(as_text=True)
        assert f'"/pupils/{world.a.ids["pupil"]}"' in found  # the search did find A's child


@pytest.mark.requirement("R19")
def test_pupil_search_by_the_other_schools_upn_finds_nothing(matrix_app, world):
    """R19: searching for school B's child by UPN in school A comes back empty."""
    client = _client(matrix_app, world.a.users[Role.LEADER])
    client.post("/pupils/", data={"query": world.b.upn})
    body = client.get("/pupils/").get_data(as_text=True)
    assert body.count(world.b.upn) == 1  # only where the search box shows what was typed
    assert "Colliding" not in body and f'"/pupils/{world.b.ids["pupil"]}"' not in body


# --- R21, R22, R25: need to know ----------------------------------------------------------------


def _get_rules(role: Role) -> list:
    return [
        rule
        for rule in RULES
        if "GET" in rule.methods
        and role in _allowed(rule.endpoint)
        and rule.endpoint not in SIGNS_OUT
    ]


@pytest.mark.requirement("R21")
@pytest.mark.parametrize(
    ("person", "hidden", "names"),
    [
        pytest.param(Role.STAFF, [RISK_MARK], False, id="named-staff"),
        pytest.param("other_staff", [RISK_MARK, A_NOTE], False, id="other-staff"),
        pytest.param(Role.ADMIN, [RISK_MARK, A_NOTE], False, id="admin"),
        pytest.param(Role.GOVERNOR, [RISK_MARK, A_NOTE], True, id="governor"),
        pytest.param(Role.TRUST_LEADER, [RISK_MARK, A_NOTE, B_MARK], True, id="trust-leader"),
    ],
)
def test_restricted_text_reaches_no_one_without_the_need_to_know(
    matrix_app, world, person, hidden, names
):
    """R21, R22, R24, R25: the flag rationale and agency details (leaders only), other staff's
    records (their lead, creator and leaders only) and, for governors and trust leaders, any
    pupil's name or UPN never appear in any page, list or download the person can open."""
    role = person if isinstance(person, Role) else Role.STAFF
    email = world.trust_leader if role is Role.TRUST_LEADER else world.a.users[person]
    client = _client(matrix_app, email)
    hidden = [*hidden, "Colliding", world.a.upn, world.b.upn] if names else hidden
    opened = 0
    for rule in _get_rules(role):
        if role is Role.GOVERNOR and rule.endpoint == "exclusions.download_pack":
            continue  # the panel's own pack names the child by design (see PANEL_PACK)
        response = client.get(_url(matrix_app, rule, world.a))
        assert response.status_code < 500, rule.endpoint
        opened += response.status_code == 200
        body = _body(response)
        for marker in hidden:
            assert marker not in body, (rule.endpoint, marker)
    assert opened >= 3


@pytest.mark.requirement("R21")
def test_leaders_do_see_the_markers(matrix_app, world):
    """R19, R21 (the other side, so the absence checks can fail): the markers are really on
    the flag page and in the named export, for school A's leaders."""
    client = _client(matrix_app, world.a.users[Role.LEADER])
    body = client.get(f"/risk/{world.a.ids['flag']}").get_data(as_text=True)
    assert RISK_MARK in body and A_NOTE in body
    rule = next(r for r in RULES if r.endpoint == "reports.named_export")
    export = _body(client.get(_url(matrix_app, rule, world.a)))
    assert RISK_MARK in export and A_NOTE in export and world.a.upn in export


@pytest.mark.requirement("R22")
def test_recording_staff_can_write_but_not_read_others_entries(matrix_app, world):
    """R22: a member of staff records a conversation with a family (302) and then sees only
    their own entry for that pupil, never the entries other staff wrote."""
    client = _client(matrix_app, world.a.users["other_staff"])
    pupil = world.a.ids["pupil"]
    response = client.post(
        "/families/new",
        data={
            "pupil_id": pupil,
            "carer_name": "Jo Parent",
            "carer_relationship": "mother",
            "led_by_id": world.a.user_ids["other_staff"],
            "held_on": (TODAY - timedelta(days=1)).isoformat(),
            "family_said": "MINE-7070 Glad to talk",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    for path in ["/families/", f"/pupils/{pupil}", "/mentoring/", "/interventions/", "/risk/", "/"]:
        body = client.get(path).get_data(as_text=True)
        assert A_NOTE not in body and RISK_MARK not in body, path
    assert "MINE-7070" in client.get(response.headers["Location"]).get_data(as_text=True)
    for key, prefix in [("conversation", "families"), ("pairing", "mentoring"), ("flag", "risk")]:
        assert client.get(f"/{prefix}/{world.a.ids[key]}").status_code == 404
    assert client.get(f"/interventions/{world.a.ids['intervention']}").status_code == 404


# Object routes any member of staff of the school may use: the pupil page, raising a flag
# for a pupil, and a kindness moment shown on the wall (kindness is celebrated openly).
OPEN_TO_ANY_STAFF = {"pupils.detail", "risk.raise_flag", "kindness.detail"}


@pytest.mark.requirement("R22")
@pytest.mark.parametrize(
    ("rule", "method"),
    [
        pytest.param(rule, method, id=f"{rule.endpoint}-{method}")
        for rule in OBJECT_RULES
        if Role.STAFF in _allowed(rule.endpoint) and rule.endpoint not in OPEN_TO_ANY_STAFF
        for method in _methods(rule)
    ],
)
def test_staff_cannot_open_records_others_lead_or_wrote(matrix_app, world, rule, method):
    """R22 (docs/design.md section 3): staff reach only the records they lead, take part in or
    created; a colleague gets 404 (403 for editing a shown kindness moment) on every other record
    route."""
    client = _client(matrix_app, world.a.users["other_staff"])
    response = client.open(_url(matrix_app, rule, world.a), method=method)
    assert _refused(response), response.status_code


# --- R20: the school comes from the server ------------------------------------------------------


def _learning_form(world: World, text: str) -> dict:
    return {
        "staff_id": world.a.user_ids[Role.STAFF],
        "held_on": (TODAY - timedelta(days=1)).isoformat(),
        "activity": text,
        "hours": "1.5",
    }


def _learning_rows(matrix_app, text: str) -> list[tuple[int, int, int]]:
    with matrix_app.app_context():
        rows = db.session.execute(
            sa.select(
                LearningRecord.school_id, LearningRecord.created_by_id, LearningRecord.id
            ).where(LearningRecord.activity == text)
        ).all()
        db.session.remove()
    return [tuple(r) for r in rows]


@pytest.mark.requirement("R20")
@pytest.mark.parametrize("how", ["form", "query", "json", "header"])
def test_school_id_sent_by_the_client_is_ignored(matrix_app, world, how):
    """R20: school_id (or a school slug) in a form, the query string, a JSON body or a header
    never moves a new record into another school."""
    client = _client(matrix_app, world.a.users[Role.STAFF])
    text = f"Tamper test by {how}"
    data = _learning_form(world, text)
    other = {"school_id": world.b.school_id, "school": world.b.slug}
    if how == "form":
        response = client.post("/learning/new", data={**data, **other})
    elif how == "query":
        response = client.post("/learning/new", query_string=other, data=data)
    elif how == "json":
        response = client.post("/learning/new", json={**data, **other})
    else:
        response = client.post(
            "/learning/new", data=data, headers={"X-School-Id": str(world.b.school_id)}
        )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    staff_id = world.a.user_ids[Role.STAFF]
    assert [(school, by) for school, by, _ in _learning_rows(matrix_app, text)] == [
        (world.a.school_id, staff_id)
    ]


@pytest.mark.requirement("R20")
def test_download_names_carry_the_school(matrix_app, world):
    """R20: every export's file name names the school it was built for."""
    client = _client(matrix_app, world.a.users[Role.LEADER])
    for endpoint in (
        "reports.named_export",
        "reports.governors_workbook",
        "reports.governors_summary",
        "reports.subject_access",
    ):
        rule = next(r for r in RULES if r.endpoint == endpoint)
        response = client.get(_url(matrix_app, rule, world.a))
        assert response.status_code == 200, endpoint
        assert f"filename={world.a.slug}_" in response.headers["Content-Disposition"], endpoint


@pytest.mark.requirement("R20")
def test_another_schools_ids_in_form_choices_are_refused(matrix_app, world):
    """R19, R20: naming school B's pupil or staff in a school A form writes nothing."""
    client = _client(matrix_app, world.a.users[Role.STAFF])
    text = "Tamper test by choice"
    data = {**_learning_form(world, text), "staff_id": world.b.user_ids[Role.STAFF]}
    assert client.post("/learning/new", data=data).status_code in (200, 400)
    response = client.post(
        "/families/new",
        data={
            "pupil_id": world.b.ids["pupil"],
            "carer_name": "Tamper Carer",
            "carer_relationship": "mother",
            "led_by_id": world.a.user_ids[Role.STAFF],
            "held_on": (TODAY - timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code in (200, 400)
    assert client.post("/risk/new", data={"pupil": world.b.ids["pupil"]}).status_code in (200, 400)
    mentoring = {
        "mentee": world.b.ids["pupil"],
        "mentor_kind": "staff",
        "mentor_user": world.a.user_ids[Role.STAFF],
        "mentor_relationship": "",
        "mentor_pupil": "",
        "mentee_goals": "Tamper goals",
        "mentor_goals": "To listen.",
        "priorities": ["P1"],
        "starts_on": TODAY.isoformat(),
        "frequency": "weekly",
    }
    assert client.post("/mentoring/new", data=mentoring).status_code in (200, 400)
    joined = client.post(
        f"/interventions/{world.a.ids['intervention']}/pupils/new",
        data={"pupil_id": world.b.ids["pupil"], "start_date": TODAY.isoformat()},
    )
    assert joined.status_code in (200, 400)
    assert _learning_rows(matrix_app, text) == []
    with matrix_app.app_context():
        b_pupil = world.b.ids["pupil"]
        written = [
            sa.select(sa.func.count()).where(ParentConversation.carer_name == "Tamper Carer"),
            sa.select(sa.func.count()).where(MentoringPairing.mentee_goals == "Tamper goals"),
            sa.select(sa.func.count()).where(
                InterventionParticipant.pupil_id == b_pupil,
                InterventionParticipant.intervention_id == world.a.ids["intervention"],
            ),
        ]
        assert [db.session.scalar(stmt) for stmt in written] == [0, 0, 0]
        db.session.remove()


# --- R24, R25: governors and admins -----------------------------------------------------------

PANEL_PACK = {"exclusions.my_panels", "exclusions.download_pack"}
# Aggregated (anonymised) reports plus the person's own account: all a governor may reach.
GOVERNOR_AGGREGATES = {
    "main.home",
    "alerts.index",
    "alerts.open_record",
    "alerts.read",
    "alerts.read_all",
    "account.index",
    "account.two_factor",
    "account.confirm",
    "account.email_alerts",
    "auth.logout",
    "dashboard.index",
    "dashboard.section",
    "dashboard.chart",
    "reports.index",
    "reports.governors_workbook",
    "reports.governors_summary",
    # The one named document a governor may have: the pack of a reinstatement panel they sit on
    # (docs/security.md R24's exception; tests/exclusions prove "this pack only" and the 403s).
    *PANEL_PACK,
}
NOTE_AND_FLAG_BLUEPRINTS = (
    "agencies.",
    "risk.",
    "exclusions.",
    "families.",
    "mentoring.",
    "interventions.",
    "intervention_pupils.",
    "intervention_sessions.",
    "learning.",
)


@pytest.mark.requirement("R24")
def test_governor_policy_reaches_only_aggregated_reports():
    """R24: no policy opens a pupil-level endpoint to governors."""
    opened = {r.endpoint for r in RULES if Role.GOVERNOR in _allowed(r.endpoint)}
    assert opened <= GOVERNOR_AGGREGATES


@pytest.mark.requirement("R24")
def test_governor_is_refused_every_pupil_level_route(matrix_app, world):
    """R24: walking the URL map, a governor gets 403/404 on every other route (GET and POST),
    including every /pupils/* and /interventions/* route (there is no /api/*)."""
    client = _client(matrix_app, world.a.users[Role.GOVERNOR])
    walked = [r for r in RULES if r.endpoint not in GOVERNOR_AGGREGATES]
    assert any(r.rule.startswith("/pupils/") for r in walked)
    assert any(r.rule.startswith("/interventions/") for r in walked)
    for rule in walked:
        for method in _methods(rule):
            response = client.open(_url(matrix_app, rule, world.a), method=method)
            assert _refused(response), (rule.endpoint, method, response.status_code)


@pytest.mark.requirement("R25")
def test_admin_is_refused_note_and_flag_routes(matrix_app, world):
    """R25: managing accounts and the roll gives an admin no way into notes or flags."""
    client = _client(matrix_app, world.a.users[Role.ADMIN])
    walked = [r for r in RULES if r.endpoint.startswith(NOTE_AND_FLAG_BLUEPRINTS)]
    assert {"risk.detail", "families.detail", "mentoring.detail"} <= {r.endpoint for r in walked}
    for rule in walked:
        for method in _methods(rule):
            response = client.open(_url(matrix_app, rule, world.a), method=method)
            assert response.status_code == 403, (rule.endpoint, method)


# --- R39: no state changes on safe methods -------------------------------------------------------

POST_ONLY = [rule for rule in RULES if "POST" in rule.methods and "GET" not in rule.methods]
# Actions that change state and must never answer a GET (R39's list, by endpoint).
STATE_CHANGING = {
    "auth.logout",
    "account.email_alerts",
    "alerts.read",
    "alerts.read_all",
    "admin.deactivate",
    "admin.reactivate",
    "admin.end_sessions",
    "admin.end_all_sessions",
    "admin.change_role",
    "admin.reset_term",
    "admin.remove_class_staff",
    "imports.confirm",
    "imports.refresh",
    "exclusions.cancel",
    "families.follow_up_done",
    "interventions.status",
    "intervention_catalogue.deactivate",
    "intervention_catalogue.reactivate",
    "kindness.show",
    "mentoring.pause",
    "mentoring.resume",
    "pupils.place_hold",
    "pupils.lift_hold",
    "reports.transfer_received",
    "risk.close",
    "risk.reopen",
    "risk.change_level",
    "risk.change_status",
    "risk.complete_action",
}


@pytest.mark.requirement("R39")
def test_state_changing_actions_are_post_only():
    """R39: logout, delete/deactivate, archive, import confirm and "mark done" are POST-only."""
    post_only = {rule.endpoint for rule in POST_ONLY}
    assert post_only >= STATE_CHANGING


@pytest.mark.requirement("R39")
@pytest.mark.parametrize("rule", [pytest.param(r, id=r.endpoint) for r in POST_ONLY])
def test_post_only_endpoints_refuse_get(matrix_app, world, rule):
    """R39: from the URL map, every POST-only endpoint answers GET with 405 (for a role that
    may POST to it), unless the same URL is also a separate read-only page."""
    role = (
        Role.LEADER
        if Role.LEADER in _allowed(rule.endpoint)
        else min(_allowed(rule.endpoint), key=lambda r: r.value)
    )
    client = _client(matrix_app, _email(world, role))
    url = _url(matrix_app, rule, world.a)
    shares_a_page = any(
        other.rule == rule.rule and "GET" in other.methods
        for other in _POLICY_APP.url_map.iter_rules()
    )
    response = client.get(url)
    if shares_a_page:
        assert response.status_code == 200
    else:
        assert response.status_code == 405


def _every_row(application) -> dict[str, list]:
    """Every row of every table but the audit log (reads are audited by design)."""
    with application.app_context():
        rows = {
            table.name: [tuple(r) for r in db.session.execute(sa.select(table)).all()]
            for table in db.metadata.sorted_tables
            if table.name != "audit_entries"
        }
        db.session.remove()
    return {name: sorted(values, key=repr) for name, values in rows.items()}


@pytest.mark.requirement("R39")
def test_no_get_request_changes_any_record(matrix_app, world):
    """R39: every GET route, opened by every role it admits, leaves every table (but the audit
    log of who looked) exactly as it was."""
    clients = {
        role: _client(matrix_app, _email(world, role)) for role in Role
    }  # signed in before the snapshot: a sign-in itself is a change
    before = _every_row(matrix_app)
    for rule in RULES:
        if "GET" not in rule.methods:
            continue
        for role in _allowed(rule.endpoint):
            response = clients[role].get(_url(matrix_app, rule, world.a))
            assert response.status_code < 500, (rule.endpoint, role)
    after = _every_row(matrix_app)
    changed = [name for name in before if before[name] != after[name]]
    assert changed == []


@pytest.mark.requirement("R39")
@pytest.mark.parametrize(
    ("path", "key", "check"),
    [
        ("/kindness/{}/hide", "moment", (KindnessMoment, "hidden", False)),
        ("/mentoring/{}/end", "pairing", (MentoringPairing, "ended_on", None)),
        (
            "/interventions/{intervention}/pupils/{participant}/withdraw",
            "participant",
            (InterventionParticipant, "withdrawn_on", None),
        ),
    ],
)
def test_confirmation_pages_change_nothing_on_get(matrix_app, world, path, key, check):
    """R39: actions whose GET shows a confirmation form leave the record as it was."""
    model, column, unchanged = check
    client = _client(matrix_app, world.a.users[Role.LEADER])
    url = path.format(world.a.ids[key], **world.a.ids)
    with matrix_app.app_context():
        before = db.session.get(model, world.a.ids[key])
        version = getattr(before, "version_id", None)
        db.session.remove()
    assert client.get(url).status_code == 200
    with matrix_app.app_context():
        after = db.session.get(model, world.a.ids[key])
        assert getattr(after, column) == unchanged
        assert getattr(after, "version_id", None) == version
        db.session.remove()


# --- R23: mass assignment (per-test tables) ------------------------------------------------------

EXTRA_FIELDS = {"role": "admin", "is_admin": "1", "created_by": "1", "version": "999"}


@pytest.mark.requirement("R23")
def test_profile_form_binds_only_its_own_fields(app, client, make_school, make_user, auth):
    """R23: the password form with role, school, admin, e-mail and version fields added
    changes the password and nothing else."""
    mine, theirs = make_school("mine"), make_school("theirs")
    user = make_user(Role.STAFF, school=mine)
    auth.login(user.email)
    response = client.post(
        "/account/",
        data={
            "current": PASSWORD,
            "password": "copper-lantern-orchard-91",
            "confirm": "copper-lantern-orchard-91",
            **EXTRA_FIELDS,
            "school_id": str(theirs.id),
            "email": "someone-else@example.org",
            "full_name": "Changed Name",
            "active": "0",
            "created_at": "2000-01-01",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        stored = db.session.get(User, user.id)
        assert (stored.role, stored.school_id, stored.email, stored.full_name, stored.active) == (
            Role.STAFF,
            mine.id,
            user.email,
            user.full_name,
            True,
        )
        assert stored.created_at == user.created_at


@pytest.mark.requirement("R23")
def test_intervention_form_binds_only_its_own_fields(
    app, client, make_school, make_user, auth, make_pupil
):
    """R23: a new intervention posted with school, creator, version, status and timestamp
    fields gets them from the server, and the poster's own account is untouched."""
    mine, theirs = make_school("mine"), make_school("theirs")
    staff = make_user(Role.STAFF, school=mine)
    pupil = make_pupil(mine)
    with app.app_context():
        ensure_intervention_types(mine.id)
        db.session.commit()
        kind = db.session.scalar(
            sa.select(InterventionType.id).where(InterventionType.school_id == mine.id).limit(1)
        )
    auth.login(staff.email)
    start = TODAY - timedelta(days=7)
    response = client.post(
        "/interventions/new",
        data={
            "type_id": kind,
            "mode": "individual",
            "pupil_ids": [pupil.id],
            "lead_id": staff.id,
            "frequency": "weekly",
            "funding_stream": "pupil_premium",
            "start_date": start.isoformat(),
            "review_date": (start + timedelta(days=42)).isoformat(),
            "notes": "Mass assignment probe",
            **EXTRA_FIELDS,
            "school_id": str(theirs.id),
            "created_by_id": "1",
            "version_id": "999",
            "status": "completed",
            "created_at": "2000-01-01T00:00:00",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with app.app_context():
        record = db.session.scalar(
            sa.select(Intervention).where(Intervention.notes == "Mass assignment probe")
        )
        assert (record.school_id, record.created_by_id, record.version_id) == (mine.id, staff.id, 1)
        assert record.status is not InterventionStatus.COMPLETED
        assert record.created_at.year == school_today().year
        assert db.session.get(User, staff.id).role is Role.STAFF


# --- R19: dashboards (per-test tables) ---------------------------------------------------------


def _figures(school_id: int) -> list:
    calendar = calendar_for(school_id)
    terms = calendar.recent(calendar.term_for(TODAY).key, 3)
    return [
        (table.key, row.key, row.values)
        for table in build_dashboard(school_id, terms).tables
        for row in table.rows
    ]


@pytest.mark.requirement("R19")
def test_dashboard_figures_ignore_another_schools_records(app):
    """R19: every dashboard figure (the numbers governors and leaders see, and the workbook
    is built from) is the same before and after another school records the same things."""
    with app.app_context():
        trust = Trust(name="Figures Trust")
        db.session.add(trust)
        a = _side(trust, "figures-a", mark=A_NOTE, rationale=RISK_MARK, tag="", upn_base=300)
        db.session.commit()
        before = _figures(a.school_id)
        _side(trust, "figures-b", mark=B_MARK, rationale=B_MARK, tag=B_MARK, upn_base=400)
        db.session.commit()
        assert _figures(a.school_id) == before
    assert sum(1 for *_, values in before if any(values)) >= 5  # the figures count A's records


# --- R26: authorisation changes apply on the next request ---------------------------------------


@pytest.mark.requirement("R26")
def test_role_and_school_changes_apply_on_the_next_request(app, make_school, make_user, make_pupil):
    """R26: the role and school are read from the database on every request, never the cookie:
    an already signed-in session loses access at once when either changes."""
    mine, theirs = make_school("mine"), make_school("theirs")
    pupil = make_pupil(mine)
    leader = make_user(Role.LEADER, school=mine)
    client = _client(app, leader.email)
    assert client.get(f"/pupils/{pupil.id}").status_code == 200
    assert client.get("/dashboard/").status_code == 200
    with app.app_context():  # a role change without ending sessions, as a direct DB edit would
        db.session.get(User, leader.id).role = Role.STAFF
        db.session.commit()
    assert client.get("/dashboard/").status_code == 403
    assert client.get(f"/pupils/{pupil.id}").status_code == 200
    with app.app_context():  # membership moved to the other school
        db.session.get(User, leader.id).school_id = theirs.id
        db.session.commit()
    assert client.get(f"/pupils/{pupil.id}").status_code == 404


@pytest.mark.requirement("R26")
def test_admin_role_change_and_deactivation_end_existing_sessions(app, make_school, make_user):
    """R26: what the admin pages do takes effect on the user's very next request."""
    school = make_school()
    member = make_user(Role.LEADER, school=school)
    other = make_user(Role.LEADER, school=school)
    admin = make_user(Role.ADMIN, school=school)
    member_client, other_client = _client(app, member.email), _client(app, other.email)
    admin_client = _client(app, admin.email)
    assert member_client.get("/dashboard/").status_code == 200
    admin_client.post(f"/admin/users/{member.id}/role", data={"role": "staff"})
    assert _sent_to_login(member_client.get("/dashboard/"))
    admin_client.post(f"/admin/users/{other.id}/deactivate")
    assert _sent_to_login(other_client.get("/"))


# --- R27: safe redirects ------------------------------------------------------------------------

OPEN_REDIRECTS = [
    "https%3A%2F%2Fevil.example%2F",
    "%2F%2Fevil.example",
    "%2F%5Cevil.example",
    "%5C%5Cevil.example",
    "%2F%09%2Fevil.example",
    "%2F%0D%0ALocation%3A%20https%3A%2F%2Fevil.example",
    "javascript%3Aalert(1)",
    "%252F%252Fevil.example",
    "https%3Aevil.example",
    "%2F%2F%2Fevil.example",
    "%EF%BC%8F%EF%BC%8Fevil.example",
    "http%3A%2F%2Flocalhost.evil.example%2F",
]


def _redirects(app, client, user, target: str) -> list[str]:
    """Where `next=target` leads after sign-in, re-confirmation and the second factor."""
    locations = []
    login = {"email": user.email, "password": PASSWORD}
    locations.append(client.post(f"/login?next={target}", data=login).headers["Location"])
    confirmed = client.post(f"/account/confirm?next={target}", data={"current": PASSWORD})
    locations.append(confirmed.headers["Location"])
    client.post("/logout")
    secret = pyotp.random_base32()
    with app.app_context():
        db.session.get(User, user.id).totp_secret_encrypted = totp.encrypt_secret(secret)
        db.session.commit()
    step = client.post(f"/login?next={target}", data=login).headers["Location"]
    assert step.startswith("/login/two-factor")
    code = pyotp.TOTP(secret).at(time.time() + 30)
    locations.append(client.post(step, data={"code": code}).headers["Location"])
    return locations


@pytest.mark.requirement("R27")
@pytest.mark.parametrize("target", OPEN_REDIRECTS)
def test_open_redirect_payloads_end_on_the_dashboard(app, client, make_user, target):
    """R27: absolute URLs, //host, backslashes, control characters, encoded schemes and
    look-alike slashes in `next` all land on the home page, at sign-in, at re-confirmation
    and at the second factor."""
    assert _redirects(app, client, make_user(Role.STAFF), target) == ["/", "/", "/"]


@pytest.mark.requirement("R27")
def test_a_local_next_path_is_kept(app, client, make_user):
    """R27 (the other side, so the payload test can fail): a same-site path is followed."""
    target = "%2Fpupils%2F%3Fyear%3D3"
    assert _redirects(app, client, make_user(Role.STAFF), target) == ["/pupils/?year=3"] * 3
