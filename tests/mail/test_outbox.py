"""The outbox: e-mails queued with their alert, sent over real SMTP once each, retried later.

Every message goes through aiosmtpd on a socket (tests/support/smtp.py); nothing of our own is
mocked. The autouse scan (conftest) checks every message for pupil details after each test.
"""

from datetime import timedelta
from email.utils import parseaddr

import pytest
import sqlalchemy as sa

from school_tracker.alerts.services import raise_alert
from school_tracker.extensions import db
from school_tracker.mail.content import alert_message
from school_tracker.mail.sender import claim, send_due_messages
from school_tracker.models import Alert, AlertKind, OutboxMessage, OutboxStatus, Role, User
from school_tracker.orm import utcnow
from tests.conftest import make_config
from tests.factories.risk import MARKER, make_flag, seed_reference
from tests.mail.conftest import SITE_URL
from tests.support.smtp import SmtpServer, free_port


@pytest.fixture
def staffroom(app, school, make_user, make_pupil) -> dict:
    seed_reference(app)
    return {
        "leader": make_user(Role.LEADER, school=school, full_name="Lena Leader"),
        "named": [
            make_user(Role.STAFF, school=school, full_name=f"{name} Teacher")
            for name in ("Amy", "Ben", "Cal")
        ],
        "pupil": make_pupil(school, legal_surname="Okafor", legal_forename="Tayo"),
        "school": school,
    }


def _outbox(app) -> list[tuple[str, OutboxStatus, int]]:
    with app.app_context():
        rows = db.session.execute(
            sa.select(
                OutboxMessage.to_address, OutboxMessage.status, OutboxMessage.attempts
            ).order_by(OutboxMessage.id)
        ).all()
        db.session.remove()
    return [tuple(row) for row in rows]


def _send(app, now=None):
    with app.app_context():
        summary = send_due_messages(now)
        db.session.remove()
    return summary


def test_a_flag_naming_three_staff_queues_three_content_free_emails_sent_once(
    app, runner, staffroom, smtp
):
    s = staffroom
    make_flag(app, s["pupil"], s["leader"], named=s["named"])
    addresses = sorted(u.email for u in s["named"])
    # Queued with the flag; nothing reaches the server until a sender runs.
    assert sorted(row[0] for row in _outbox(app)) == addresses
    assert {row[1] for row in _outbox(app)} == {OutboxStatus.PENDING}
    assert smtp.received == []

    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    assert "3 sent" in result.output
    assert sorted(m.to[0] for m in smtp.received) == addresses
    for message in smtp.received:
        assert message.subject == "School tracker: You were named on an exclusion-risk flag"
        assert "Lena Leader" in message.body and s["school"].name in message.body
        assert f"Sign in to see it: {SITE_URL}/login" in message.body
        assert "Okafor" not in message.body and MARKER not in message.body
    assert {row[1] for row in _outbox(app)} == {OutboxStatus.SENT}

    # A second pass finds nothing to send: each message went once.
    assert "0 sent" in runner.invoke(args=["send-mail"]).output
    assert len(smtp.received) == 3


def test_the_sender_address_is_the_configured_one(app, staffroom, smtp):
    make_flag(app, staffroom["pupil"], staffroom["leader"], named=staffroom["named"][:1])
    assert _send(app).sent == 1
    assert len(smtp.received) == 1


def test_with_no_mail_server_nothing_is_queued_and_alerts_work_as_before(
    database_url, make_app, school, make_user, make_pupil
):
    app = make_app(make_config(database_url, MAIL_SERVER=None))
    seed_reference(app)
    leader = make_user(Role.LEADER, school=school, full_name="Lena Leader")
    amy = make_user(Role.STAFF, school=school)
    make_flag(app, make_pupil(school), leader, named=[amy])
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Alert)) == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
    result = app.test_cli_runner().invoke(args=["send-mail"])
    assert result.exit_code == 1 and "E-mail is off" in result.output


def test_an_alert_and_its_email_commit_or_roll_back_together(app, staffroom):
    s = staffroom
    with app.app_context():
        amy = db.session.get_one(User, s["named"][0].id)
        leader = db.session.get_one(User, s["leader"].id)
        raise_alert(amy, AlertKind.PASSWORD_CHANGED, by=leader)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 1
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Alert)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0


