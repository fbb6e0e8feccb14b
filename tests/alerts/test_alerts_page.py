"""The alerts page: each person sees and marks only their own alerts, in any role or school; an
alert opens its record only while its feature still lets them see it; the nav count is cheap."""

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from school_tracker.extensions import db
from school_tracker.models import Alert, AlertKind, Pupil, Role
from tests.factories.alerts import update_named
from tests.factories.risk import MARKER, make_flag, seed_reference


@pytest.fixture
def named(app, school, make_user, make_pupil, make_school) -> dict:
    """A flag naming Amy raised by a leader, so Amy has one alert; Ben has his own alert."""
    seed_reference(app)
    people = {
        "leader": make_user(Role.LEADER, school=school, full_name="Lena Leader"),
        "amy": make_user(Role.STAFF, school=school, full_name="Amy Teacher"),
        "ben": make_user(Role.STAFF, school=school, full_name="Ben Teacher"),
        "governor": make_user(Role.GOVERNOR, school=school),
        "stranger": make_user(Role.LEADER, school=make_school(slug="elm", name="Elm")),
    }
    pupil = make_pupil(school, legal_surname="Okafor", legal_forename="Tayo")
    people["flag"] = make_flag(app, pupil, people["leader"], named=[people["amy"], people["ben"]])
    with app.app_context():
        ids = dict(
            db.session.execute(sa.select(Alert.recipient_id, Alert.id).order_by(Alert.id)).all()
        )
    people["amy_alert"], people["ben_alert"] = ids[people["amy"].id], ids[people["ben"].id]
    return people


def _read_at(app, alert_id: int):
    with app.app_context():
        value = db.session.get(Alert, alert_id).read_at
        db.session.remove()
    return value


def test_the_page_lists_ones_own_alert_with_who_what_when_and_no_pupil_details(client, auth, named):
    auth.login(named["amy"].email)
    page = client.get("/alerts/").get_data(as_text=True)
    assert "Unread (1)" in page
    assert "You were named on an exclusion-risk flag" in page and "From Lena Leader" in page
    assert f'href="/alerts/{named["amy_alert"]}/open"' in page
    assert f"/alerts/{named['ben_alert']}/" not in page  # Ben's alert is Ben's
    for detail in ("Okafor", "Tayo", MARKER):
        assert detail not in page
    assert 'data-testid="alert-badge">1<' in page


def test_opening_an_alert_goes_to_the_record_while_the_person_may_see_it(app, client, auth, named):
    auth.login(named["amy"].email)
    response = client.get(f"/alerts/{named['amy_alert']}/open")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/risk/{named['flag']}")
    assert client.get(response.headers["Location"]).status_code == 200


@pytest.mark.requirement("R21")
def test_an_alert_no_longer_opens_a_flag_the_person_was_taken_off(app, client, auth, named):
    """R21: the alert stays, but the flag is asked again on opening and refuses."""
    update_named(app, named["flag"], named["leader"], [named["ben"]])
    auth.login(named["amy"].email)
    response = client.get(f"/alerts/{named['amy_alert']}/open")
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "You can no longer open this record" in body and "Okafor" not in body
    assert client.get(f"/risk/{named['flag']}").status_code == 404


@pytest.mark.requirement("R19")
@pytest.mark.parametrize("who", ["ben", "governor", "stranger", "leader"])
def test_nobody_else_opens_or_marks_someone_elses_alert(app, client, auth, named, who):
    """R19, R24: another person, whatever their role or school, gets 404 and changes nothing."""
    auth.login(named[who].email)
    alert_id = named["amy_alert"]
    assert client.get(f"/alerts/{alert_id}/open").status_code == 404
    assert client.post(f"/alerts/{alert_id}/read").status_code == 404
    assert client.post("/alerts/read-all").status_code == 302
    assert _read_at(app, alert_id) is None
    page = client.get("/alerts/").get_data(as_text=True)
    assert f"/alerts/{alert_id}/" not in page


@pytest.mark.requirement("R24")
def test_a_governor_has_an_alerts_page_with_only_their_own_account_alerts(app, client, auth, named):
    """R24: a governor is never alerted about a record, so their page names none."""
    auth.login(named["governor"].email)
    page = client.get("/alerts/").get_data(as_text=True)
    assert "No unread alerts." in page and "Open the" not in page


def test_mark_one_read_then_all_read(app, client, auth, named):
    flag_id = make_flag(app, *_pupil_and(app, named), named=[named["amy"]])
    auth.login(named["amy"].email)
    assert 'data-testid="alert-badge">2<' in client.get("/alerts/").get_data(as_text=True)
    response = client.post(f"/alerts/{named['amy_alert']}/read", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Alert marked as read." in page and "Unread (1)" in page
    assert 'data-testid="alert-badge">1<' in page
    assert _read_at(app, named["amy_alert"]) is not None
    page = client.post("/alerts/read-all", follow_redirects=True).get_data(as_text=True)
    assert "All alerts marked as read." in page and "No unread alerts." in page
    assert "alert-badge" not in page
    with app.app_context():
        unread = db.session.scalars(sa.select(Alert.recipient_id).where(Alert.read_at.is_(None)))
        assert list(unread) == [named["ben"].id]  # Ben's own alert is untouched
        assert db.session.scalar(sa.select(Alert.record_id).order_by(Alert.id.desc())) == flag_id


def _pupil_and(app, named) -> tuple:
    """The flagged pupil and the leader, to raise a second flag on."""
    with app.app_context():
        pupil = db.session.scalar(sa.select(Pupil))
        db.session.expunge(pupil)
    return pupil, named["leader"]


def test_the_nav_count_is_one_query_a_page(app, client, auth, named):
    auth.login(named["amy"].email)
    statements: list[str] = []

    def remember(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", remember)
    try:
        home = client.get("/").get_data(as_text=True)  # the home page shows the count twice
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    assert "1 unread alert" in home and 'data-testid="alert-badge">1<' in home
    assert len([s for s in statements if "FROM alerts" in s]) == 1


def test_kinds_read_as_their_labels():
    assert AlertKind.FLAG_NAMED.label == "You were named on an exclusion-risk flag"
    assert all(kind.label for kind in AlertKind)
    assert {k for k in AlertKind if k.is_account_security} == {
        AlertKind.PASSWORD_CHANGED,
        AlertKind.TWO_FACTOR_ON,
        AlertKind.TWO_FACTOR_OFF,
        AlertKind.ROLE_CHANGED,
        AlertKind.SIGNED_OUT_EVERYWHERE,
    }
