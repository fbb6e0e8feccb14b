"""Agency involvement (issue 16 item 5): rules, who sees it, timeline, alerts, dashboard."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from school_tracker.agencies import services
from school_tracker.alerts.services import raise_due_alerts
from school_tracker.calendar.terms import TermCalendar
from school_tracker.dashboard.drilldown import drill_pupils
from school_tracker.dashboard.figures import build_dashboard
from school_tracker.dashboard.sources import DashboardFilters
from school_tracker.extensions import db
from school_tracker.models import (
    Agency,
    AgencyInvolvement,
    Alert,
    AlertKind,
    AuditEntry,
    InvolvementStatus,
    Pupil,
    Role,
    User,
)
from school_tracker.privacy.retention import REMOVED, apply_retention
from school_tracker.records.versions import RecordRuleError
from tests.conftest import PASSWORD
from tests.factories.reference import coded_id
from tests.factories.risk import make_flag

TODAY = date(2026, 12, 5)
CONTACT = "PELICAN-CONTACT-4410"  # a professional's contact: never in the audit trail
AUTUMN = TermCalendar().recent("autumn-2026", 1)


@pytest.fixture
def staffroom(app, make_school, make_user, make_pupil) -> dict:
    school = make_school()
    elsewhere = make_school("elm", "Elm Primary")
    return {
        "school": school,
        "leader": make_user(Role.LEADER, school=school, full_name="Lena Leader"),
        "amy": make_user(Role.STAFF, school=school, full_name="Amy Teacher"),
        "ben": make_user(Role.STAFF, school=school, full_name="Ben Teacher"),
        "cal": make_user(Role.STAFF, school=school, full_name="Cal Teacher"),
        "admin": make_user(Role.ADMIN, school=school, full_name="Ada Admin"),
        "governor": make_user(Role.GOVERNOR, school=school, full_name="Gil Governor"),
        "stranger": make_user(Role.LEADER, school=elsewhere, full_name="Sol Elsewhere"),
        "pupil": make_pupil(school, legal_surname="Okafor", legal_forename="Tayo"),
        "other_pupil": make_pupil(school, legal_surname="Brown", legal_forename="Kit"),
        "elsewhere_pupil": make_pupil(elsewhere),
    }


def _agency(code: str, school_id: int) -> int:
    return coded_id(Agency, school_id, code)


def _data(referred_by: User, **overrides) -> services.InvolvementData:
    values = dict(
        agency_id=_agency("camhs", referred_by.school_id),
        referred_on=TODAY - timedelta(days=20),
        referred_by_id=referred_by.id,
        status=InvolvementStatus.REFERRED,
        professional_role="CAMHS clinician",
        professional_contact=CONTACT,
        next_step="Chase the appointment letter",
        next_step_on=TODAY + timedelta(days=7),
    )
    values.update(overrides)
    return services.InvolvementData(**values)


def _create(app, staffroom, pupil_key="pupil", by="amy", **overrides) -> int:
    with app.app_context():
        user = db.session.get(User, staffroom[by].id)
        record = services.create_involvement(
            staffroom["school"].id,
            staffroom[pupil_key].id,
            _data(user, **overrides),
            by=user,
            today=TODAY,
        )
        db.session.commit()
        return record.id


def _client(app, user: User):
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


@pytest.mark.requirement("R67")
def test_create_audits_dates_and_ids_but_not_the_contact(app, staffroom):
    record_id = _create(app, staffroom, named_staff_ids=[staffroom["ben"].id])
    with app.app_context():
        record = db.session.get(AgencyInvolvement, record_id)
        assert record.agency.code == "camhs" and record.ended_on is None
        assert [u.full_name for u in record.named_staff] == ["Ben Teacher"]
        entry = db.session.scalar(
            sa.select(AuditEntry).where(AuditEntry.entity_type == "agency_involvement")
        )
        assert entry.pupil_id == staffroom["pupil"].id
        assert entry.changes["status"] == "referred"
        assert CONTACT not in str(entry.changes) and "clinician" not in str(entry.changes)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"referred_on": TODAY + timedelta(days=1)}, "referred_on"),
        ({"referred_on": TODAY - timedelta(days=366 * 11)}, "referred_on"),
        ({"next_step_on": TODAY - timedelta(days=30)}, "next_step_on"),
        ({"next_step": "  "}, "next_step"),
        ({"status": InvolvementStatus.CLOSED}, "outcome_notes"),
        ({"agency_id": 999_999}, "agency_id"),
        ({"referred_by_id": 999_999}, "referred_by_id"),
        ({"named_staff_ids": [999_999]}, "named_staff_ids"),
    ],
)
def test_rules_refuse_bad_values(app, staffroom, overrides, field):
    with app.app_context():
        amy = db.session.get(User, staffroom["amy"].id)
        with pytest.raises(RecordRuleError) as error:
            services.create_involvement(
                staffroom["school"].id,
                staffroom["pupil"].id,
                _data(amy, **overrides),
                by=amy,
                today=TODAY,
            )
        assert error.value.field == field
        assert db.session.scalar(sa.select(sa.func.count(AgencyInvolvement.id))) == 0


def test_another_schools_pupil_or_staff_is_refused(app, staffroom):
    with app.app_context():
        amy = db.session.get(User, staffroom["amy"].id)
        with pytest.raises(RecordRuleError) as error:
            services.create_involvement(
                staffroom["school"].id,
                staffroom["elsewhere_pupil"].id,
                _data(amy),
                by=amy,
                today=TODAY,
            )
        assert error.value.field == "pupil_id"
        with pytest.raises(RecordRuleError) as error:
            services.create_involvement(
                staffroom["school"].id,
                staffroom["pupil"].id,
                _data(amy, named_staff_ids=[staffroom["stranger"].id]),
                by=amy,
                today=TODAY,
            )
        assert error.value.field == "named_staff_ids"


def test_closing_records_the_end_and_keeps_the_earlier_version(app, staffroom):
    record_id = _create(app, staffroom)
    with app.app_context():
        record = db.session.get(AgencyInvolvement, record_id)
        leader = db.session.get(User, staffroom["leader"].id)
        data = _data(
            leader,
            referred_by_id=staffroom["amy"].id,
            status=InvolvementStatus.CLOSED,
            outcome_notes="Six sessions of CBT; discharged.",
        )
        changes = services.update_involvement(
            record, data, by=leader, today=TODAY, expected_version=record.version_id
        )
        db.session.commit()
        assert changes["status"] == ["referred", "closed"]
        assert changes["outcome_notes"] == "changed"
        assert record.ended_on == TODAY and record.version_id == 2
        # Moving it on again keeps the day it first ended.
        again = _data(
            leader,
            referred_by_id=staffroom["amy"].id,
            status=InvolvementStatus.DECLINED,
            outcome_notes="Declined after all.",
        )
        services.update_involvement(
            record, again, by=leader, today=TODAY + timedelta(days=3), expected_version=2
        )
        assert record.ended_on == TODAY


@pytest.mark.requirement("R19", "R22", "R24", "R25")
def test_who_may_open_it(app, staffroom):
    """Leaders and the staff it names (or who referred) see it; other staff, admins (R25) and
    governors (R24) do not; another school's leader gets 404 (R19)."""
    record_id = _create(app, staffroom, named_staff_ids=[staffroom["ben"].id])
    url = f"/agencies/{record_id}"
    expected = {
        "leader": 200,
        "amy": 200,  # referred
        "ben": 200,  # named
        "cal": 404,
        "admin": 403,
        "governor": 403,
        "stranger": 404,
    }
    seen = {who: _client(app, staffroom[who]).get(url).status_code for who in expected}
    assert seen == expected
    assert _client(app, staffroom["cal"]).get(f"{url}/edit").status_code == 404
    assert _client(app, staffroom["stranger"]).post(f"{url}/edit").status_code == 404
    listed = _client(app, staffroom["cal"]).get("/agencies/").get_data(as_text=True)
    assert f'"/agencies/{record_id}"' not in listed
    listed = _client(app, staffroom["ben"]).get("/agencies/").get_data(as_text=True)
    assert f'"/agencies/{record_id}"' in listed


