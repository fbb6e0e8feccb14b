"""Characteristics set by hand (issue 16 item 7): the service, its page, and what the next roll
import does with them (kept when the file has no column; asked when the file disagrees)."""

from datetime import date

import pytest
import sqlalchemy as sa

from school_tracker.extensions import db
from school_tracker.imports import services
from school_tracker.imports.parser import parse_roll
from school_tracker.models import (
    AuditEntry,
    PrimaryNeed,
    Pupil,
    RecordVersion,
    Role,
    RollImport,
    School,
    SenStatus,
    User,
)
from school_tracker.pupils.characteristics import (
    Characteristics,
    current_characteristics,
    set_characteristics,
)
from school_tracker.records.versions import RecordRuleError
from tests.conftest import PASSWORD
from tests.factories.imports import HEADER, csv_bytes, row, upn

TODAY = date(2026, 11, 22)
NO_YOUNG_CARER = [name for name in HEADER if name != "Young Carer"]


@pytest.fixture
def roll(app, school, make_user) -> dict:
    """Two pupils imported from a file, a leader, an admin and a member of staff."""
    people = {
        "leader": make_user(Role.LEADER, school=school, full_name="Lena Leader"),
        "admin": make_user(Role.ADMIN, school=school, full_name="Ada Admin"),
        "staff": make_user(Role.STAFF, school=school, full_name="Sam Staff"),
    }
    _import(app, school.id, csv_bytes([row(1), row(2)]))
    with app.app_context():
        ids = dict(db.session.execute(sa.select(Pupil.upn, Pupil.id)).all())
    return {**people, "school": school, "tayo": ids[upn(1)], "kit": ids[upn(2)]}


def _parsed(data: bytes):
    result = parse_roll(data, "roll.csv", today=TODAY)
    assert result.ok, result.errors[:5]
    return result


def _import(app, school_id: int, data: bytes, take_file: set[str] = frozenset()):
    with app.app_context():
        school = db.session.get_one(School, school_id)
        plan = services.preview_import(school, _parsed(data), mark_leavers=False, by=None)
        services.apply_import(
            school,
            plan,
            mark_leavers=False,
            take_file=set(take_file),
            by=None,
            file_name="roll.csv",
            sha256="ab" * 32,
            today=TODAY,
        )
        db.session.commit()
        return plan


def _set(app, pupil_id: int, by: User, reason: str = "Confirmed by the carers service", **new):
    with app.app_context():
        pupil = db.session.get_one(Pupil, pupil_id)
        values = vars(current_characteristics(pupil)) | new
        changes = set_characteristics(
            pupil,
            Characteristics(**values),
            reason=reason,
            by=db.session.get_one(User, by.id),
            expected_version=pupil.version_id,
        )
        db.session.commit()
        return changes


def _pupil(app, pupil_id: int) -> Pupil:
    with app.app_context():
        pupil = db.session.get_one(Pupil, pupil_id)
        db.session.expunge(pupil)
        return pupil


@pytest.mark.requirement("R63")
def test_setting_by_hand_marks_the_field_keeps_the_old_value_and_audits_names_only(app, roll):
    changes = _set(app, roll["tayo"], roll["leader"], young_carer=True, child_in_need=True)
    assert changes == {"young_carer": "changed", "child_in_need": "changed"}
    pupil = _pupil(app, roll["tayo"])
    assert pupil.young_carer and pupil.child_in_need
    assert pupil.hand_set_fields == ["child_in_need", "young_carer"]
    with app.app_context():
        version = db.session.scalar(
            sa.select(RecordVersion).where(
                RecordVersion.entity_type == "pupil", RecordVersion.entity_id == roll["tayo"]
            )
        )
        assert version.previous == {"young_carer": False, "child_in_need": False}
        assert version.reason == "Confirmed by the carers service"
        entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "set_by_hand"))
        assert entry.pupil_id == roll["tayo"] and "True" not in str(entry.changes)


@pytest.mark.parametrize(
    ("reason", "new", "field"),
    [
        ("  ", {"young_carer": True}, "change_reason"),
        ("Because", {}, "change_reason"),  # nothing changed
        ("Because", {"primary_need": PrimaryNeed.ASD}, "primary_need"),  # no SEN
        ("Because", {"sen_status": SenStatus.SUPPORT}, "primary_need"),  # SEN without a need
    ],
)
def test_rules_refuse_and_change_nothing(app, roll, reason, new, field):
    with pytest.raises(RecordRuleError) as error:
        _set(app, roll["tayo"], roll["leader"], reason=reason, **new)
    assert error.value.field == field
    assert _pupil(app, roll["tayo"]).hand_set_fields == []


