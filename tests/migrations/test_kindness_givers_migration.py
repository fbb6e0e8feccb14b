"""Migration 0015 carries each moment's one kind pupil (`giver_pupil_id`) into the givers table,
and the same pupil in the moment's earlier versions; downgrade gives one back (R88)."""

import json
from datetime import date

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from school_tracker import create_app
from school_tracker.demo.school import seed_demo
from school_tracker.extensions import db
from school_tracker.models import KindnessGiver, KindnessMoment, KindPersonKind, RecordVersion
from tests.conftest import make_config

BEFORE = "0014_intervention_attendance"


OLD_MOMENTS = sa.table(
    "kindness_moments", sa.column("id"), sa.column("giver_kind"), sa.column("giver_pupil_id")
)
VERSIONS = sa.table(
    "record_versions",
    sa.column("id"),
    sa.column("school_id"),
    sa.column("entity_type"),
    sa.column("entity_id"),
    sa.column("version"),
    sa.column("changed_at"),
    sa.column("previous", sa.JSON(none_as_null=True)),
)


def _old_givers() -> dict[int, int | None]:
    with db.engine.connect() as conn:
        rows = conn.execute(sa.select(OLD_MOMENTS.c.id, OLD_MOMENTS.c.giver_pupil_id)).all()
    return dict(rows)


def _new_givers() -> dict[int, list[int]]:
    givers: dict[int, list[int]] = {}
    for moment_id, pupil_id in db.session.execute(
        sa.select(KindnessGiver.moment_id, KindnessGiver.pupil_id).order_by(KindnessGiver.pupil_id)
    ):
        givers.setdefault(moment_id, []).append(pupil_id)
    db.session.remove()
    return givers


def _previous() -> dict:
    with db.engine.connect() as conn:
        value = conn.execute(sa.select(VERSIONS.c.previous).where(VERSIONS.c.id == 1)).scalar()
    return json.loads(value) if isinstance(value, str) else value


@pytest.mark.requirement("R88")
def test_each_moments_kind_pupil_is_carried_forward_and_back(empty_database_url):
    app = create_app(make_config(empty_database_url))
    with app.app_context():
        upgrade()
        seed_demo(today=date(2026, 11, 22))
        db.session.commit()
        kinds = dict(
            db.session.execute(sa.select(KindnessMoment.id, KindnessMoment.giver_kind)).all()
        )
        seeded = _new_givers()
        db.session.remove()
        try:
            downgrade(revision=BEFORE)
            old = _old_givers()
            assert old == {m: (seeded[m][0] if m in seeded else None) for m in kinds}
            assert {m for m, pupil in old.items() if pupil} == {
                m for m, kind in kinds.items() if kind is KindPersonKind.PUPIL
            }
            # An edit kept before 0015: the version names the earlier kind pupil by id.
            moment_id, pupil_id = next((m, p) for m, p in old.items() if p)
            with db.engine.begin() as conn:
                conn.execute(
                    sa.insert(VERSIONS).values(
                        id=1,
                        school_id=1,
                        entity_type="kindness_moment",
                        entity_id=moment_id,
                        version=1,
                        changed_at=sa.func.now(),
                        previous={"giver_pupil_id": pupil_id, "description": "Before"},
                    )
                )
            upgrade()
            assert _new_givers() == {m: [p] for m, p in old.items() if p}
            assert _previous() == {"giver_pupil_ids": [pupil_id], "description": "Before"}
            version = db.session.get(RecordVersion, 1)
            assert version.previous["giver_pupil_ids"] == [pupil_id]
            # A second kind pupil can't go down: the lowest id is the one the old column keeps.
            other = next(p for m, p in old.items() if p and p != pupil_id)
            db.session.add(KindnessGiver(moment_id=moment_id, pupil_id=other))
            db.session.commit()
            db.session.remove()
            downgrade(revision=BEFORE)
            assert _old_givers()[moment_id] == min(pupil_id, other)
            assert _previous() == {"giver_pupil_id": pupil_id, "description": "Before"}
        finally:
            db.session.remove()
            db.engine.dispose()
