"""R86: "today" is the date in England, not on the (UTC) server; ambiguous local times say GMT/BST.

At 23:30 UTC on 1 June 2026 it is 00:30 BST on 2 June: every default below must say 2 June.
"""

import ast
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from school_tracker import ROOT
from school_tracker.calendar.terms import school_today
from school_tracker.extensions import db
from school_tracker.models import AuditEntry, Pupil, RiskFlag, Role
from school_tracker.templating import date_uk
from tests.conftest import AuthActions
from tests.factories.imports import preview_id, roll_csv, upload
from tests.factories.risk import reason_id, seed_reference

JUST_AFTER_MIDNIGHT_BST = "2026-06-01 23:30:00"  # UTC; 00:30 on 2 June in London
IN_ENGLAND = date(2026, 6, 2)
SOURCE = ROOT / "school_tracker"


@pytest.fixture
def school(app, make_school):
    seed_reference(app)
    return make_school()


def _sign_in(client, user) -> None:
    assert AuthActions(client).login(user.email).status_code == 302


def _field_value(page: str, name: str) -> str:
    tag = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', page)
    assert tag, f"no {name} field"
    value = re.search(r'\bvalue="([^"]*)"', tag[0])
    return value[1] if value else ""


@pytest.mark.requirement("R86")
def test_school_today_is_the_london_date_just_after_midnight_bst():
    with freeze_time(JUST_AFTER_MIDNIGHT_BST):
        assert date.today() == date(2026, 6, 1)  # what the server's own clock says
        assert school_today() == IN_ENGLAND


def test_a_risk_flag_defaults_to_and_accepts_the_date_in_england(
    app, client, school, make_user, make_pupil
):
    leader, pupil = make_user(Role.LEADER, school=school), make_pupil(school)
    with freeze_time(JUST_AFTER_MIDNIGHT_BST):
        _sign_in(client, leader)
        page = client.get(f"/risk/pupils/{pupil.id}/new").get_data(as_text=True)
        assert _field_value(page, "raised_on") == "2026-06-02"
        saved = client.post(
            f"/risk/pupils/{pupil.id}/new",
            data={"raised_on": "2026-06-02", "level": "low", "review_on": "2026-06-20"},
        )
    assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]
    with app.app_context():
        assert db.session.scalar(sa.select(RiskFlag.raised_on)) == IN_ENGLAND


def test_a_suspension_defaults_to_and_accepts_the_date_in_england(
    app, client, school, make_user, make_pupil
):
    leader, pupil = make_user(Role.LEADER, school=school), make_pupil(school)
    with freeze_time(JUST_AFTER_MIDNIGHT_BST):
        _sign_in(client, leader)
        page = client.get(f"/exclusions/pupils/{pupil.id}/new").get_data(as_text=True)
        assert _field_value(page, "start_date") == "2026-06-02"
        with app.app_context():
            reason = reason_id("DB")
        saved = client.post(
            f"/exclusions/pupils/{pupil.id}/new",
            data={
                "kind": "suspension",
                "start_date": "2026-06-02",
                "sessions": "2",
                "reason_1": str(reason),
                "parents_notified": "y",
                "parents_notified_on": "2026-06-02",  # "in the future" by the server's date
            },
        )
    assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]


def test_the_reports_page_offers_the_term_it_is_in_england(client, school, make_user):
    leader = make_user(Role.LEADER, school=school)
    # 23:30 UTC on 31 July is 00:30 BST on 1 August: the default calendar's autumn term.
    with freeze_time("2026-07-31 23:30:00"):
        _sign_in(client, leader)
        page = client.get("/reports/").get_data(as_text=True)
    governors = re.search(r'<select[^>]*id="governors-term".*?</select>', page, re.S)
    assert re.findall(r'<option value="([^"]+)" selected>', governors[0]) == ["autumn-2026"]


def test_an_import_marks_leavers_with_the_date_in_england(
    app, client, school, make_user, make_pupil
):
    admin, leaver = make_user(Role.ADMIN, school=school), make_pupil(school)
    with freeze_time(JUST_AFTER_MIDNIGHT_BST):
        _sign_in(client, admin)
        import_id = preview_id(upload(client, roll_csv(1)))
        page = client.get(f"/imports/{import_id}").get_data(as_text=True)
        assert "leaving date 02/06/2026" in page
        done = client.post(f"/imports/{import_id}/confirm", data={"mark_leavers": "y"})
    assert done.status_code == 302
    with app.app_context():
        assert db.session.get(Pupil, leaver.id).leaving_date == IN_ENGLAND


def test_apply_retention_runs_as_of_the_date_in_england(app, runner):
    with freeze_time(JUST_AFTER_MIDNIGHT_BST):
        result = runner.invoke(args=["apply-retention"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        entry = db.session.scalar(
            sa.select(AuditEntry).where(AuditEntry.action == "apply_retention")
        )
    assert entry.changes["today"] == "2026-06-02"


@pytest.mark.requirement("R86")
@pytest.mark.parametrize(
    ("utc", "shown"),
    [
        (datetime(2026, 10, 24, 23, 59, tzinfo=UTC), "25 Oct 2026 00:59"),
        (datetime(2026, 10, 25, 0, 0, tzinfo=UTC), "25 Oct 2026 01:00 BST"),
        (datetime(2026, 10, 25, 0, 59, tzinfo=UTC), "25 Oct 2026 01:59 BST"),
        (datetime(2026, 10, 25, 1, 0, tzinfo=UTC), "25 Oct 2026 01:00 GMT"),
        (datetime(2026, 10, 25, 1, 59, tzinfo=UTC), "25 Oct 2026 01:59 GMT"),
        (datetime(2026, 10, 25, 2, 0, tzinfo=UTC), "25 Oct 2026 02:00"),
        (datetime(2026, 3, 29, 1, 30, tzinfo=UTC), "29 Mar 2026 02:30"),  # spring: no repeat
    ],
)
def test_only_the_repeated_autumn_hour_names_its_zone(utc, shown):
    assert date_uk(utc) == shown


def _server_clock_calls(path: Path) -> list[str]:
    """`date.today()`, `datetime.today()`, `datetime.now()` with no zone, `datetime.utcnow()`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        owner = node.func.value
        owner_name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", "")
        call = f"{owner_name}.{node.func.attr}"
        naive_now = call == "datetime.now" and not (node.args or node.keywords)
        if call in ("date.today", "datetime.today", "datetime.utcnow") or naive_now:
            found.append(f"{path.relative_to(SOURCE.parent)}:{node.lineno} {call}()")
    return found


# Nothing may read the server's local clock: dates for people come from school_today(),
# instants from datetime.now(UTC). Add "path:line call()" here only with a reason.
ALLOWED: set[str] = set()


@pytest.mark.requirement("R86")
def test_no_module_reads_the_servers_local_date():
    found = [hit for path in sorted(SOURCE.rglob("*.py")) for hit in _server_clock_calls(path)]
    assert set(found) - ALLOWED == set()
    assert set(found) >= ALLOWED, "an allowed call has gone: remove it from ALLOWED"
