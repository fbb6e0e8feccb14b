"""The privacy scan can catch a leak, and two senders at once deliver each message once."""

import threading

import pytest
import sqlalchemy as sa

from school_tracker.extensions import db
from school_tracker.mail.sender import send_due_messages
from school_tracker.models import OutboxMessage, OutboxStatus, Role
from tests.factories.risk import MARKER, make_flag, seed_reference
from tests.mail.privacy_scan import protected_values, pupil_details_in
from tests.support.smtp import RECEIVED, ReceivedMail


def test_the_scan_finds_a_pupils_name_upn_and_record_text(app, school, make_user, make_pupil):
    seed_reference(app)
    leader = make_user(Role.LEADER, school=school)
    pupil = make_pupil(school, legal_surname="Okafor", legal_forename="Tayo")
    make_flag(app, pupil, leader)
    leaks = [
        ReceivedMail(["a@example.org"], "About Okafor", "nothing else"),
        ReceivedMail(["a@example.org"], "Hello", f"UPN {pupil.upn}"),
        ReceivedMail(["a@example.org"], "Hello", f"Loves football. {MARKER}"),
        ReceivedMail(["a@example.org"], "Hello", "Named by Test Person at Oakfield Primary"),
    ]
    with app.app_context():
        found = pupil_details_in(leaks, protected_values())
    assert {subject for _, subject in found} == {"About Okafor", "Hello"}
    assert {value for value, _ in found} >= {"Okafor", pupil.upn}
    assert not pupil_details_in(leaks[3:], protected_values_of(app))


def protected_values_of(app) -> set[str]:
    with app.app_context():
        return protected_values()


def test_every_message_this_run_received_is_kept_for_the_scan(app, school, make_user, smtp):
    # The session-wide collector sees each message the per-test list sees.
    from school_tracker.alerts.services import raise_alert
    from school_tracker.models import AlertKind, User

    amy = make_user(Role.STAFF, school=school)
    before = len(RECEIVED)
    with app.app_context():
        raise_alert(db.session.get_one(User, amy.id), AlertKind.TWO_FACTOR_ON, by=None)
        db.session.commit()
        assert send_due_messages().sent == 1
    assert len(RECEIVED) == before + 1 and RECEIVED[-1] is smtp.received[-1]


@pytest.mark.parametrize("senders", [2])
def test_two_senders_at_once_deliver_each_message_once(
    app, school, make_user, make_pupil, smtp, senders
):
    seed_reference(app)
    leader = make_user(Role.LEADER, school=school)
    staff = [make_user(Role.STAFF, school=school) for _ in range(6)]
    for _ in range(4):  # four flags naming six people: 24 messages
        make_flag(app, make_pupil(school), leader, named=staff)
    start = threading.Barrier(senders)
    errors: list[BaseException] = []

    def sender() -> None:
        try:
            with app.app_context():
                start.wait()
                send_due_messages()
                db.session.remove()
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=sender) for _ in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(smtp.received) == 24
    per_address = sorted(m.to[0] for m in smtp.received)
    assert per_address == sorted(u.email for u in staff for _ in range(4))
    with app.app_context():
        statuses = set(db.session.scalars(sa.select(OutboxMessage.status)))
        attempts = set(db.session.scalars(sa.select(OutboxMessage.attempts)))
    assert statuses == {OutboxStatus.SENT} and attempts == {1}