def test_recording_through_the_form(app, staffroom):
    client = _client(app, staffroom["amy"])
    with app.app_context():
        early_help = _agency("early_help", staffroom["school"].id)
    form = client.get(f"/agencies/new?pupil={staffroom['pupil'].id}").get_data(as_text=True)
    assert "Early Help" in form and "Professional&#39;s contact" in form
    response = client.post(
        "/agencies/new",
        data={
            "pupil_id": staffroom["pupil"].id,
            "agency_id": early_help,
            "referred_on": (date.today() - timedelta(days=2)).isoformat(),
            "referred_by_id": staffroom["amy"].id,
            "status": "accepted",
            "professional_contact": CONTACT,
            "next_step": "Team around the family meeting",
            "next_step_on": (date.today() + timedelta(days=5)).isoformat(),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert CONTACT in page and "Accepted" in page and "Team around the family meeting" in page
    # A bad date is shown beside its field and nothing is saved.
    refused = client.post(
        "/agencies/new",
        data={
            "pupil_id": staffroom["pupil"].id,
            "agency_id": early_help,
            "referred_on": (date.today() + timedelta(days=2)).isoformat(),
            "referred_by_id": staffroom["amy"].id,
            "status": "referred",
        },
    )
    assert refused.status_code == 200
    assert "The referral can&#39;t be in the future." in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(AgencyInvolvement.id))) == 1


