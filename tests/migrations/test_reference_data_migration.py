"""Migration 0018: shared agencies and risk factors become each school's own copies, every link
moves to its school's copy, and typed measures and CPD focus areas become list values; the
downgrade folds them back (issue 16 item 6)."""

from datetime import date

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from school_tracker import create_app
from school_tracker.admin.schools import create_school
from school_tracker.demo.school import make_upn
from school_tracker.extensions import db
from school_tracker.models import (
    Agency,
    AgencyInvolvement,
    Gender,
    Intervention,
    InterventionMode,
    InterventionType,
    LearningRecord,
    Pupil,
    ReferenceKind,
    ReferenceValue,
    RiskFactor,
    RiskFlag,
    RiskLevel,
    Role,
    User,
    YearGroup,
)
from tests.conftest import make_config

BEFORE = "0017_email_preferences"
DAY = date(2026, 10, 5)


def _own(model, school_id: int, code: str) -> int:
    return db.session.scalar(
        sa.select(model.id).where(model.school_id == school_id, model.code == code)
    )


def _value(school_id: int, kind: ReferenceKind, name: str) -> int | None:
    return db.session.scalar(
        sa.select(ReferenceValue.id).where(
            ReferenceValue.school_id == school_id,
            ReferenceValue.kind == kind,
            ReferenceValue.name == name,
        )
    )


def _school_records() -> dict[str, int]:
    """Two schools; the second has a flag, an involvement, two interventions and some CPD."""
    create_school(slug="oak", name="Oak Primary")
    elm = create_school(slug="elm", name="Elm Primary")
    leader = User(
        trust_id=elm.trust_id,
        school_id=elm.id,
        email="lead@elm.example",
        full_name="Lena Leader",
        role=Role.LEADER,
        password_hash="x",
    )
    pupil = Pupil(
        school_id=elm.id,
        upn=make_upn(938, 2001, 20, 1),
        legal_surname="Okafor",
        legal_forename="Tayo",
        date_of_birth=date(2018, 3, 1),
        gender=Gender.FEMALE,
        year_group=YearGroup.Y3,
    )
    db.session.add_all([leader, pupil])
    db.session.flush()
    common = {"school_id": elm.id, "created_by_id": leader.id}
    flag = RiskFlag(
        **common,
        pupil_id=pupil.id,
        raised_by_id=leader.id,
        raised_on=DAY,
        level=RiskLevel.HIGH,
        review_on=date(2026, 11, 5),
    )
    flag.agencies = [db.session.get_one(Agency, _own(Agency, elm.id, c)) for c in ("camhs", "ot")]
    flag.risk_factors = [db.session.get_one(RiskFactor, _own(RiskFactor, elm.id, "attendance"))]
    kind = db.session.scalar(
        sa.select(InterventionType).where(InterventionType.school_id == elm.id)
    )
    sdq = _value(elm.id, ReferenceKind.MEASURE, "SDQ total difficulties")
    interventions = [
        Intervention(
            **common,
            type_id=kind.id,
            mode=InterventionMode.INDIVIDUAL,
            lead_id=leader.id,
            start_date=DAY,
            review_date=date(2026, 11, 5),
            measure_id=measure,
        )
        for measure in (sdq, None)
    ]
    learning = LearningRecord(
        **common,
        staff_id=leader.id,
        held_on=DAY,
        activity="Phonics refresher",
        hours_tenths=10,
        focus_id=_value(elm.id, ReferenceKind.CPD_FOCUS, "Early reading"),
    )
    involvement = AgencyInvolvement(
        **common,
        pupil_id=pupil.id,
        agency_id=_own(Agency, elm.id, "camhs"),
        referred_on=DAY,
        referred_by_id=leader.id,
    )
    db.session.add_all([flag, *interventions, learning, involvement])
    db.session.commit()
    return {
        "elm": elm.id,
        "flag": flag.id,
        "involvement": involvement.id,
        "sdq": interventions[0].id,
        "none": interventions[1].id,
        "learning": learning.id,
    }


def _sql(text: str, **params):
    return db.session.execute(sa.text(text), params)


def test_0018_copies_the_lists_into_every_school_and_moves_every_link(empty_database_url):
    app = create_app(make_config(empty_database_url))
    with app.app_context():
        upgrade()
        ids = _school_records()
        db.session.remove()

        downgrade(revision=BEFORE)  # one shared list again; links and text follow
        assert _sql("SELECT count(*) FROM agencies").scalar() == 17
        assert _sql("SELECT count(*) FROM risk_factors").scalar() == 9
        ticked = _sql(
            "SELECT a.code FROM risk_flag_agencies l JOIN agencies a ON a.id = l.agency_id "
            "WHERE l.flag_id = :flag ORDER BY a.code",
            flag=ids["flag"],
        ).scalars()
        assert list(ticked) == ["camhs", "ot"]
        referred = _sql(
            "SELECT a.code FROM agency_involvements i JOIN agencies a ON a.id = i.agency_id"
        )
        assert referred.scalar() == "camhs"
        assert _sql("SELECT measure FROM interventions WHERE id = :i", i=ids["sdq"]).scalar() == (
            "SDQ total difficulties"
        )
        assert (
            _sql("SELECT measure FROM interventions WHERE id = :i", i=ids["none"]).scalar() is None
        )
        assert _sql("SELECT focus FROM learning_records").scalar() == "Early reading"
        # Text typed before the lists existed: the same measure spelled another way, and a new one.
        _sql(
            "UPDATE interventions SET measure = ' sdq TOTAL difficulties ' WHERE id = :i",
            i=ids["sdq"],
        )
        _sql("UPDATE interventions SET measure = 'Strengths scale' WHERE id = :i", i=ids["none"])
        db.session.commit()
        db.session.remove()

        upgrade()
        elm = ids["elm"]
        for school_id in _sql("SELECT id FROM schools").scalars().all():
            assert (
                _sql("SELECT count(*) FROM agencies WHERE school_id = :s", s=school_id).scalar()
                == 17
            )
        flag = db.session.get_one(RiskFlag, ids["flag"])
        assert {(a.school_id, a.code) for a in flag.agencies} == {(elm, "camhs"), (elm, "ot")}
        assert [(f.school_id, f.code) for f in flag.risk_factors] == [(elm, "attendance")]
        involvement = db.session.get_one(AgencyInvolvement, ids["involvement"])
        assert (involvement.agency.school_id, involvement.agency.code) == (elm, "camhs")
        sdq = db.session.get_one(Intervention, ids["sdq"])
        assert sdq.measure_value.school_id == elm and sdq.measure == "SDQ total difficulties"
        other = db.session.get_one(Intervention, ids["none"])
        assert other.measure == "Strengths scale" and other.measure_value.school_id == elm
        assert (
            _sql("SELECT count(*) FROM reference_values WHERE name = 'Strengths scale'").scalar()
            == 1
        )  # only the school that typed it
        learning = db.session.get_one(LearningRecord, ids["learning"])
        assert learning.focus == "Early reading" and learning.focus_value.school_id == elm
        db.session.remove()
        db.engine.dispose()
