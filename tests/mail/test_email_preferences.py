"""Each person chooses how their alerts reach them by e-mail, on their own account page.

The choice is theirs alone (no one else's account can be changed from it), audited, and
honoured by the outbox: immediate e-mails, held for the daily digest, or none but account
security. Every message goes through the real aiosmtpd server and the privacy scan (conftest).
"""

import re

import pytest
import sqlalchemy as sa

from school_tracker.alerts.services import raise_alert
from school_tracker.extensions import db
from school_tracker.mail.sender import send_due_messages
from school_tracker.models import Alert, AlertKind, AuditEntry, EmailAlerts, Role, User
from tests.conftest import make_config
from tests.factories.risk import make_flag, seed_reference

KIND_NAMED = "You were named on an exclusion-risk flag"


def _choice_of(app, user: User) -> EmailAlerts:
    with app.app_context():
        choice = db.session.get_one(User, user.id).email_alerts
        db.session.remove()
    return choice


def _checked(page: str) -> list[str]:
    """The values of the ticked e-mail choices on the account page."""
    inputs = re.findall(r"<input [^>]*>", page)
    return [
        re.search(r'value="(\w+)"', tag)[1]
        for tag in inputs
        if 'name="email-choice"' in tag and "checked" in tag
    ]


def _choose(client, choice: str, **extra):
    return client.post("/account/email-alerts", data={"email-choice": choice, **extra})


def _audits(app, user: User) -> list[tuple[int | None, int | None, dict | None]]:
    with app.app_context():
        rows = db.session.execute(
            sa.select(AuditEntry.actor_id, AuditEntry.entity_id, AuditEntry.changes)
            .where(AuditEntry.action == "email_alerts_changed")
            .order_by(AuditEntry.id)
        ).all()
        db.session.remove()
    return [tuple(row) for row in rows if row.actor_id == user.id]


def _set_choice(app, user: User, choice: EmailAlerts) -> None:
    with app.app_context():
        db.session.get_one(User, user.id).email_alerts = choice
        db.session.commit()


def test_everyone_starts_with_immediate_emails_and_the_page_shows_it(
    app, client, make_user, auth, smtp
):
    user = make_user(Role.STAFF)
    auth.login(user.email)
    page = client.get("/account/").get_data(as_text=True)
    assert _choice_of(app, user) is EmailAlerts.IMMEDIATE
    assert "E-mails about your alerts" in page
    assert _checked(page) == ["immediate"]
    assert "E-mail is off" not in page  # this app has a MAIL_SERVER


@pytest.mark.parametrize("role", [Role.STAFF, Role.LEADER, Role.ADMIN, Role.GOVERNOR])
def test_a_person_chooses_the_digest_and_it_is_audited(app, client, make_user, auth, role, smtp):
    user = make_user(role)
    auth.login(user.email)
    response = _choose(client, "digest")
    assert response.status_code == 302 and response.location.endswith("/account/")
    assert "Your e-mail choice is saved: One summary e-mail a day." in client.get(
        "/account/"
    ).get_data(as_text=True)
    assert _choice_of(app, user) is EmailAlerts.DIGEST
    assert _checked(client.get("/account/").get_data(as_text=True)) == ["digest"]
    assert _audits(app, user) == [(user.id, user.id, {"email_alerts": ["immediate", "digest"]})]


def test_choosing_what_is_already_chosen_changes_and_audits_nothing(
    app, client, make_user, auth, smtp
):
    user = make_user(Role.STAFF)
    auth.login(user.email)
    assert _choose(client, "immediate").status_code == 302
    assert "nothing changed" in client.get("/account/").get_data(as_text=True)
    assert _audits(app, user) == []


@pytest.mark.parametrize(
    "choice",
    ["", "weekly", "IMMEDIATE", "none\x00", "x" * 5000],
    ids=["empty", "weekly", "upper", "nul", "long"],
)
def test_a_choice_not_offered_is_refused_beside_the_field_and_saves_nothing(
    app, client, make_user, auth, choice, smtp
):
    user = make_user(Role.STAFF)
    auth.login(user.email)
    response = _choose(client, choice)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="email-choice-error"' in page and "Please correct the following" in page
    assert _choice_of(app, user) is EmailAlerts.IMMEDIATE and _audits(app, user) == []