def test_a_retired_agency_still_shows_on_old_records_and_is_not_offered_on_new(app, staffroom):
    record_id = _create(app, staffroom)
    with app.app_context():
        camhs = db.session.get_one(Agency, _agency("camhs", staffroom["school"].id))
        camhs.active_to = TODAY - timedelta(days=30)  # retired before today, after the referral
        db.session.commit()
        camhs_id = camhs.id
    client = _client(app, staffroom["amy"])
    old = client.get(f"/agencies/{record_id}").get_data(as_text=True)
    assert "CAMHS / CYPMHS" in old and "no longer offered on new records" in old
    edit = client.get(f"/agencies/{record_id}/edit").get_data(as_text=True)
    assert f'<option selected value="{camhs_id}">' in edit  # the record keeps its own
    new = client.get("/agencies/new").get_data(as_text=True)
    assert "CAMHS / CYPMHS" not in new and "Early Help" in new
    with app.app_context(), pytest.raises(RecordRuleError) as error:
        amy = db.session.get(User, staffroom["amy"].id)
        services.create_involvement(
            staffroom["school"].id, staffroom["pupil"].id, _data(amy), by=amy, today=TODAY
        )
    assert error.value.field == "agency_id"


def test_on_the_pupil_timeline_beside_the_flag_ticks(app, staffroom):
    record_id = _create(app, staffroom)
    flag_id = make_flag(app, staffroom["pupil"], staffroom["leader"], named=[staffroom["amy"]])
    amy = _client(app, staffroom["amy"])
    page = amy.get(f"/pupils/{staffroom['pupil'].id}").get_data(as_text=True)
    assert f'"/agencies/{record_id}"' in page and "Referral to CAMHS / CYPMHS" in page
    detail = amy.get(f"/agencies/{record_id}").get_data(as_text=True)
    assert f'"/risk/{flag_id}"' in detail and "Early Help, on the" in detail
    cal = _client(app, staffroom["cal"]).get(f"/pupils/{staffroom['pupil'].id}")
    assert f'"/agencies/{record_id}"' not in cal.get_data(as_text=True)


