"""The demo trust seed (issue 7), at a tiny size: every school, every record kind, once only."""

from datetime import date

import sqlalchemy as sa

from school_tracker.demo.trust import SCHOOLS, TRUST_LEADER_EMAIL, seed_trust
from school_tracker.extensions import db
from school_tracker.imports.upn import validate_upn
from school_tracker.models import (
    AuditEntry,
    Exclusion,
    Intervention,
    KindnessMoment,
    LearningRecord,
    MentoringPairing,
    MentoringSession,
    ParentConversation,
    Pupil,
    RiskFlag,
    Role,
    School,
    User,
    YearGroup,
)

TODAY = date(2026, 11, 22)
RECORD_KINDS = (
    MentoringPairing,
    MentoringSession,
    KindnessMoment,
    Intervention,
    RiskFlag,
    Exclusion,
    LearningRecord,
    ParentConversation,
)


def _count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_tiny_trust_has_every_school_and_record_kind_and_is_idempotent(app):
    with app.app_context():
        made = seed_trust(today=TODAY, size=0.03, progress=False)
        db.session.commit()
        assert made is not None and made.schools == 1 + len(SCHOOLS)
        schools = db.session.scalars(sa.select(School)).all()
        assert {s.slug for s in schools} == {"demo", *(p.slug for p in SCHOOLS)}
        assert len({s.trust_id for s in schools}) == 1
        assert _count(Pupil) == made.pupils
        secondary = next(s for s in schools if s.slug == "demo-10")
        years = set(
            db.session.scalars(sa.select(Pupil.year_group).where(Pupil.school_id == secondary.id))
        )
        assert years == {YearGroup.Y7, YearGroup.Y8, YearGroup.Y9, YearGroup.Y10, YearGroup.Y11}
        upns = db.session.scalars(sa.select(Pupil.upn)).all()
        assert len(set(upns)) == len(upns) and all(validate_upn(u) == u for u in upns)
        for school in schools:
            for model in RECORD_KINDS:
                assert _count(model, model.school_id == school.id) > 0, (school.slug, model)
            assert _count(User, User.school_id == school.id, User.role == Role.LEADER) >= 1
        leader = db.session.scalar(sa.select(User).where(User.email == TRUST_LEADER_EMAIL))
        assert leader.role is Role.TRUST_LEADER and leader.school_id is None
        assert _count(AuditEntry, AuditEntry.action == "create") > 0
        # The four documented sign-ins stay on the demo school.
        demo_staff = db.session.scalar(sa.select(User).where(User.email == "staff@demo.school"))
        assert demo_staff.school.slug == "demo"

        pupils = _count(Pupil)
        assert seed_trust(today=TODAY, size=0.03, progress=False) is None
        assert _count(Pupil) == pupils


def test_trust_seed_command_signs_in(app, runner, client, monkeypatch):
    monkeypatch.setattr("school_tracker.demo.trust.SCHOOLS", SCHOOLS[:1])
    result = runner.invoke(args=["seed-demo", "--scale", "trust"])
    assert result.exit_code == 0, result.output
    assert "Seeded the demo trust" in result.output and TRUST_LEADER_EMAIL in result.output
    again = runner.invoke(args=["seed-demo", "--scale", "trust"])
    assert "already exists" in again.output
    response = client.post(
        "/login", data={"email": "leader@demo-2.school", "password": "kindness-demo"}
    )
    assert response.status_code == 302
