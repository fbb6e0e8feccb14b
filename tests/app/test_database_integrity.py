"""Database settings and integrity: SQLite pragmas and locking (R80), uniqueness under races
(R82), and a friendly 503 when the database is down or locked (R89)."""

import sqlite3
import threading
from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError

from school_tracker.extensions import db
from school_tracker.models import InterventionParticipant, Pupil, Role
from tests.conftest import PASSWORD, make_config
from tests.factories.imports import csv_bytes, preview_id, row, upload, upn
from tests.factories.interventions import make_intervention
from tests.factories.rows import count_rows


@pytest.fixture
def sqlite_app(make_app, tmp_path):
    """A SQLite app on its own file, whatever engine the rest of the run uses."""
    application = make_app(make_config(f"sqlite:///{tmp_path / 'own.db'}"))
    with application.app_context():
        db.create_all()
        db.session.remove()
    return application


# --- R80: SQLite settings, foreign keys ---------------------------------------------------------


@pytest.mark.requirement("R80")
def test_r80_pragmas_are_read_back_from_every_pooled_connection(sqlite_app):
    expected = {"foreign_keys": 1, "busy_timeout": 5000, "journal_mode": "wal", "synchronous": 1}
    with sqlite_app.app_context():
        pooled = [db.engine.raw_connection() for _ in range(3)]  # three live pool checkouts
        try:
            for conn in pooled:
                cursor = conn.cursor()
                found = {name: cursor.execute(f"PRAGMA {name}").fetchone()[0] for name in expected}
                cursor.close()
                assert found == expected
        finally:
            for conn in pooled:
                conn.close()


@pytest.mark.requirement("R80")
def test_r80_writers_take_the_lock_at_begin_page_reads_do_not(sqlite_app, tmp_path):
    other = sqlite3.connect(tmp_path / "own.db", timeout=0, isolation_level=None)
    try:
        with sqlite_app.app_context(), db.engine.connect() as conn:
            conn.exec_driver_sql("SELECT count(*) FROM pupils")  # a CLI job: BEGIN IMMEDIATE
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        with sqlite_app.test_request_context("/pupils/"), db.engine.connect() as conn:
            conn.exec_driver_sql("SELECT count(*) FROM pupils")  # a page read: plain BEGIN
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
    finally:
        other.close()


@pytest.mark.requirement("R80")
def test_r80_an_intervention_place_for_a_missing_pupil_is_refused(
    app, make_school, make_user, make_pupil
):
    school = make_school()
    staff = make_user(Role.STAFF, school=school)
    ident = make_intervention(app, school, staff, [make_pupil(school)])
    with app.app_context():
        db.session.add(
            InterventionParticipant(
                intervention_id=ident, pupil_id=987_654, start_date=date(2026, 11, 2)
            )
        )
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
    assert count_rows(app, InterventionParticipant) == 1


# --- R82: uniqueness and races ----------------------------------------------------------------


@pytest.mark.requirement("R82")
def test_r82_ten_concurrent_creates_of_one_upn_give_one_pupil_and_nine_409s(
    app, make_school, make_user
):
    the_upn = upn(4242)
    clients, previews = [], []
    for n in range(10):
        school = make_school(f"race-{n}", f"Race School {n}")
        admin = make_user(Role.ADMIN, school=school)
        client = app.test_client()
        login = client.post("/login", data={"email": admin.email, "password": PASSWORD})
        assert login.status_code == 302
        previews.append(preview_id(upload(client, csv_bytes([row(4242)]))))
        clients.append(client)
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []

    def confirm(client, import_id):
        barrier.wait()
        statuses.append(client.post(f"/imports/{import_id}/confirm").status_code)

    threads = [
        threading.Thread(target=confirm, args=pair) for pair in zip(clients, previews, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [302] + [409] * 9
    assert count_rows(app, Pupil, Pupil.upn == the_upn) == 1


@pytest.mark.requirement("R82")
def test_r82_the_database_refuses_a_upn_already_on_another_schools_roll(
    app, make_school, make_pupil
):
    taken = make_pupil(make_school("first"))
    with pytest.raises(IntegrityError):
        make_pupil(make_school("second"), upn=taken.upn)


@pytest.mark.requirement("R82")
def test_r82_a_person_has_one_account_so_one_school_membership(app, make_school, make_user):
    make_user(Role.STAFF, school=make_school("first"), email="jo@example.org")
    with pytest.raises(IntegrityError):
        make_user(Role.STAFF, school=make_school("second"), email="jo@example.org")


@pytest.mark.requirement("R82")
def test_r82_a_pupil_has_one_place_per_intervention(app, make_school, make_user, make_pupil):
    school = make_school()
    staff = make_user(Role.STAFF, school=school)
    pupil = make_pupil(school)
    pupil_id = pupil.id
    ident = make_intervention(app, school, staff, [pupil])
    with app.app_context():
        db.session.add(
            InterventionParticipant(
                intervention_id=ident, pupil_id=pupil_id, start_date=date(2026, 11, 2)
            )
        )
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


# --- R89: graceful degradation ----------------------------------------------------------------


@pytest.mark.requirement("R89")
def test_r89_a_database_outage_is_a_friendly_503_and_health_says_so(make_app, tmp_path):
    missing = tmp_path / "no-such-dir" / "school.db"
    app = make_app(make_config(f"sqlite:///{missing}"))
    client = app.test_client()
    page = client.post("/login", data={"email": "a@example.org", "password": "x"})
    body = page.get_data(as_text=True)
    assert page.status_code == 503 and "try again" in body
    assert str(tmp_path) not in body and "sqlite" not in body.lower()
    health = client.get("/healthz")
    assert health.status_code == 503 and health.get_json() == {"status": "unavailable"}


@pytest.mark.requirement("R89")
def test_r89_a_real_sqlite_lock_is_a_503_and_clears_when_released(sqlite_app, tmp_path):
    client = sqlite_app.test_client()
    holder = sqlite3.connect(tmp_path / "own.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock past busy_timeout
    try:
        assert client.get("/healthz").get_json() == {"status": "ok"}  # WAL: reads go on
        locked = client.post("/login", data={"email": "a@example.org", "password": "x"})
        body = locked.get_data(as_text=True)
        assert locked.status_code == 503 and "try again" in body and "locked" not in body
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert (
        client.post("/login", data={"email": "a@example.org", "password": "x"}).status_code == 200
    )