@pytest.mark.requirement("R9")
def test_the_sign_in_link_comes_from_the_configured_address_not_the_host_header(app, staffroom):
    s = staffroom
    make_flag(app, s["pupil"], s["leader"], named=s["named"][:1])
    with app.test_request_context("/", base_url="http://evil.example"):
        alert = db.session.scalars(sa.select(Alert)).one()
        text = alert_message(alert)
    assert f"{SITE_URL}/login" in text.body
    assert "evil.example" not in text.body


def test_smtp_down_queues_then_delivers_once_when_it_returns(
    database_url, make_app, school, make_user, make_pupil, session_smtp
):
    port = free_port()  # nothing listens here yet: the school's relay is down
    app = make_app(make_config(database_url, MAIL_SERVER="127.0.0.1", MAIL_PORT=port))
    seed_reference(app)
    leader = make_user(Role.LEADER, school=school, full_name="Lena Leader")
    named = [make_user(Role.STAFF, school=school) for _ in range(2)]
    # Raising the flag does not touch the mail server at all, so it cannot fail or wait.
    make_flag(app, make_pupil(school), leader, named=named)

    now = utcnow()
    summary = _send(app, now)
    assert summary.server_down and summary.sent == 0 and summary.retrying == 1
    # The first message waits its backoff; the second was not tried (no attempt used up).
    pending = OutboxStatus.PENDING
    assert [row[1:] for row in _outbox(app)] == [(pending, 1), (pending, 0)]

    server = SmtpServer(port=port, received=session_smtp.received).start()
    try:
        assert _send(app, now + timedelta(seconds=30)).sent == 1  # the first is not due yet
        assert _send(app, now + timedelta(seconds=61)).sent == 1
        assert _send(app, now + timedelta(hours=1)).sent == 0
    finally:
        server.stop()
    assert sorted(parseaddr(m.to[0])[1] for m in session_smtp.received) == sorted(
        u.email for u in named
    )
    assert {row[1] for row in _outbox(app)} == {OutboxStatus.SENT}


class RefusingHandler:
    async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
        return "550 No such mailbox"


def test_a_refused_message_is_retried_with_backoff_then_given_up(
    database_url, make_app, school, make_user
):
    from aiosmtpd.controller import Controller

    port = free_port()
    controller = Controller(RefusingHandler(), hostname="127.0.0.1", port=port)
    controller.start()
    app = make_app(
        make_config(database_url, MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_MAX_ATTEMPTS=3)
    )
    amy = make_user(Role.STAFF, school=school)
    try:
        with app.app_context():
            raise_alert(db.session.get_one(User, amy.id), AlertKind.PASSWORD_CHANGED, by=None)
            db.session.commit()
        now = utcnow()
        # 60 s after the first failure, then 120 s after the second, then it is given up.
        assert _send(app, now).retrying == 1
        assert _send(app, now + timedelta(seconds=59)).retrying == 0
        assert _send(app, now + timedelta(seconds=61)).retrying == 1
        assert _send(app, now + timedelta(seconds=61 + 119)).retrying == 0
        assert _send(app, now + timedelta(seconds=61 + 121)).failed == 1
    finally:
        controller.stop()
    with app.app_context():
        message = db.session.scalars(sa.select(OutboxMessage)).one()
        assert (message.status, message.attempts) == (OutboxStatus.FAILED, 3)
        assert message.last_error == "SMTPRecipientsRefused"


def test_a_message_is_claimed_once(app, staffroom):
    s = staffroom
    make_flag(app, s["pupil"], s["leader"], named=s["named"][:1])
    with app.app_context():
        message_id = db.session.scalars(sa.select(OutboxMessage.id)).one()
        now = utcnow()
        assert claim(message_id, now) is not None
        assert claim(message_id, now) is None


def test_a_claim_left_by_a_sender_that_died_is_released_and_sent(app, staffroom, smtp):
    s = staffroom
    make_flag(app, s["pupil"], s["leader"], named=s["named"][:1])
    with app.app_context():
        message_id = db.session.scalars(sa.select(OutboxMessage.id)).one()
        now = utcnow()
        claim(message_id, now)
        assert send_due_messages(now + timedelta(minutes=5)).sent == 0  # still its claim
        assert send_due_messages(now + timedelta(minutes=11)).sent == 1
    assert len(smtp.received) == 1
