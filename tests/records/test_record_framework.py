"""The record framework: save_or_refuse hands back what a service made, edits diff links as
sets, and every loader is scoped to the signed-in user's school and what they may see."""

from dataclasses import dataclass, replace
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_wtf import FlaskForm
from werkzeug.exceptions import NotFound
from wtforms import StringField

from school_tracker.calendar.terms import school_today
from school_tracker.exclusions import queries as exclusion_queries
from school_tracker.exclusions import services as exclusion_services
from school_tracker.extensions import db
from school_tracker.kindness import queries as kindness_queries
from school_tracker.kindness import services as kindness_services
from school_tracker.models import (
    ExclusionKind,
    KindnessMoment,
    KindnessValue,
    KindPersonKind,
    MeetingFrequency,
    MentoringPairing,
    Pupil,
    Role,
    School,
    User,
)
from school_tracker.records.priorities import priorities_by_code
from school_tracker.records.pupils import get_on_roll_pupil_or_404, get_pupil_or_404
from school_tracker.records.versions import StaleRecordError, set_values
from school_tracker.records.web import save_or_refuse
from school_tracker.risk import services as risk_services
from tests.factories.mentoring import make_moment, make_pairing
from tests.factories.risk import make_flag, reason_id, seed_reference

TODAY = school_today()


class GiverForm(FlaskForm):
    """A form with the field a kindness refusal names, so the message has a place to go."""

    giver_name = StringField()


@dataclass(frozen=True)
class World:
    school: School
    leader: User
    staff: User
    other_leader: User
    pupil: Pupil
    leaver: Pupil


@pytest.fixture
def world(app, make_school, make_user, make_pupil) -> World:
    school = make_school()
    other = make_school(slug="riverside", name="Riverside Primary")
    return World(
        school=school,
        leader=make_user(Role.LEADER, school=school),
        staff=make_user(Role.STAFF, school=school),
        other_leader=make_user(Role.LEADER, school=other),
        pupil=make_pupil(school),
        leaver=make_pupil(school, leaving_date=TODAY - timedelta(days=3)),
    )


def _moment(giver_name: str = "Mrs Clarke") -> kindness_services.MomentDetails:
    return kindness_services.MomentDetails(
        giver_kind=KindPersonKind.STAFF,
        giver_name=giver_name,
        description="Helped a new pupil find the library.",
        values=(KindnessValue.FRIENDSHIP,),
        occurred_on=TODAY - timedelta(days=1),
    )


def _moment_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(KindnessMoment))


def test_save_or_refuse_returns_the_record_the_service_made_and_commits_it(app, world):
    with app.test_request_context(method="POST"):
        form = GiverForm(meta={"csrf": False})
        by = db.session.get(User, world.staff.id)
        made = save_or_refuse(
            form,
            lambda: kindness_services.record_moment(world.school.id, _moment(), by=by, today=TODAY),
        )
        assert isinstance(made, KindnessMoment)
        made_id = made.id
    with app.app_context():
        assert db.session.get(KindnessMoment, made_id).giver_name == "Mrs Clarke"


def test_a_refusal_returns_none_undoes_the_work_and_sits_beside_its_field(app, world):
    with app.test_request_context(method="POST"):
        form = GiverForm(meta={"csrf": False})
        by = db.session.get(User, world.staff.id)
        made = save_or_refuse(
            form,
            lambda: kindness_services.record_moment(
                world.school.id, _moment(giver_name=" "), by=by, today=TODAY
            ),
        )
        assert made is None
        assert form.giver_name.errors == ["Give the name of the person who was kind."]
    with app.app_context():
        assert _moment_count() == 0


def test_an_edit_that_changes_nothing_is_saved_rather_than_refused(app, world):
    moment_id = make_moment(app, world.school.id, world.staff, giver_name="Mrs Clarke")
    with app.test_request_context(method="POST"):
        form = GiverForm(meta={"csrf": False})
        moment = db.session.get(KindnessMoment, moment_id)
        same = replace(
            _moment(),
            description=moment.description,
            occurred_on=moment.occurred_on,
        )
        changes = save_or_refuse(
            form,
            lambda: kindness_services.update_moment(
                moment,
                same,
                by=db.session.get(User, world.staff.id),
                today=TODAY,
                expected_version=moment.version_id,
            ),
        )
        assert changes == {}


