"""On SQLite a sign-in's first query takes the write lock; the slow hash must not hold it."""

from school_tracker.extensions import db
from school_tracker.models import Role


def test_the_password_is_checked_outside_any_transaction(app, client, make_user, monkeypatch):
    """On SQLite a sign-in's first query takes the write lock; the slow hash must not hold it."""
    from school_tracker.auth import services

    user = make_user(Role.STAFF)
    checked = []
    real = services.verify_password

    def verify(stored_hash, password):
        checked.append(db.session().in_transaction())
        return real(stored_hash, password)

    monkeypatch.setattr(services, "verify_password", verify)
    response = client.post(
        "/login", data={"email": user.email, "password": "violet-harbour-engine-42"}
    )
    assert response.status_code == 302 and checked == [False]
    client.post("/logout")
    wrong = client.post("/login", data={"email": "nobody@example.org", "password": "x" * 12})
    assert wrong.status_code == 200 and checked == [False, False]
