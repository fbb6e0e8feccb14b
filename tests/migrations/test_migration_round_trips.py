"""Each migration goes down and up on a seeded database keeping every row (R88)."""

from datetime import date

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from school_tracker import create_app
from school_tracker.audit import record_audit
from school_tracker.demo.school import seed_demo
from school_tracker.extensions import db
from school_tracker.models import Role, User
from tests.conftest import make_config

# --- R88: migrations --------------------------------------------------------------------------


def _table_counts() -> dict[str, int]:
    with db.engine.connect() as conn:
        names = [n for n in sa.inspect(conn).get_table_names() if n != "alembic_version"]
        count = sa.select(sa.func.count())
        return {n: conn.execute(count.select_from(sa.table(n))).scalar() for n in names}


@pytest.mark.requirement("R88")
@pytest.mark.parametrize(
    "target",
    [
        "0006_legal_hold",
        "0005_form_submissions",
        "0004_transfers",
        "0003_records",
        "0002_two_factor",
        "0001_foundation",
    ],
)
def test_r88_each_migration_down_and_up_on_a_seeded_database_keeps_every_row(
    empty_database_url, target
):
    app = create_app(make_config(empty_database_url))
    with app.app_context():
        upgrade()
        seed_demo(today=date(2026, 11, 22))
        leader = db.session.scalar(sa.select(User).where(User.role == Role.LEADER))
        for n in range(5):  # rows pointing at a user, as every real database has
            record_audit(leader, "seeded", "test", n)
        db.session.commit()
        db.session.remove()
        seeded = _table_counts()
        assert seeded["pupils"] > 100 and seeded["interventions"] > 0
        try:
            downgrade(revision=target)
            kept = set(_table_counts())
            upgrade()
            db.session.remove()
            after = _table_counts()
        finally:
            db.session.remove()
            db.engine.dispose()
    assert {t: after[t] for t in kept} == {t: seeded[t] for t in kept}
    assert set(after) == set(seeded)
