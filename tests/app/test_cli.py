"""The flat CLI commands of docs/design.md section 11: clear refusals, nothing half-written."""

import pytest
import sqlalchemy as sa

from config import ProductionConfig
from school_tracker.demo.school import DEMO_USERS
from school_tracker.extensions import db
from school_tracker.models import Pupil, Role, School, SenStatus, User
from tests.conftest import make_config


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_create_school_and_duplicate(app, runner):
    result = runner.invoke(args=["create-school", "--slug", "oakfield", "--name", "Oakfield"])
    assert result.exit_code == 0, result.output
    again = runner.invoke(args=["create-school", "--slug", "oakfield", "--name", "Other"])
    assert again.exit_code == 1 and "already exists" in again.output
    bad = runner.invoke(args=["create-school", "--slug", "Oak Field!", "--name", "Oakfield"])
    assert bad.exit_code == 1 and "slug" in bad.output
    assert _count(app, School) == 1


@pytest.mark.requirement("R3", "R7")
def test_create_user_prompts_and_refuses_weak_passwords(app, runner):
    runner.invoke(args=["create-school", "--slug", "oakfield", "--name", "Oakfield Primary"])
    weak = runner.invoke(
        args=["create-user", "--school", "oakfield", "--email", "a@x.org", "--role", "admin"],
        input="oakfield2026!\noakfield2026!\n",
    )
    assert weak.exit_code == 1 and "school" in weak.output
    assert _count(app, User) == 0
    ok = runner.invoke(
        args=["create-user", "--school", "oakfield", "--email", "A@X.org", "--role", "admin"],
        input="violet harbour engine 42\nviolet harbour engine 42\n",
    )
    assert ok.exit_code == 0, ok.output
    dup = runner.invoke(
        args=["create-user", "--school", "oakfield", "--email", "a@x.org", "--role", "staff"],
        input="violet harbour engine 43\nviolet harbour engine 43\n",
    )
    assert dup.exit_code == 1 and "already exists" in dup.output


def test_create_user_refuses_unknown_school_and_role(app, runner):
    no_school = runner.invoke(
        args=["create-user", "--school", "nowhere", "--email", "a@x.org", "--role", "staff"],
        input="violet harbour engine 42\nviolet harbour engine 42\n",
    )
    assert no_school.exit_code == 1 and "No school with the slug 'nowhere'" in no_school.output
    bad_role = runner.invoke(
        args=["create-user", "--school", "demo", "--email", "a@x.org", "--role", "wizard"]
    )
    assert bad_role.exit_code == 2 and "wizard" in bad_role.output


@pytest.mark.requirement("R7")
def test_fresh_install_has_no_users(app):
    assert _count(app, User) == 0


def test_seed_demo_is_realistic_and_idempotent(app, runner):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    for email, _, _ in DEMO_USERS:
        assert email in first.output
    pupils = _count(app, Pupil)
    second = runner.invoke(args=["seed-demo"])
    assert "already exists" in second.output
    assert _count(app, Pupil) == pupils and 280 <= pupils <= 320
    with app.app_context():
        rows = db.session.execute(
            sa.select(Pupil.sen_status, Pupil.pupil_premium, Pupil.eal, Pupil.looked_after)
        ).all()
    share = lambda test: sum(1 for r in rows if test(r)) / len(rows)  # noqa: E731
    assert 0.08 <= share(lambda r: r.sen_status is SenStatus.SUPPORT) <= 0.19
    assert 0.02 <= share(lambda r: r.sen_status is SenStatus.EHC_PLAN) <= 0.09
    assert 0.19 <= share(lambda r: r.pupil_premium) <= 0.31
    assert 0.14 <= share(lambda r: r.eal) <= 0.26
    assert share(lambda r: r.looked_after) <= 0.03


def test_demo_sign_in_works(app, runner, client):
    runner.invoke(args=["seed-demo"])
    response = client.post(
        "/login", data={"email": "staff@demo.school", "password": "kindness-demo"}
    )
    assert response.status_code == 302


def test_production_refuses_the_demo_seed(app, make_app, database_url):
    config = make_config(
        database_url,
        **{k: getattr(ProductionConfig, k) for k in ("APP_ENV", "ALLOW_DEMO_SEED")},
        RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/15",
        TRUSTED_HOSTS=["localhost"],
    )
    app = make_app(config)
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 1 and "refused in production" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_trust_leader_has_no_school(app, runner):
    runner.invoke(args=["create-school", "--slug", "oakfield", "--name", "Oakfield Primary"])
    result = runner.invoke(
        args=[
            "create-user",
            "--school",
            "oakfield",
            "--email",
            "ceo@trust.org",
            "--role",
            "trust_leader",
        ],
        input="violet harbour engine 42\nviolet harbour engine 42\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(sa.select(User))
        assert user.role is Role.TRUST_LEADER and user.school_id is None
