"""A brand-new empty database for each migration test, on the engine this run uses."""

import os
import uuid

import pytest
import sqlalchemy as sa


@pytest.fixture
def empty_database_url(tmp_path):
    """SQLite: a file in the test's folder. PostgreSQL: a database of its own beside
    TEST_DATABASE_URL's, dropped afterwards (even with connections left open)."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path / 'migrate.db'}"
        return
    name = f"st_migrate_{uuid.uuid4().hex[:8]}"
    base_url = sa.engine.make_url(base).set(drivername="postgresql+psycopg")
    admin = sa.create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield base_url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
