"""A pupil who moves between the trust's schools (issue 16 item 8): the receiving school sees the
earlier school's suspensions this academic year, read-only and labelled, and nothing else."""

from datetime import timedelta

import pytest

from school_tracker.calendar.terms import school_today
from school_tracker.exclusions import queries, services
from school_tracker.extensions import db
from school_tracker.models import ExclusionKind, ParentConversation, Pupil, Role, User
from tests.conftest import AuthActions
from tests.factories.interventions import make_conversation
from tests.factories.risk import reason_id, seed_reference

TODAY = school_today()


@pytest.fixture
def moved(app, make_school, make_user, make_pupil):
    seed_reference(app)
    first = make_school(slug="first", name="First Academy")
    second = make_school(slug="second", name="Second Academy")
    people = {
        "first_leader": make_user(Role.LEADER, school=first),
        "second_leader": make_user(Role.LEADER, school=second),
        "second_staff": make_user(Role.STAFF, school=second),
    }
    pupil = make_pupil(first, legal_surname="Moverley")
    ids = {}
    with app.app_context():
        calendar = queries.school_calendar(first.id)
        calendar_start = queries.year_bounds(calendar, calendar.term_for(TODAY).key)[0]
        leader = db.session.get_one(User, people["first_leader"].id)
        for key, start, sessions in (
            ("this_year", TODAY - timedelta(days=10), 20),
            ("last_year", calendar_start - timedelta(days=30), 6),
        ):
            ids[key] = services.record_exclusion(
                db.session.get_one(Pupil, pupil.id),
                services.ExclusionData(
                    kind=ExclusionKind.SUSPENSION,
                    start_date=start,
                    sessions=sessions,
                    reason_ids=[reason_id("DB")],
                ),
                by=leader,
            ).id
        db.session.commit()
    ids["conversation"] = make_conversation(app, first, people["first_leader"], pupil)
    with app.app_context():  # the move: the roll import puts the pupil on the second roll
        db.session.get_one(Pupil, pupil.id).school_id = second.id
        db.session.commit()
    return {**people, "pupil": pupil, "ids": ids}


def _client(app, user):
    client = app.test_client()
    assert AuthActions(client).login(user.email).status_code == 302
    return client


def test_the_receiving_school_sees_this_years_suspensions_read_only(app, moved):
    client = _client(app, moved["second_leader"])
    pupil_id, ids = moved["pupil"].id, moved["ids"]
    listing = client.get(f"/exclusions/pupils/{pupil_id}").get_data(as_text=True)
    assert "Recorded by First Academy" in listing
    assert f'/exclusions/{ids["this_year"]}"' in listing
    assert f'/exclusions/{ids["last_year"]}"' not in listing  # an earlier year does not cross
    assert "10 days" in listing  # the 20 sessions count towards this year's totals here
    page = client.get(f"/exclusions/{ids['this_year']}")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "Recorded by First Academy" in body
    assert "/edit" not in body and "/cancel" not in body and "letter.pdf" not in body
    for url in (
        f"/exclusions/{ids['last_year']}",
        f"/exclusions/{ids['this_year']}/edit",
        f"/exclusions/{ids['this_year']}/follow-up",
        f"/exclusions/{ids['this_year']}/letter.pdf",
        f"/exclusions/{ids['this_year']}/reinstatement/new",
        f"/families/{ids['conversation']}",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/exclusions/{ids['this_year']}/cancel").status_code in (400, 404)
    timeline = client.get(f"/pupils/{pupil_id}").get_data(as_text=True)
    assert "an earlier school of the trust" in timeline
    with app.app_context():
        conversation = db.session.get_one(ParentConversation, ids["conversation"])
        assert conversation.carer_name not in timeline


def test_the_earlier_school_and_other_roles_see_nothing_of_it_here(app, moved):
    ids = moved["ids"]
    first = _client(app, moved["first_leader"])
    assert first.get(f"/exclusions/{ids['this_year']}").status_code == 200  # still its own
    assert first.get(f"/exclusions/pupils/{moved['pupil'].id}").status_code == 404
    staff = _client(app, moved["second_staff"])
    assert staff.get(f"/exclusions/{ids['this_year']}").status_code == 403
