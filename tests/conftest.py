"""Shared fixtures: a fresh schema once per run, clean tables per test, users and pupils."""

import logging
import os
from collections.abc import Callable
from datetime import date
from itertools import count

import pytest
import sqlalchemy as sa

from config import ProductionConfig, TestingConfig
from school_tracker import create_app
from school_tracker.admin.schools import ensure_reference_data
from school_tracker.auth.passwords import hash_password
from school_tracker.database import normalise_database_url
from school_tracker.demo.school import make_upn
from school_tracker.extensions import db
from school_tracker.models import Gender, Pupil, Role, School, SenStatus, Trust, User, YearGroup
from school_tracker.records.reference_lists import ensure_school_lists

# Shared world fixtures (school, people, export_world, leavers_world) live in their own module.
pytest_plugins = ["tests.factories.worlds"]

PASSWORD = "violet-harbour-engine-42"


def _database_url(tmp_path_factory) -> str:
    # A file rather than :memory: so browser tests can serve the app from another thread.
    # Under pytest-xdist each worker has its own temporary folder, hence its own SQLite file.
    server_url = os.environ.get("TEST_DATABASE_URL")
    if not server_url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return _worker_database(server_url, worker) if worker else server_url


def _worker_database(server_url: str, worker: str) -> str:
    """A database of the worker's own beside TEST_DATABASE_URL's (`test` -> `test_gw0`)."""
    url = sa.make_url(normalise_database_url(server_url))
    name = f"{url.database}_{worker}"
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            exists = conn.scalar(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            )
            if not exists:
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """Create the schema once for the whole run."""
    url = _database_url(tmp_path_factory)
    app = create_app(type("SchemaConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    with app.app_context():
        db.drop_all()
        _drop_alembic_version()
        db.create_all()
        db.engine.dispose()
    return url


def _drop_alembic_version() -> None:
    with db.engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))


def make_config(url: str, **overrides) -> type:
    """A TestingConfig subclass pointing at the test database."""
    return type("TestConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": url, **overrides})


def production_config(url: str, **overrides) -> type:
    """A config that passes production's start-up checks (each test breaks one on purpose)."""
    values = {
        "APP_ENV": "production",
        "SECRET_KEY": "p" * 48,
        "SESSION_COOKIE_NAME": ProductionConfig.SESSION_COOKIE_NAME,
        "SESSION_COOKIE_SECURE": True,
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/15",
        "MFA_REQUIRED_ROLES": ProductionConfig.MFA_REQUIRED_ROLES,
        "ALLOW_DEMO_SEED": False,
        "TRUSTED_HOSTS": ["localhost"],
    }
    return make_config(url, **{**values, **overrides})


@pytest.fixture
def app_config_overrides() -> dict:
    """Override in a test module to change config (e.g. enable CSRF)."""
    return {}


@pytest.fixture
def app(database_url, app_config_overrides):
    """An app on clean tables with the reference data present."""
    application = create_app(make_config(database_url, **app_config_overrides))
    with application.app_context():
        _empty_tables()
        ensure_reference_data()
        db.session.commit()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def _empty_tables() -> None:
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def make_app(database_url):
    """Build extra apps from config classes; their connection pools are closed afterwards."""
    built = []

    def factory(config):
        application = create_app(config)
        built.append(application)
        return application

    yield factory
    for application in built:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db_session(app):
    """An app context for tests that touch the database directly."""
    with app.app_context():
        yield db.session


_serial = count(1)


@pytest.fixture
def make_school(app) -> Callable[..., School]:
    """Create a school (and the trust on first use)."""

    def factory(slug: str = "oakfield", name: str = "Oakfield Primary") -> School:
        with app.app_context():
            trust = db.session.scalar(sa.select(Trust)) or Trust(name="Test Trust")
            school = School(trust=trust, slug=slug, name=name)
            db.session.add(school)
            db.session.flush()
            ensure_school_lists(school.id)  # as create_school does: the school's own lists
            db.session.commit()
            db.session.refresh(school)
            db.session.expunge(school)
            return school

    return factory


@pytest.fixture
def make_user(app, make_school) -> Callable[..., User]:
    """Create an active user with the shared test password."""

    def factory(
        role: Role = Role.STAFF,
        school: School | None = None,
        email: str | None = None,
        full_name: str = "Test Person",
        active: bool = True,
    ) -> User:
        school = school or make_school(slug=f"school-{next(_serial)}")
        with app.app_context():
            user = User(
                trust_id=school.trust_id,
                school_id=None if role is Role.TRUST_LEADER else school.id,
                email=email or f"{role.value}{next(_serial)}@example.org",
                full_name=full_name,
                role=role,
                password_hash=hash_password(PASSWORD),
                active=active,
            )
            db.session.add(user)
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
            return user

    return factory


@pytest.fixture
def make_pupil(app) -> Callable[..., Pupil]:
    """Create a pupil in a school with sensible defaults."""

    def factory(school: School, **overrides) -> Pupil:
        n = next(_serial)
        values = dict(
            school_id=school.id,
            upn=make_upn(938, 2001, 20, n % 1000)
            if n < 1000
            else make_upn(938, 2002, 20, n % 1000),
            legal_surname=f"Surname{n}",
            legal_forename=f"Forename{n}",
            date_of_birth=date(2018, 3, 1),
            gender=Gender.FEMALE,
            year_group=YearGroup.Y3,
            sen_status=SenStatus.NONE,
        )
        values.update(overrides)
        with app.app_context():
            pupil = Pupil(**values)
            db.session.add(pupil)
            db.session.commit()
            db.session.refresh(pupil)
            db.session.expunge(pupil)
            return pupil

    return factory


class AuthActions:
    """Sign in and out through the real login form."""

    def __init__(self, client):
        self._client = client

    def login(self, email: str, password: str = PASSWORD):
        return self._client.post("/login", data={"email": email, "password": password})

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def logs(caplog):
    """caplog at INFO, where security events are logged."""
    caplog.set_level(logging.INFO)
    return caplog


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def login_as(client, make_user, auth) -> Callable[..., User]:
    """Create a user of a role and sign the test client in as them."""

    def factory(role: Role = Role.STAFF, school: School | None = None) -> User:
        user = make_user(role=role, school=school)
        response = auth.login(user.email)
        assert response.status_code == 302, response.data[:500]
        return user

    return factory


def pytest_make_parametrize_id(config, val, argname):
    """Name made files by their size, not their bytes: a zip holds the second it was written,
    and parallel workers (pytest-xdist) must collect identical test names."""
    if isinstance(val, bytes) and len(val) > 32:
        return f"{argname}-{len(val)}-bytes"
    return None


# The longest files go first: `--dist loadfile` hands whole files to workers in collection order,
# and a long file handed out last keeps one worker busy while the other has nothing left to do.
LONGEST_FILES = (
    "tests/permissions/test_access_matrix.py",
    "tests/app/test_form_fields.py",
    "tests/migrations/test_migration_round_trips.py",
    "tests/app/test_injection_and_escaping.py",
)


def pytest_collection_modifyitems(items):
    first = {path: rank for rank, path in enumerate(LONGEST_FILES)}
    items.sort(key=lambda item: first.get(item.nodeid.partition("::")[0], len(first)))
