"""Kindness services: the rules, hiding from the wall, the audit trail and lost updates."""

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, StatementError

from school_tracker.extensions import db
from school_tracker.kindness import services
from school_tracker.kindness.services import MomentDetails
from school_tracker.models import (
    KindnessMoment,
    KindnessMomentValue,
    KindnessValue,
    KindPersonKind,
    Role,
    User,
)
from school_tracker.records.reference import KINDNESS_VALUES
from school_tracker.records.versions import RecordRuleError, StaleRecordError
from tests.factories.mentoring import TODAY, audit_entries, make_moment


@pytest.fixture
def teacher(make_user, school):
    return make_user(Role.STAFF, school=school)


@pytest.fixture
def leader(make_user, school):
    return make_user(Role.LEADER, school=school)


@pytest.fixture
def pupil(make_pupil, school):
    return make_pupil(school, legal_surname="Kind", legal_forename="Kit")


def test_the_five_values_match_the_reference_list():
    assert tuple(v.value for v in KindnessValue) == KINDNESS_VALUES


def test_record_a_pupils_kindness_linked_to_p1_and_audited(app, school, teacher, pupil, make_pupil):
    friend = make_pupil(school)
    moment_id = make_moment(
        app,
        school.id,
        teacher,
        giver=pupil,
        receiver=friend,
        values=(KindnessValue.PATIENCE, KindnessValue.FRIENDSHIP),
        description="Helped with shoelaces. TOPSECRET",
    )
    with app.app_context():
        moment = db.session.get(KindnessMoment, moment_id)
        assert moment.values == [KindnessValue.PATIENCE, KindnessValue.FRIENDSHIP]
        assert [p.code for p in moment.priorities] == ["P1"]
        assert moment.created_by_id == teacher.id and not moment.hidden
        (entry,) = audit_entries("kindness_moment", moment_id)
        assert entry.action == "create" and entry.pupil_id == pupil.id
        assert entry.changes["values"] == [None, ["patience", "friendship"]]
        assert "TOPSECRET" not in json.dumps(entry.changes)


def _details(**overrides) -> MomentDetails:
    values = dict(
        giver_kind=KindPersonKind.STAFF,
        giver_name="Mrs Clarke",
        description="Stayed late to fix the bike.",
        values=(KindnessValue.PROBLEM_SOLVING,),
        occurred_on=TODAY,
    )
    values.update(overrides)
    return MomentDetails(**values)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"values": ()}, "values"),
        ({"occurred_on": TODAY + timedelta(days=1)}, "occurred_on"),
        ({"description": "  "}, "description"),
        ({"giver_name": None}, "giver_name"),
        ({"giver_kind": KindPersonKind.PUPIL, "giver_name": None}, "giver_pupils"),
        ({"receiver_name": "Sam", "receiver_pupil_id": "PUPIL"}, "receiver_name"),
        (
            {
                "giver_kind": KindPersonKind.PUPIL,
                "giver_pupil_ids": ("PUPIL",),
                "receiver_pupil_id": "PUPIL",
            },
            "receiver_pupil",
        ),
        ({"giver_kind": KindPersonKind.PUPIL, "giver_pupil_ids": ("STRANGER",)}, "giver_pupils"),
        ({"receiver_pupil_id": "STRANGER"}, "receiver_pupil"),
        ({"priority_codes": ()}, "priorities"),
    ],
)
def test_rules(app, make_school, make_pupil, school, teacher, pupil, overrides, field):
    stranger = make_pupil(make_school("elsewhere"))
    ids = {"PUPIL": pupil.id, "STRANGER": stranger.id}
    overrides = {
        k: tuple(ids[i] for i in v)
        if k == "giver_pupil_ids"
        else ids.get(v, v)
        if isinstance(v, str)
        else v
        for k, v in overrides.items()
    }
    with app.app_context():
        with pytest.raises(RecordRuleError) as caught:
            services.record_moment(
                school.id, _details(**overrides), by=db.session.get(User, teacher.id), today=TODAY
            )
        assert caught.value.field == field
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count(KindnessMoment.id))) == 0


