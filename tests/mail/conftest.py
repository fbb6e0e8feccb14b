"""Mail tests run against a real SMTP server (aiosmtpd) and scan every message they receive."""

import pytest

from tests.mail.privacy_scan import protected_values, pupil_details_in
from tests.support.smtp import SmtpServer

SITE_URL = "https://tracker.example.org"


@pytest.fixture(scope="session")
def session_smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def smtp(session_smtp, no_pupil_details_in_any_email):
    """The session's server; `received` holds only this test's messages."""
    return session_smtp


@pytest.fixture
def app_config_overrides(session_smtp) -> dict:
    return {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": session_smtp.port,
        "MAIL_DEFAULT_SENDER": "tracker@example.org",
        "SITE_URL": SITE_URL,
    }


@pytest.fixture(autouse=True)
def no_pupil_details_in_any_email(app, session_smtp):
    """After each test, scan what the server received during it against the database's values."""
    session_smtp.received.clear()
    yield
    with app.app_context():
        found = pupil_details_in(session_smtp.received, protected_values())
    assert not found, f"pupil details in e-mail: {found}"