def test_a_reimport_without_the_column_keeps_a_hand_set_young_carer(app, roll):
    _set(app, roll["tayo"], roll["admin"], young_carer=True, previously_looked_after=True)
    changed = [row(1, **{"Legal Surname": "Okafor"}), row(2)]
    _import(app, roll["school"].id, csv_bytes(changed, header=NO_YOUNG_CARER))
    pupil = _pupil(app, roll["tayo"])
    assert pupil.legal_surname == "Okafor"  # the rest of the file was applied
    assert pupil.young_carer and pupil.previously_looked_after
    assert pupil.hand_set_fields == ["previously_looked_after", "young_carer"]


@pytest.mark.requirement("R58")
def test_a_file_that_disagrees_is_shown_and_the_hand_set_value_kept_unless_chosen(app, roll):
    _set(app, roll["tayo"], roll["leader"], young_carer=True)
    _set(app, roll["kit"], roll["leader"], young_carer=True)
    file = csv_bytes([row(1), row(2)])  # both "Young Carer: No"
    plan = _import(app, roll["school"].id, file, take_file={upn(2)})
    assert [(u.row.upn, u.hand_set) for u in plan.hand_set_updates] == [
        (upn(1), ("young_carer",)),
        (upn(2), ("young_carer",)),
    ]
    tayo, kit = _pupil(app, roll["tayo"]), _pupil(app, roll["kit"])
    assert tayo.young_carer and tayo.hand_set_fields == ["young_carer"]  # kept
    assert not kit.young_carer and kit.hand_set_fields == []  # the file's value was chosen


def _client(app, user: User):
    client = app.test_client()
    assert (
        client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    )
    return client


def test_the_preview_page_says_so_and_asks(app, roll):
    _set(app, roll["tayo"], roll["leader"], young_carer=True)
    with app.app_context():
        roll_import, _ = services.start_preview(
            db.session.get_one(School, roll["school"].id),
            _parsed(csv_bytes([row(1), row(2)])),
            file_name="roll.csv",
            sha256="cd" * 32,
            by=db.session.get_one(User, roll["admin"].id),
        )
        db.session.commit()
        import_id = roll_import.id
    page = _client(app, roll["admin"]).get(f"/imports/{import_id}").get_data(as_text=True)
    assert "Set by hand at school, and the file disagrees (1)" in page
    assert f'name="take_file" type="checkbox" value="{upn(1)}"' in page
    assert "Use the file&#39;s values for Surname1, Forename1" in page
    with app.app_context():
        assert db.session.get_one(RollImport, import_id).payload["hand_set"] == [upn(1)]


@pytest.mark.requirement("R18", "R19")
def test_the_page_is_for_leaders_and_admins_of_the_school(app, roll, make_school, make_user):
    url = f"/pupils/{roll['tayo']}/characteristics"
    elsewhere = make_user(Role.LEADER, school=make_school("elm", "Elm Primary"))
    governor = make_user(Role.GOVERNOR, school=roll["school"])
    seen = {
        "leader": _client(app, roll["leader"]).get(url).status_code,
        "admin": _client(app, roll["admin"]).get(url).status_code,
        "staff": _client(app, roll["staff"]).get(url).status_code,
        "governor": _client(app, governor).get(url).status_code,
        "elsewhere": _client(app, elsewhere).get(url).status_code,
    }
    assert seen == {"leader": 200, "admin": 200, "staff": 403, "governor": 403, "elsewhere": 404}


def test_saving_through_the_page(app, roll):
    client = _client(app, roll["leader"])
    url = f"/pupils/{roll['tayo']}/characteristics"
    form = {"young_carer": "y", "sen_status": "N", "primary_need": "", "version": "1"}
    refused = client.post(url, data={**form, "change_reason": ""})
    assert refused.status_code == 200
    assert "Say why this is being changed." in refused.get_data(as_text=True)
    assert not _pupil(app, roll["tayo"]).young_carer
    saved = client.post(url, data={**form, "change_reason": "Told by the carers service"})
    assert saved.status_code == 302
    assert _pupil(app, roll["tayo"]).young_carer
    page = client.get(url).get_data(as_text=True)
    assert "Set by hand so far: Young carer" in page and "Told by the carers service" in page
    detail = client.get(f"/pupils/{roll['tayo']}").get_data(as_text=True)
    assert "Set by hand at school: young carer" in detail