def test_a_pupil_giver_ignores_a_stray_name(app, school, teacher, pupil):
    details = _details(giver_kind=KindPersonKind.PUPIL, giver_pupil_ids=(pupil.id,))
    with app.app_context():
        moment = services.record_moment(
            school.id, details, by=db.session.get(User, teacher.id), today=TODAY
        )
        assert moment.giver_name is None and moment.giver_pupil_ids == [pupil.id]


def test_database_checks(app, school, pupil):
    with app.app_context():
        bad = [
            dict(giver_kind=KindPersonKind.PUPIL, giver_name="Kit"),
            dict(giver_kind=KindPersonKind.STAFF, giver_name="A", giver_group="7B"),
            dict(
                giver_kind=KindPersonKind.STAFF,
                giver_name="A",
                receiver_name="B",
                receiver_pupil_id=pupil.id,
            ),
            dict(giver_kind=KindPersonKind.STAFF, giver_name="A", hidden=True),
        ]
        for columns in bad:
            db.session.add(
                KindnessMoment(school_id=school.id, description="x", occurred_on=TODAY, **columns)
            )
            with pytest.raises(IntegrityError):
                db.session.flush()
            db.session.rollback()
        moment = KindnessMoment(
            school_id=school.id,
            description="x",
            occurred_on=TODAY,
            giver_kind=KindPersonKind.STAFF,
            giver_name="A",
        )
        db.session.add(moment)
        db.session.flush()
        with pytest.raises((IntegrityError, StatementError)):
            db.session.execute(
                sa.insert(KindnessMomentValue.__table__).values(moment_id=moment.id, value="greed")
            )
        db.session.rollback()


def test_update_audits_values_and_refuses_a_stale_save(app, school, teacher, pupil):
    moment_id = make_moment(app, school.id, teacher, giver=pupil)
    with app.app_context():
        moment = db.session.get(KindnessMoment, moment_id)
        by = db.session.get(User, teacher.id)
        new = _details(
            giver_kind=KindPersonKind.PUPIL,
            giver_pupil_ids=(pupil.id,),
            values=(KindnessValue.FRIENDSHIP, KindnessValue.TOLERANCE),
            description="Invited a new pupil to join the game.",
            occurred_on=TODAY - timedelta(days=1),
        )
        changes = services.update_moment(moment, new, by=by, today=TODAY, expected_version=1)
        db.session.commit()
        assert changes == {"values": [["friendship"], ["tolerance", "friendship"]]}
        assert moment.version_id == 2
        assert audit_entries("kindness_moment", moment_id)[-1].action == "update"
        with pytest.raises(StaleRecordError):
            services.update_moment(
                moment, _details(), by=by, today=TODAY, expected_version=1, view_url="/k/1"
            )


def test_hide_and_show_are_leader_only_need_a_reason_and_are_audited(
    app, school, teacher, leader, pupil
):
    moment_id = make_moment(app, school.id, teacher, giver=pupil)
    with app.app_context():
        moment = db.session.get(KindnessMoment, moment_id)
        staff, lead = db.session.get(User, teacher.id), db.session.get(User, leader.id)
        with pytest.raises(RecordRuleError, match="Only leaders"):
            services.hide_moment(moment, reason="No", by=staff)
        with pytest.raises(RecordRuleError, match="Say why"):
            services.hide_moment(moment, reason="  ", by=lead)
        services.hide_moment(moment, reason="Mentions a family matter SECRETREASON", by=lead)
        db.session.commit()
        assert moment.hidden and moment.hidden_by_id == leader.id and moment.hidden_at
        with pytest.raises(RecordRuleError, match="already hidden"):
            services.hide_moment(moment, reason="again", by=lead)
        with pytest.raises(StaleRecordError):
            services.unhide_moment(moment, by=lead, expected_version=1)
        services.unhide_moment(moment, by=lead, expected_version=moment.version_id)
        db.session.commit()
        assert not moment.hidden and moment.hidden_reason is None
        entries = audit_entries("kindness_moment", moment_id)
        assert [e.action for e in entries] == ["create", "hide", "unhide"]
        assert entries[1].changes == {"hidden": [False, True], "hidden_reason": "set"}
        assert "SECRETREASON" not in json.dumps([e.changes for e in entries])
