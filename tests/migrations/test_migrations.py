"""`flask db upgrade` on an empty database builds exactly what the models describe."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from school_tracker import create_app
from school_tracker.extensions import db
from school_tracker.models import Priority
from school_tracker.records.reference import PRIORITIES
from tests.conftest import make_config


def _diff(app) -> list:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


@pytest.mark.requirement("R88")
def test_upgrade_head_matches_models_and_round_trips(empty_database_url):
    app = create_app(make_config(empty_database_url))
    with app.app_context():
        upgrade()
        assert _diff(app) == []
        codes = [
            p.code for p in db.session.scalars(sa.select(Priority).order_by(Priority.sort_order))
        ]
        assert codes == [code for code, _, _ in PRIORITIES]
        db.session.remove()
        downgrade(revision="base")
        with db.engine.connect() as conn:
            assert sa.inspect(conn).get_table_names() in ([], ["alembic_version"])
        upgrade()
        assert _diff(app) == []
        db.session.remove()
        db.engine.dispose()


COUNTS = (
    "SELECT (SELECT count(*) FROM schools), (SELECT count(*) FROM intervention_types), "
    "(SELECT count(*) FROM agencies), (SELECT count(*) FROM exclusion_reasons)"
)


@pytest.mark.requirement("R88")
def test_upgrade_of_a_seeded_database_keeps_rows_and_seeds_catalogues(empty_database_url):
    app = create_app(make_config(empty_database_url))
    with app.app_context():
        upgrade(revision="0002_two_factor")
        with db.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO trusts (id, name, created_at) VALUES (1, 'T', CURRENT_TIMESTAMP)"
                )
            )
            conn.execute(
                sa.text(
                    "INSERT INTO schools (id, trust_id, slug, name, created_at) "
                    "VALUES (1, 1, 'old', 'Old School', CURRENT_TIMESTAMP)"
                )
            )
        upgrade()

        def counts():
            return db.session.execute(sa.text(COUNTS)).one()

        assert tuple(counts()) == (1, 14, 17, 15)
        db.session.remove()
        downgrade(revision="-1")
        upgrade()
        assert tuple(counts()) == (1, 14, 17, 15)
        db.session.remove()  # outside a request every transaction holds SQLite's write lock
        assert _diff(app) == []
        db.session.remove()
        db.engine.dispose()