def _step_alerts(app) -> list[tuple[int, int]]:
    with app.app_context():
        return sorted(
            db.session.execute(
                sa.select(Alert.recipient_id, Alert.record_id).where(
                    Alert.kind == AlertKind.AGENCY_STEP_DUE
                )
            ).all()
        )


def test_an_overdue_next_step_alerts_the_referrer_and_named_staff_once(app, staffroom):
    due_id = _create(
        app,
        staffroom,
        named_staff_ids=[staffroom["ben"].id],
        next_step_on=TODAY - timedelta(days=1),
    )
    _create(app, staffroom, pupil_key="other_pupil", next_step_on=TODAY + timedelta(days=3))
    closed = _create(
        app,
        staffroom,
        pupil_key="other_pupil",
        status=InvolvementStatus.CLOSED,
        outcome_notes="Done",
        next_step_on=TODAY - timedelta(days=2),
    )
    for _ in range(2):
        with app.app_context():
            raise_due_alerts(TODAY)
            db.session.commit()
    assert _step_alerts(app) == sorted(
        [(staffroom["amy"].id, due_id), (staffroom["ben"].id, due_id)]
    )
    assert closed not in {record for _, record in _step_alerts(app)}
    # The alert opens the record for Ben, and for nobody who may not see it.
    ben = _client(app, staffroom["ben"])
    with app.app_context():
        alert_id = db.session.scalar(
            sa.select(Alert.id).where(Alert.recipient_id == staffroom["ben"].id)
        )
    opened = ben.get(f"/alerts/{alert_id}/open")
    assert opened.status_code == 302 and f"/agencies/{due_id}" in opened.headers["Location"]


def _agencies(school_id: int) -> dict[str, float]:
    dashboard = build_dashboard(school_id, AUTUMN, only="agencies")
    return {row.key: row.values[-1] for row in dashboard.table("agencies").rows}


def test_dashboard_agency_figures_count_involvements_and_flag_ticks_once(app, staffroom):
    # Tayo: CAMHS both ticked on a flag and recorded (one pupil); Kit: CAMHS recorded only.
    make_flag(app, staffroom["pupil"], staffroom["leader"], raised_on=date(2026, 10, 1))
    _create(app, staffroom)
    _create(app, staffroom, pupil_key="other_pupil")
    with app.app_context():
        figures = _agencies(staffroom["school"].id)
        assert figures == {"agency:CAMHS / CYPMHS": 2, "agency:Early Help": 1}
        (autumn,) = AUTUMN
        stmt = drill_pupils(
            staffroom["school"].id, autumn, "agency:CAMHS / CYPMHS", DashboardFilters()
        )
        pupils = {pupil.id for pupil in db.session.scalars(stmt)}
        assert pupils == {staffroom["pupil"].id, staffroom["other_pupil"].id}


@pytest.mark.requirement("R69")
class TestRetention:
    """R69: once the safeguarding period has passed for a pupil who left, the involvement's
    text and the professional's contact are blanked (the row, dates and agency stay)."""

    @pytest.fixture
    def app_config_overrides(self):
        return {"RETENTION_LEGAL_HOLD": ()}

    def test_expired_involvement_text_is_blanked_and_a_current_one_kept(self, app, staffroom):
        gone = _create(app, staffroom, outcome_notes="Seen twice")
        kept = _create(app, staffroom, pupil_key="other_pupil")
        with app.app_context():
            db.session.get_one(Pupil, staffroom["pupil"].id).leaving_date = date(2027, 7, 20)
            db.session.commit()
            counts = apply_retention(date(2050, 1, 1))
            db.session.commit()
            assert counts["agency involvement"] == 1
            blanked = db.session.get_one(AgencyInvolvement, gone)
            assert (blanked.professional_contact, blanked.next_step) == (REMOVED, "")
            assert blanked.outcome_notes == "" and blanked.agency.code == "camhs"
            assert db.session.get_one(AgencyInvolvement, kept).professional_contact == CONTACT
