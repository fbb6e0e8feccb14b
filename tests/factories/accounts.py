"""Helpers for the account tests: pending accounts, activation, password forms, fresh sign-in,
and a spy on argon2 (the library's PasswordHasher, never our own code)."""

import time

import argon2

from school_tracker.admin.services import create_user
from school_tracker.extensions import db
from school_tracker.models import Role, School
from tests.conftest import PASSWORD

NEW_PASSWORD = "copper-walrus-tundra-violin"


def password_change(current: str, new: str) -> dict[str, str]:
    """The account page's change-password form."""
    return {"current": current, "password": new, "confirm": new}


def activate(client, email: str, code: str, password: str = NEW_PASSWORD, **kwargs):
    data = {"email": email, "code": code, "password": password, "confirm": password}
    return client.post("/activate", data=data, **kwargs)


def pending_account(app, school: School, email: str) -> str:
    """An account an admin has created but nobody has activated; returns its one-time code."""
    with app.app_context():
        _, code = create_user(
            db.session.get(School, school.id),
            email=email,
            full_name="Pending Person",
            role=Role.STAFF,
            by=None,
        )
        db.session.commit()
    return code


def signed_in(app, user):
    """A new test client signed in as `user` (CSRF off, as in the test config)."""
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def age_sign_in(client, minutes: int = 16) -> None:
    """Make the session older than FRESH_AUTH_MINUTES (15) without signing out."""
    with client.session_transaction() as sess:
        sess["auth_at"] = int(time.time()) - minutes * 60


def sent_to_confirm(response) -> bool:
    return response.status_code == 302 and response.headers["Location"].startswith(
        "/account/confirm"
    )


class HasherSpy:
    """Counts argon2 hash and verify calls, and whether a transaction was open for each."""

    def __init__(self, monkeypatch):
        self.calls: list[tuple[str, bool]] = []
        for name in ("hash", "verify"):
            original = getattr(argon2.PasswordHasher, name)
            monkeypatch.setattr(argon2.PasswordHasher, name, self._wrap(name, original))

    def _wrap(self, name, original):
        def spy(hasher, *args, **kwargs):
            self.calls.append((name, db.session().in_transaction()))
            return original(hasher, *args, **kwargs)

        return spy

    def count(self, name: str) -> int:
        return sum(1 for called, _ in self.calls if called == name)
