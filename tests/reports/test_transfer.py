"""Transfer packs for leavers: the page, the pack, the record and its receipt (R71)."""

import pytest
import sqlalchemy as sa

from school_tracker.extensions import db
from school_tracker.models import AuditEntry, Pupil, Role, TransferRecord, User
from school_tracker.records.timeline import pupil_timeline
from tests.factories.exports import (
    HOSTILE,
    assert_hostile_cells_are_text,
    assert_no_formulas,
    workbook_rows,
)

SENT_TO = "Riverside Academy"


def _page(pupil) -> str:
    return f"/reports/pupils/{pupil.id}/transfer"


def _transfers(app) -> list[TransferRecord]:
    with app.app_context():
        return list(db.session.scalars(sa.select(TransferRecord).order_by(TransferRecord.id)))


def _audit(app, entity_type: str) -> list[AuditEntry]:
    with app.app_context():
        return list(
            db.session.scalars(sa.select(AuditEntry).where(AuditEntry.entity_type == entity_type))
        )


def test_the_page_shows_the_form_and_history(export_world, client, auth):
    auth.login(export_world.leader.email)
    page = client.get(_page(export_world.mentee)).get_data(as_text=True)
    assert 'name="sent_to"' in page and "No transfer pack produced yet." in page
    assert "<title>Transfer pack" in page and "Menteeson</title>" not in page


@pytest.mark.requirement("R71")
def test_producing_a_pack_records_the_transfer_and_downloads_it(app, export_world, client, auth):
    auth.login(export_world.leader.email)
    response = client.post(_page(export_world.mentee), data={"sent_to": SENT_TO})
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith(
        f"attachment; filename=oakfield_transfer-pack_pupil-{export_world.mentee.id}_"
    )
    assert response.headers["Cache-Control"] == "no-store"
    rows = workbook_rows(response.data)
    cover = dict((row[0], row[1]) for row in rows["Cover"][1:])
    assert cover["Report"] == "Transfer pack: for the receiving school's DSL"
    assert "Record access log" not in rows  # the old school's access log stays here
    assert_no_formulas(response.data)
    assert assert_hostile_cells_are_text(response.data, HOSTILE) >= len(HOSTILE) - 1
    [record] = _transfers(app)
    assert record.sent_to == SENT_TO and record.pupil_id == export_world.mentee.id
    assert record.created_by_id == export_world.leader.id and record.receipt_confirmed_at is None
    [created] = _audit(app, "transfer_record")
    [exported] = _audit(app, "transfer_pack")
    assert created.pupil_id == exported.pupil_id == export_world.mentee.id
    assert exported.entity_id == record.id and "Riverside" not in str(exported.changes)


@pytest.mark.requirement("R71")
def test_the_pack_holds_every_chronology_entry(app, export_world, client, auth):
    auth.login(export_world.leader.email)
    rows = workbook_rows(client.post(_page(export_world.mentee), data={"sent_to": SENT_TO}).data)
    chronology = {(row[0].date(), row[1]) for row in rows["Chronology"][1:]}
    with app.test_request_context():
        entries = pupil_timeline(
            db.session.get(Pupil, export_world.mentee.id),
            db.session.get(User, export_world.leader.id),
        )
    # The running suspension total is a summary, not an entry of its own.
    timeline = {(e.on, e.kind) for e in entries if e.kind != "Suspensions this academic year"}
    assert len(timeline) >= 6 and timeline <= chronology


@pytest.mark.parametrize(
    ("sent_to", "message"),
    [
        ("", "Enter the name of the school"),
        ("Evil\u202eSchool", "direction-changing"),
        ("x" * 201, "200 characters"),
    ],
)
def test_a_bad_school_name_is_refused_and_nothing_recorded(
    app, export_world, client, auth, sent_to, message
):
    auth.login(export_world.leader.email)
    response = client.post(_page(export_world.mentee), data={"sent_to": sent_to})
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert _transfers(app) == [] and _audit(app, "transfer_pack") == []


@pytest.mark.requirement("R71")
def test_receipt_is_recorded_once(app, export_world, client, auth):
    auth.login(export_world.leader.email)
    client.post(_page(export_world.mentee), data={"sent_to": SENT_TO})
    [record] = _transfers(app)
    url = f"/reports/transfers/{record.id}/received"
    response = client.post(url)
    assert response.status_code == 302 and response.headers["Location"].endswith(
        _page(export_world.mentee)
    )
    [record] = _transfers(app)
    assert record.receipt_confirmed_at is not None
    assert record.receipt_confirmed_by_id == export_world.leader.id
    first = record.receipt_confirmed_at
    client.post(url)
    assert _transfers(app)[0].receipt_confirmed_at == first
    assert len(_audit(app, "transfer_record")) == 2  # created, then receipt confirmed
    page = client.get(_page(export_world.mentee)).get_data(as_text=True)
    assert "Confirmed" in page and "Lena Leader" in page


def test_another_schools_pupil_or_transfer_is_not_found(app, export_world, client, auth, make_user):
    other_leader = make_user(Role.LEADER, school=export_world.other_school)
    auth.login(export_world.leader.email)
    assert client.get(_page(export_world.other_pupil)).status_code == 404
    assert (
        client.post(_page(export_world.other_pupil), data={"sent_to": SENT_TO}).status_code == 404
    )
    client.post(_page(export_world.mentee), data={"sent_to": SENT_TO})
    [record] = _transfers(app)
    client.post("/logout")
    auth.login(other_leader.email)
    assert client.post(f"/reports/transfers/{record.id}/received").status_code == 404
    assert _transfers(app)[0].receipt_confirmed_at is None


@pytest.mark.parametrize("role", [Role.STAFF, Role.ADMIN, Role.GOVERNOR, Role.TRUST_LEADER])
def test_only_leaders_may_transfer(app, export_world, login_as, client, role):
    login_as(role, school=export_world.school)
    assert client.get(_page(export_world.mentee)).status_code == 403
    assert client.post(_page(export_world.mentee), data={"sent_to": SENT_TO}).status_code == 403
    assert client.post("/reports/transfers/1/received").status_code == 403
    assert _transfers(app) == []


def test_reports_page_links_recent_leavers(export_world, client, auth):
    auth.login(export_world.leader.email)
    page = client.get("/reports/").get_data(as_text=True)
    assert f'href="{_page(export_world.left)}"' in page
    assert f'href="{_page(export_world.mentee)}"' not in page  # still on roll


@pytest.mark.browser
def test_transfer_page_and_leader_exports_pass_axe(app, export_world, client, auth):
    from tests.conftest import PASSWORD
    from tests.support.accessibility import axe_violations
    from tests.support.browser import browser_page, live_server

    auth.login(export_world.leader.email)
    client.post(_page(export_world.left), data={"sent_to": SENT_TO})  # a row with a receipt button
    with live_server(app) as base, browser_page() as page:
        page.goto(f"{base}/login")
        page.get_by_label("E-mail").fill(export_world.leader.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{base}/")
        problems = {}
        for path in ("/reports/", _page(export_world.left), _page(export_world.mentee)):
            page.goto(base + path)
            problems[path] = axe_violations(page)
        page.goto(base + _page(export_world.mentee))
        page.get_by_role("button", name="Record the transfer and download the pack").click()
        problems["errors"] = axe_violations(page)  # the empty name comes back with an error
    assert problems == {path: [] for path in problems}
