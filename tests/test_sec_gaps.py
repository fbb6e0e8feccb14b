"""Small security gaps closed together: R15, R77, R42/R9/R74, R59, R85 and R62."""

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from freezegun import freeze_time
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from config import DEV_SECRET_KEY, ProductionConfig
from school_tracker import create_app
from school_tracker.auth.services import issue_activation_code
from school_tracker.extensions import db
from school_tracker.logging_setup import SECURITY_LOGGER
from school_tracker.models import (
    MentoringSession,
    Pupil,
    RiskAction,
    Role,
    RollImport,
    School,
    User,
)
from school_tracker.reports.named.export import export_named_records
from tests.conftest import PASSWORD, make_config, production_config
from tests.factories.accounts import activate, age_sign_in, sent_to_confirm
from tests.factories.imports import roll_csv
from tests.factories.mentoring import TODAY, make_pairing
from tests.factories.risk import make_flag, seed_reference
from tests.support.logs import security_events

TOKEN = re.compile(r'name="([a-z]+-)?csrf_token" type="hidden" value="([^"]+)"')
NONCE = re.compile(r'name="form_nonce" type="hidden" value="([^"]+)"')
TERM = "autumn-2026"


def _upload(client, data: bytes):
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), filename="roll.csv")})
    return client.post(
        "/imports/", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def _count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


# --- R15: bulk import and the audit page need a fresh sign-in --------------------------------


@pytest.mark.requirement("R15")
def test_r15_a_stale_session_cannot_open_or_upload_to_the_import_page(app, client, login_as):
    login_as(Role.ADMIN)
    age_sign_in(client)
    assert sent_to_confirm(client.get("/imports/"))
    assert sent_to_confirm(_upload(client, roll_csv(2)))
    assert _count(app, RollImport) == 0
    client.post("/account/confirm", data={"current": PASSWORD})
    assert _upload(client, roll_csv(2)).status_code == 302
    assert _count(app, RollImport) == 1


@pytest.mark.requirement("R15")
def test_r15_a_stale_session_cannot_confirm_an_import(app, client, login_as):
    admin = login_as(Role.ADMIN)
    preview = _upload(client, roll_csv(3))
    assert preview.status_code == 302
    import_id = preview.headers["Location"].rsplit("/", 1)[-1]
    age_sign_in(client)
    assert sent_to_confirm(client.post(f"/imports/{import_id}/confirm"))
    assert _count(app, Pupil, Pupil.school_id == admin.school_id) == 0
    client.post("/account/confirm", data={"current": PASSWORD})
    assert client.post(f"/imports/{import_id}/confirm").status_code == 302
    assert _count(app, Pupil, Pupil.school_id == admin.school_id) == 3


@pytest.mark.requirement("R15")
@pytest.mark.parametrize("role", [Role.ADMIN, Role.LEADER])
def test_r15_the_audit_log_needs_a_fresh_sign_in(client, login_as, role):
    login_as(role)
    assert client.get("/audit/").status_code == 200
    age_sign_in(client)
    assert sent_to_confirm(client.get("/audit/"))
    client.post("/account/confirm", data={"current": PASSWORD})
    assert client.get("/audit/").status_code == 200


# --- R77: search and roll upload are rate-limited per person ----------------------------------


def _friendly_429(response) -> bool:
    body = response.get_data(as_text=True)
    return response.status_code == 429 and "Too many attempts" in body and "reference" in body


class TestSearchLimit:
    @pytest.fixture
    def app_config_overrides(self):
        return {"SEARCH_LIMIT": "3 per minute"}

    @pytest.mark.requirement("R77")
    def test_r77_the_fourth_search_in_a_minute_gets_the_friendly_429(
        self, app, client, make_school, make_user, auth
    ):
        school = make_school()
        staff, colleague = (make_user(Role.STAFF, school=school) for _ in range(2))
        auth.login(staff.email)
        statuses = [client.post("/pupils/", data={"query": f"name{n}"}) for n in range(4)]
        assert [r.status_code for r in statuses[:3]] == [302, 302, 302]
        assert _friendly_429(statuses[3])
        assert client.get("/pupils/").status_code == 200  # reading the list is not limited
        other = app.test_client()
        other.post("/login", data={"email": colleague.email, "password": PASSWORD})
        assert other.post("/pupils/", data={"query": "name"}).status_code == 302  # per person


class TestUploadLimit:
    @pytest.fixture
    def app_config_overrides(self):
        return {"IMPORT_LIMIT": "2 per hour"}

    @pytest.mark.requirement("R77")
    def test_r77_the_third_upload_in_an_hour_gets_the_friendly_429(self, app, client, login_as):
        login_as(Role.ADMIN)
        responses = [_upload(client, roll_csv(1, start=n)) for n in (1, 2, 3)]
        assert [r.status_code for r in responses[:2]] == [302, 302]
        assert _friendly_429(responses[2])
        assert _count(app, RollImport) == 2


@pytest.mark.requirement("R77")
def test_r77_search_and_upload_limits_are_configured_for_every_environment():
    """The defaults are per person and generous: no real school reaches them."""
    for config in (ProductionConfig, make_config("sqlite://")):
        assert re.fullmatch(r"\d+ per (minute|hour)", config.SEARCH_LIMIT)
        assert re.fullmatch(r"\d+ per (minute|hour)", config.IMPORT_LIMIT)


# --- R42/R9 and R74: production refuses an open Host list and weak keys -----------------------


@pytest.mark.requirement("R42")
@pytest.mark.parametrize("hosts", [None, [], "tracker.example.org"])
def test_r42_production_will_not_start_without_a_trusted_hosts_list(database_url, hosts):
    with pytest.raises(RuntimeError, match="TRUSTED_HOSTS"):
        create_app(production_config(database_url, TRUSTED_HOSTS=hosts))


@pytest.mark.requirement("R42")
def test_r42_production_with_trusted_hosts_starts_and_refuses_other_hosts(make_app, database_url):
    hosts = ["tracker.example.org"]
    client = make_app(production_config(database_url, TRUSTED_HOSTS=hosts)).test_client()
    assert client.get("/healthz", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/healthz", headers={"Host": "tracker.example.org"}).status_code == 200


@pytest.mark.parametrize("old_key", ["short", DEV_SECRET_KEY, "é" * 15, ""])
def test_r74_production_refuses_a_weak_secret_key_fallback(database_url, old_key):
    fallbacks = ["o" * 48, old_key]
    with pytest.raises(RuntimeError, match="SECRET_KEY_FALLBACKS"):
        create_app(production_config(database_url, SECRET_KEY_FALLBACKS=fallbacks))


def test_r74_strong_fallbacks_and_a_key_of_32_bytes_are_accepted(make_app, database_url):
    key = "é" * 16  # 16 characters, 32 bytes in UTF-8: R74 counts bytes
    app = make_app(production_config(database_url, SECRET_KEY=key, SECRET_KEY_FALLBACKS=["o" * 48]))
    assert app.config["SECRET_KEY"] == key


def test_r74_a_key_of_31_bytes_is_refused(database_url):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(production_config(database_url, SECRET_KEY="é" * 15 + "x"))


# --- R59: logs -------------------------------------------------------------------------------


def test_r59_a_throttled_sign_in_never_logs_the_email(app, make_user, auth, logs):
    user = make_user(Role.STAFF, email="Ella.Address@example.org")
    for _ in range(5):
        auth.login(user.email, "wrong-password-here")
    assert auth.login(user.email.upper()).status_code == 429  # same account, any case
    limiter_lines = [r.getMessage() for r in logs.records if r.name == "flask-limiter"]
    assert any("login-account:" in line for line in limiter_lines)  # the key is logged
    for record in logs.records:
        line = record.getMessage().lower()
        assert "ella.address" not in line and "example.org" not in line, line


def test_r59_a_password_refused_at_activation_is_logged_without_the_password(app, make_user, logs):
    user = make_user(Role.STAFF)
    with app.app_context():
        code = issue_activation_code(db.session.get(User, user.id), by=None)
        db.session.commit()
    refused = activate(app.test_client(), user.email, code, "password1234")
    assert "common password" in refused.get_data(as_text=True)
    [record] = security_events(logs, "password_refused")
    assert (record.user_id, record.school_id, record.outcome) == (
        str(user.id),
        str(user.school_id),
        "failure",
    )
    assert record.getMessage() == f"password_refused user {user.id} rule=too_weak"


def test_r59_a_password_refused_on_change_is_logged_without_the_password(client, login_as, logs):
    staff = login_as(Role.STAFF)
    client.post("/account/", data={"current": PASSWORD, "password": "short1", "confirm": "short1"})
    [record] = security_events(logs, "password_refused")
    assert record.user_id == str(staff.id) and "rule=too_short" in record.getMessage()
    assert "short1" not in " ".join(r.getMessage() for r in logs.records)


def test_r59_a_password_refused_at_the_command_line_is_logged(app, runner, make_school, logs):
    make_school("oakfield", "Oakfield Primary")
    result = runner.invoke(
        args=["create-user", "--school", "oakfield", "--email", "a@x.org", "--role", "admin"],
        input="oakfield2026!\noakfield2026!\n",
    )
    assert result.exit_code == 1
    [record] = security_events(logs, "password_refused")
    assert "rule=context_word" in record.getMessage()
    assert "oakfield2026" not in " ".join(r.getMessage() for r in logs.records)


def test_r59_a_policy_403_is_one_structured_log_line(client, login_as, logs):
    login_as(Role.STAFF)
    logs.clear()
    assert client.get("/audit/").status_code == 403
    lines = [r for r in logs.records if "audit_log.index" in r.getMessage()]
    assert [(r.name, getattr(r, "event", None)) for r in lines] == [
        (SECURITY_LOGGER, "access_denied")
    ]


# --- R85: every form that saves carries the per-render nonce -----------------------------------


@pytest.fixture
def csrf_app(make_app, database_url, app):
    return make_app(make_config(database_url, WTF_CSRF_ENABLED=True))


def _signed_in(app, user):
    client = app.test_client()
    token = TOKEN.search(client.get("/login").get_data(as_text=True))[2]
    data = {"email": user.email, "password": PASSWORD, "csrf_token": token}
    assert client.post("/login", data=data).status_code == 302
    return client


def _form_block(page: str, action: str | None) -> str:
    """The inside of the form posting to `action` (None: the page's form without one)."""
    target = f'action="{re.escape(action)}"' if action else "novalidate"
    match = re.search(rf'<form method="post"[^>]*{target}[^>]*>(.*?)</form>', page, re.S)
    assert match, action
    return match[1]


def _hidden(page: str, action: str | None) -> dict[str, str]:
    block = _form_block(page, action)
    prefix, token = TOKEN.search(block).groups()
    nonce = NONCE.search(block)
    return {f"{prefix or ''}csrf_token": token, "form_nonce": nonce[1] if nonce else ""}


def test_r85_two_session_forms_loaded_in_the_same_second_both_save_and_a_resend_saves_once(
    app, csrf_app, make_school, make_user, make_pupil
):
    school = make_school()
    mentor = make_user(Role.STAFF, school=school)
    pairing_id = make_pairing(app, make_pupil(school), mentor, starts_on=TODAY - timedelta(30))
    client = _signed_in(csrf_app, mentor)
    url = f"/mentoring/{pairing_id}/sessions/new"
    with freeze_time(datetime.now(UTC)):  # one instant: Flask-WTF gives both the same token
        first, second = (_hidden(client.get(url).get_data(as_text=True), None) for _ in range(2))
    assert first["csrf_token"] == second["csrf_token"]
    session = {
        "held_on": (TODAY - timedelta(days=1)).isoformat(),
        "minutes": "40",
        "activities": "Built a den in the garden.",
    }
    for form in (first, second, first):  # the last is a resend of the first
        assert client.post(url, data={**session, **form}).status_code == 302
    assert _count(app, MentoringSession) == 2


@pytest.mark.requirement("R85")
def test_r85_a_resent_risk_action_saves_once(app, csrf_app, make_school, make_user, make_pupil):
    """The action form is prefixed ("action-csrf_token"); its token must still be claimed."""
    seed_reference(app)
    school = make_school()
    leader = make_user(Role.LEADER, school=school)
    flag_id = make_flag(app, make_pupil(school), leader)
    client = _signed_in(csrf_app, leader)
    url = f"/risk/{flag_id}/actions"
    hidden = _hidden(client.get(f"/risk/{flag_id}").get_data(as_text=True), url)
    action = {
        "action-description": "Daily check-in",
        "action-owner": str(leader.id),
        "action-due_on": (TODAY + timedelta(days=7)).isoformat(),
        **hidden,
    }
    for _ in range(2):
        assert client.post(url, data=action).status_code == 302
    assert _count(app, RiskAction) == 1


@pytest.mark.requirement("R85")
def test_r85_every_saving_form_renders_a_nonce(app, csrf_app, make_school, make_user, make_pupil):
    seed_reference(app)
    school = make_school()
    admin, leader = make_user(Role.ADMIN, school=school), make_user(Role.LEADER, school=school)
    pupil = make_pupil(school)
    flag_id = make_flag(app, pupil, leader)
    pages = {
        admin: [
            ("/admin/users/new", None),
            ("/admin/users", f"/admin/users/{leader.id}/role"),
            (f"/admin/terms/{TERM}", None),
            ("/interventions/catalogue/new", None),
        ],
        leader: [
            (f"/reports/pupils/{pupil.id}/transfer", f"/reports/pupils/{pupil.id}/transfer"),
            (f"/risk/{flag_id}", f"/risk/{flag_id}/actions"),
        ],
    }
    for user, forms in pages.items():
        client = _signed_in(csrf_app, user)
        for page, action in forms:
            block = _form_block(client.get(page).get_data(as_text=True), action)
            assert NONCE.search(block), (page, action)


# --- R62: whole-school exports on each pupil's "who has accessed" page -------------------------


def _access_rows(client, pupil_id: int) -> list[str]:
    page = client.get(f"/pupils/{pupil_id}/access")
    assert page.status_code == 200
    return re.findall(r"<tr>(.*?)</tr>", page.get_data(as_text=True), re.S)


def _leader_client(app, school, make_user, name: str):
    leader = make_user(Role.LEADER, school=school, full_name=name)
    client = app.test_client()
    assert client.post("/login", data={"email": leader.email, "password": PASSWORD}).status_code
    return client


@pytest.mark.requirement("R62")
def test_r62_a_whole_school_named_export_shows_on_each_pupils_access_page(
    app, make_school, make_user, make_pupil
):
    school, other = make_school(), make_school("riverside", "Riverside Academy")
    pupils = [make_pupil(school) for _ in range(2)]
    stranger = make_pupil(other)
    ours = _leader_client(app, school, make_user, "Lena Leader")
    theirs = _leader_client(app, other, make_user, "Rita Riverside")
    assert ours.get(f"/reports/named.xlsx?term={TERM}").status_code == 200
    assert theirs.get(f"/reports/named.xlsx?term={TERM}").status_code == 200
    later = make_pupil(school)  # added after the export, so it cannot have named them
    for pupil in pupils:
        [row] = [r for r in _access_rows(ours, pupil.id) if "Whole-school export" in r]
        assert "Lena Leader" in row and ">export<" in row
    assert not [r for r in _access_rows(ours, later.id) if "export" in r]
    [row] = [r for r in _access_rows(theirs, stranger.id) if "Whole-school export" in r]
    assert "Rita Riverside" in row  # and never Oakfield's export


@pytest.mark.requirement("R62")
def test_r62_a_trust_wide_export_shows_for_pupils_of_the_schools_it_covered(
    app, make_school, make_user, make_pupil
):
    school, sister = make_school(), make_school("riverside", "Riverside Academy")
    outside = make_school("hilltop", "Hilltop School")
    pupil, outsider = make_pupil(school), make_pupil(outside)
    with app.app_context():
        covered = [db.session.get(School, s.id) for s in (school, sister)]
        export_named_records(covered, TERM, False, by=None, out=io.BytesIO())
        db.session.commit()
    rows = _access_rows(_leader_client(app, school, make_user, "Lena Leader"), pupil.id)
    assert len([r for r in rows if "Trust-wide export" in r]) == 1
    rows = _access_rows(_leader_client(app, outside, make_user, "Hal Hilltop"), outsider.id)
    assert not [r for r in rows if "export" in r]