def test_only_your_own_choice_changes_whatever_else_is_posted(
    app, client, make_school, make_user, auth, smtp
):
    school = make_school("mine")
    me = make_user(Role.LEADER, school=school)
    colleague = make_user(Role.STAFF, school=school)
    stranger = make_user(Role.STAFF, school=make_school("theirs"))
    auth.login(me.email)
    for other in (colleague, stranger):
        response = _choose(
            client, "none", user_id=str(other.id), id=str(other.id), email=other.email
        )
        assert response.status_code == 302
    assert _choice_of(app, me) is EmailAlerts.NONE
    assert _choice_of(app, colleague) is EmailAlerts.IMMEDIATE
    assert _choice_of(app, stranger) is EmailAlerts.IMMEDIATE


def test_signed_out_the_choice_cannot_be_posted(app, client, make_user, smtp):
    user = make_user(Role.STAFF)
    response = _choose(client, "none")
    assert response.status_code == 302 and "/login" in response.location
    assert _choice_of(app, user) is EmailAlerts.IMMEDIATE


def test_with_email_off_the_page_says_so_and_the_choice_is_still_kept(
    database_url, make_app, make_user, smtp
):
    off = make_app(make_config(database_url))  # no MAIL_SERVER
    user = make_user(Role.STAFF)
    client = off.test_client()
    client.post("/login", data={"email": user.email, "password": "violet-harbour-engine-42"})
    page = client.get("/account/").get_data(as_text=True)
    assert "E-mail is off" in page
    assert _choose(client, "digest").status_code == 302
    assert _choice_of(off, user) is EmailAlerts.DIGEST


# --- the outbox honours each choice --------------------------------------------------------


@pytest.fixture
def three_choices(app, school, make_user, make_pupil) -> dict:
    """A leader, and three staff who chose immediate, digest and none."""
    seed_reference(app)
    staff = {
        choice: make_user(Role.STAFF, school=school, full_name=f"{choice.value.title()} Teacher")
        for choice in EmailAlerts
    }
    for choice, user in staff.items():
        _set_choice(app, user, choice)
    return {
        "leader": make_user(Role.LEADER, school=school, full_name="Lena Leader"),
        "staff": staff,
        "pupil": make_pupil(school, legal_surname="Okafor", legal_forename="Tayo"),
    }


def _send(app) -> None:
    with app.app_context():
        send_due_messages()
        db.session.remove()


def test_a_flag_emails_at_once_only_who_chose_immediate_and_alerts_all_three(
    app, three_choices, smtp
):
    staff = three_choices["staff"]
    make_flag(app, three_choices["pupil"], three_choices["leader"], named=list(staff.values()))
    _send(app)
    assert [m.to for m in smtp.received] == [[staff[EmailAlerts.IMMEDIATE].email]]
    assert smtp.received[0].subject == f"School tracker: {KIND_NAMED}"
    with app.app_context():
        alerts = {
            a.recipient_id: a.awaits_digest
            for a in db.session.scalars(sa.select(Alert).where(Alert.kind == AlertKind.FLAG_NAMED))
        }
    # Everyone has the in-app alert; only the digest-chooser's waits for a digest.
    assert alerts == {
        staff[EmailAlerts.IMMEDIATE].id: False,
        staff[EmailAlerts.DIGEST].id: True,
        staff[EmailAlerts.NONE].id: False,
    }


@pytest.mark.requirement("R8")
@pytest.mark.parametrize(
    "kind",
    [
        AlertKind.PASSWORD_CHANGED,
        AlertKind.TWO_FACTOR_ON,
        AlertKind.TWO_FACTOR_OFF,
        AlertKind.ROLE_CHANGED,
        AlertKind.SIGNED_OUT_EVERYWHERE,
    ],
)
def test_account_security_is_emailed_at_once_whatever_was_chosen(app, three_choices, kind, smtp):
    staff = three_choices["staff"]
    with app.app_context():
        for user in staff.values():
            raise_alert(db.session.get_one(User, user.id), kind, by=None)
        db.session.commit()
    _send(app)
    assert sorted(m.to[0] for m in smtp.received) == sorted(u.email for u in staff.values())
    assert {m.subject for m in smtp.received} == {f"School tracker: {kind.label}"}


@pytest.mark.requirement("R9")
def test_a_password_reset_by_email_reaches_someone_who_chose_no_email(app, client, make_user, smtp):
    user = make_user(Role.STAFF)
    _set_choice(app, user, EmailAlerts.NONE)
    assert client.post("/password-reset", data={"email": user.email}).status_code in (200, 302)
    _send(app)
    assert [m.to for m in smtp.received] == [[user.email]]