def test_a_service_that_returns_nothing_is_a_mistake_and_nothing_is_committed(app, world):
    with app.test_request_context(method="POST"):
        form = GiverForm(meta={"csrf": False})
        by = db.session.get(User, world.staff.id)

        def forgets_to_return() -> None:
            kindness_services.record_moment(world.school.id, _moment(), by=by, today=TODAY)

        with pytest.raises(TypeError, match="returned None"):
            save_or_refuse(form, forgets_to_return)
    with app.app_context():
        assert _moment_count() == 0


def test_a_stale_edit_is_a_409_that_links_to_the_record_even_if_the_service_did_not(app, world):
    seed_reference(app)
    flag_id = make_flag(app, world.pupil, world.leader)
    with app.test_request_context(method="POST"):
        form = GiverForm(meta={"csrf": False})
        flag = db.session.get(risk_services.RiskFlag, flag_id)
        details = risk_services.FlagDetails(review_on=flag.review_on + timedelta(days=7))
        with pytest.raises(StaleRecordError) as refused:
            save_or_refuse(
                form,
                lambda: risk_services.update_flag(
                    flag, details, by=db.session.get(User, world.leader.id), expected_version=0
                ),
                f"/risk/{flag_id}",
            )
    assert refused.value.code == 409 and refused.value.view_url == f"/risk/{flag_id}"


def test_links_count_as_changed_only_when_the_set_of_rows_differs(app, world):
    pairing_id = make_pairing(app, world.pupil, world.staff)
    with app.app_context():
        pairing = db.session.get(MentoringPairing, pairing_id)
        both = priorities_by_code(["P4b", "P1"])
        safe = frozenset({"priorities", "frequency"})
        assert set_values(pairing, {"priorities": both}, safe_values=safe) == {
            "priorities": [["P1"], ["P1", "P4b"]]
        }
        reordered = list(reversed(pairing.priorities))
        assert set_values(pairing, {"priorities": reordered}, safe_values=safe) == {}
        monthly = {"frequency": MeetingFrequency.MONTHLY}
        assert set_values(pairing, monthly, safe_values=safe, new_value_only=True) == {
            "frequency": "monthly"
        }
        fortnightly = {"frequency": MeetingFrequency.FORTNIGHTLY}
        assert set_values(pairing, fortnightly) == {"frequency": "changed"}
        db.session.rollback()


def test_loaders_find_only_what_the_user_may_open(app, world):
    seed_reference(app)
    moment_id = make_moment(app, world.school.id, world.staff)
    with app.app_context():
        leader, staff = db.session.get(User, world.leader.id), db.session.get(User, world.staff.id)
        outsider = db.session.get(User, world.other_leader.id)
        exclusion = exclusion_services.record_exclusion(
            db.session.get(Pupil, world.pupil.id),
            exclusion_services.ExclusionData(
                kind=ExclusionKind.SUSPENSION,
                start_date=TODAY,
                sessions=2,
                reason_ids=[reason_id("PA")],
            ),
            by=leader,
            today=TODAY,
        )
        db.session.commit()
        assert exclusion_queries.get_exclusion_or_404(exclusion.id, user=leader) is exclusion
        for user in (staff, outsider):
            with pytest.raises(NotFound):
                exclusion_queries.get_exclusion_or_404(exclusion.id, user=user)
        assert kindness_queries.get_moment_or_404(moment_id, user=staff).id == moment_id
        with pytest.raises(NotFound):
            kindness_queries.get_moment_or_404(moment_id, user=outsider)
        assert get_pupil_or_404(world.leaver.id, user=staff).id == world.leaver.id
        with pytest.raises(NotFound):
            get_on_roll_pupil_or_404(world.leaver.id, user=staff)
        with pytest.raises(NotFound):
            get_pupil_or_404(world.pupil.id, user=outsider)
