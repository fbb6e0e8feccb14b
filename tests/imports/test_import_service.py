"""The roll import service: plan, apply, preview/confirm, audit and bulk performance (R58, R84)."""

import json
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from school_tracker.extensions import db
from school_tracker.imports import services
from school_tracker.imports.parser import parse_roll
from school_tracker.imports.payload import from_payload, to_payload
from school_tracker.models import (
    AuditEntry,
    Gender,
    Pupil,
    Role,
    RollImport,
    RollImportStatus,
    School,
    SenStatus,
    User,
    YearGroup,
)
from school_tracker.orm import utcnow
from tests.factories.imports import HEADER, csv_bytes, roll_csv, row, upn

TODAY = date(2026, 11, 22)


@pytest.fixture
def admin(make_user, school):
    return make_user(Role.ADMIN, school=school, full_name="Ada Admin")


def parsed(data: bytes, name: str = "roll.csv"):
    result = parse_roll(data, name, today=TODAY)
    assert result.ok, result.errors[:5]
    return result


def plan_for(school_id: int, data: bytes, *, mark_leavers: bool = False):
    school = db.session.get_one(School, school_id)
    return school, services.preview_import(school, parsed(data), mark_leavers=mark_leavers, by=None)


def run_import(app, school_id: int, data: bytes, *, mark_leavers=False, moves=(), by_id=None):
    """Plan and apply in one transaction, as the CLI does; returns the summary."""
    with app.app_context():
        school, plan = plan_for(school_id, data, mark_leavers=mark_leavers)
        by = db.session.get(User, by_id) if by_id else None
        summary = services.apply_import(
            school,
            plan,
            mark_leavers=mark_leavers,
            moves=set(moves),
            by=by,
            file_name="roll.csv",
            sha256="ab" * 32,
            today=TODAY,
        )
        db.session.commit()
        return summary


def pupils(app, school_id: int | None = None) -> dict[str, Pupil]:
    with app.app_context():
        stmt = sa.select(Pupil)
        if school_id is not None:
            stmt = stmt.where(Pupil.school_id == school_id)
        found = {p.upn: p for p in db.session.scalars(stmt)}
        db.session.expunge_all()
        return found


def audit_entries(app, action: str = "import") -> list[AuditEntry]:
    with app.app_context():
        entries = list(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)))
        db.session.expunge_all()
        return entries


def test_new_pupils_are_created_with_typed_values(app, school, admin):
    data = csv_bytes(
        [
            row(1, **{"Legal Surname": "Zielin\u0301ska", "SEN Status": "K - SEN Support"}),
            row(2, Gender="M", Year="Reception", **{"Date of Birth": "01/01/2022", "FSM": "Y"}),
        ]
    )
    summary = run_import(app, school.id, data, by_id=admin.id)
    assert (summary.created, summary.updated, summary.unchanged) == (2, 0, 0)
    found = pupils(app, school.id)
    first, second = found[upn(1)], found[upn(2)]
    assert first.legal_surname == "Zielińska"  # NFC: one code point for ń
    assert first.sen_status is SenStatus.SUPPORT and first.created_by_id == admin.id
    assert second.gender is Gender.MALE and second.year_group is YearGroup.R and second.fsm
    assert first.leaving_date is None and first.version_id == 1


def test_one_audit_entry_with_counts_and_no_names(app, school, admin):
    run_import(app, school.id, roll_csv(3, **{"Legal Surname": "Marker"}), by_id=admin.id)
    (entry,) = audit_entries(app)
    assert entry.actor_id == admin.id and entry.school_id == school.id
    assert entry.changes["created"] == 3 and entry.changes["sha256"] == "ab" * 32
    assert entry.changes["file_name"] == "roll.csv"
    dumped = json.dumps(entry.changes)
    assert "Marker" not in dumped and upn(1) not in dumped
    with app.app_context():
        total = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    assert total == 1  # nothing per pupil


def test_update_lists_only_changed_fields_and_keeps_fields_outside_the_format(
    app, school, make_pupil
):
    make_pupil(
        school,
        upn=upn(1),
        legal_surname="Old",
        legal_forename="Forename1",
        date_of_birth=date(2018, 10, 25),
        year_group=YearGroup.Y2,
        registration_group="3A",
        admission_date=date(2022, 9, 4),
        previously_looked_after=True,
        child_in_need=True,
    )
    with app.app_context():
        _, plan = plan_for(school.id, csv_bytes([row(1)]))
        (update,) = plan.updates
        assert set(update.fields) == {"legal_surname", "year_group"}
    run_import(app, school.id, csv_bytes([row(1)]))
    pupil = pupils(app)[upn(1)]
    assert pupil.legal_surname == "Surname1" and pupil.year_group is YearGroup.Y3
    assert pupil.previously_looked_after and pupil.child_in_need
    assert pupil.version_id == 2


def test_a_column_missing_from_the_file_is_left_alone(app, school):
    run_import(app, school.id, roll_csv(1, **{"Young Carer": "Yes", "Gender": "M"}))
    narrow = [h for h in HEADER if h not in ("Young Carer", "Gender")]
    summary = run_import(app, school.id, csv_bytes([row(1)], header=narrow))
    assert (summary.updated, summary.unchanged) == (0, 1)
    pupil = pupils(app)[upn(1)]
    assert pupil.young_carer and pupil.gender is Gender.MALE


@pytest.mark.requirement("R84")
def test_reimporting_the_same_file_changes_nothing(app, school):
    data = roll_csv(5)
    run_import(app, school.id, data)
    with app.app_context():
        _, plan = plan_for(school.id, data)
        assert not plan.has_differences and plan.counts()["unchanged"] == 5
    versions = {u: p.version_id for u, p in pupils(app).items()}
    summary = run_import(app, school.id, data)
    assert summary.changes == 0 and summary.unchanged == 5
    assert {u: p.version_id for u, p in pupils(app).items()} == versions


@pytest.mark.requirement("R84")
def test_pupils_missing_from_the_file_are_offered_as_leavers_never_deleted(app, school, make_pupil):
    run_import(app, school.id, roll_csv(3))
    gone = make_pupil(school, legal_surname="Gone")
    make_pupil(school, legal_surname="AlreadyLeft", leaving_date=date(2025, 7, 20))
    data = roll_csv(3)
    with app.app_context():
        _, plan = plan_for(school.id, data)
        assert [leaver.pupil_id for leaver in plan.leavers] == [gone.id]
    kept = run_import(app, school.id, data)
    assert (kept.leavers_kept, kept.marked_left) == (1, 0)
    assert pupils(app)[gone.upn].leaving_date is None
    marked = run_import(app, school.id, data, mark_leavers=True)
    assert marked.marked_left == 1
    after = pupils(app)
    assert after[gone.upn].leaving_date == TODAY and len(after) == 5


def test_a_leaver_back_in_the_file_has_the_leaving_date_cleared(app, school):
    run_import(app, school.id, roll_csv(2))
    run_import(app, school.id, roll_csv(1), mark_leavers=True)
    assert pupils(app)[upn(2)].leaving_date == TODAY
    with app.app_context():
        _, plan = plan_for(school.id, roll_csv(2))
        assert [(u.row.upn, u.fields) for u in plan.updates] == [(upn(2), ("leaving_date",))]
    run_import(app, school.id, roll_csv(2))
    assert pupils(app)[upn(2)].leaving_date is None


@pytest.mark.requirement("R84")
def test_a_upn_on_another_schools_roll_is_held_not_moved(app, school, make_school):
    other = make_school("elm", "Elm Academy")
    run_import(app, other.id, roll_csv(2))
    summary = run_import(app, school.id, roll_csv(3))
    assert (summary.created, summary.held, summary.moved) == (1, 2, 0)
    found = pupils(app)
    assert found[upn(1)].school_id == other.id and found[upn(3)].school_id == school.id
    with app.app_context():
        _, plan = plan_for(school.id, roll_csv(3))
        assert [h.from_school_name for h in plan.held] == ["Elm Academy", "Elm Academy"]


def test_a_confirmed_move_changes_school_and_is_audited_on_both_sides(
    app, school, make_school, admin
):
    other = make_school("elm", "Elm Academy")
    run_import(app, other.id, roll_csv(2))
    summary = run_import(app, school.id, roll_csv(2), moves={upn(1)}, by_id=admin.id)
    assert (summary.moved, summary.held) == (1, 1)
    found = pupils(app)
    assert found[upn(1)].school_id == school.id and found[upn(2)].school_id == other.id
    entry = [e for e in audit_entries(app) if e.school_id == school.id][0]
    assert entry.changes["moved_pupil_ids"] == [found[upn(1)].id]
    (out,) = audit_entries(app, "move_out")
    assert out.school_id == other.id and out.changes["to_school_id"] == school.id


def test_only_held_pupils_can_be_moved(app, school):
    with (
        app.app_context(),
        pytest.raises(services.ImportRefused, match="held"),
    ):
        school_obj, plan = plan_for(school.id, roll_csv(1))
        services.apply_import(
            school_obj,
            plan,
            mark_leavers=False,
            moves={upn(99)},
            by=None,
            file_name="x.csv",
            sha256="0" * 64,
        )


def test_a_file_with_errors_cannot_be_previewed(app, school):
    with app.app_context():
        bad = parse_roll(roll_csv(2) + b"X,Y,Z,,01/01/2018,,Year 3\r\n", "r.csv", today=TODAY)
        assert not bad.ok
        with pytest.raises(ValueError, match="errors"):
            services.preview_import(
                db.session.get_one(School, school.id), bad, mark_leavers=False, by=None
            )


def test_payload_round_trip_keeps_every_value(app):
    rows = parsed(csv_bytes([row(1, **{"Primary Need": "ASD"}), row(2, Gender="")])).rows
    stored = from_payload(
        json.loads(json.dumps(to_payload(rows, present=("gender",), warnings=[], held=["X"])))
    )
    assert stored.rows == rows and stored.present == ("gender",) and stored.held == ["X"]


# Preview and confirm (the two-step flow behind the admin page).


def start(app, school_id: int, admin_id: int, data: bytes, now=None) -> str:
    with app.app_context():
        roll_import, _ = services.start_preview(
            db.session.get_one(School, school_id),
            parsed(data),
            file_name="C:\\Users\\me\\roll.csv",
            sha256="cd" * 32,
            by=db.session.get_one(User, admin_id),
            now=now,
        )
        db.session.commit()
        return roll_import.id


def confirm(app, import_id: str, admin_id: int, **kwargs):
    with app.app_context():
        roll_import = db.session.get_one(RollImport, import_id)
        try:
            summary = services.confirm_import(
                roll_import,
                mark_leavers=kwargs.pop("mark_leavers", False),
                moves=kwargs.pop("moves", set()),
                by=db.session.get_one(User, admin_id),
                **kwargs,
            )
        except Exception:
            db.session.rollback()
            raise
        db.session.commit()
        return summary


def stored(app, import_id: str) -> RollImport:
    with app.app_context():
        roll_import = db.session.get_one(RollImport, import_id)
        db.session.expunge(roll_import)
        return roll_import


def test_preview_keeps_the_rows_and_confirm_applies_them_once(app, school, admin):
    import_id = start(app, school.id, admin.id, roll_csv(4))
    kept = stored(app, import_id)
    assert kept.status is RollImportStatus.PREVIEWED and kept.file_name == "roll.csv"
    assert kept.counts["preview"]["created"] == 4 and pupils(app) == {}
    summary = confirm(app, import_id, admin.id)
    assert summary.created == 4 and len(pupils(app)) == 4
    done = stored(app, import_id)
    assert done.status is RollImportStatus.APPLIED and done.payload is None
    assert done.counts["applied"]["created"] == 4
    with pytest.raises(services.ImportClosed, match="already been confirmed"):
        confirm(app, import_id, admin.id)
    assert len(pupils(app)) == 4 and len(audit_entries(app)) == 1


def test_confirm_refuses_when_the_roll_changed_and_writes_nothing(app, school, admin):
    run_import(app, school.id, roll_csv(2))
    import_id = start(app, school.id, admin.id, roll_csv(5))
    with app.app_context():
        pupil = db.session.scalar(sa.select(Pupil).where(Pupil.upn == upn(1)))
        pupil.registration_group = "3Z"  # someone edits a pupil after the preview
        db.session.commit()
    with pytest.raises(services.RollChanged):
        confirm(app, import_id, admin.id)
    assert len(pupils(app)) == 2
    assert stored(app, import_id).status is RollImportStatus.PREVIEWED
    assert len(audit_entries(app)) == 1  # only the first import's
    with app.app_context():
        fresh, plan = services.refresh_preview(
            db.session.get_one(RollImport, import_id), by=db.session.get_one(User, admin.id)
        )
        fresh_id = fresh.id
        db.session.commit()
    assert stored(app, import_id).status is RollImportStatus.SUPERSEDED
    assert confirm(app, fresh_id, admin.id).created == 3


def test_a_new_pupil_elsewhere_with_a_file_upn_also_counts_as_a_change(
    app, school, make_school, admin
):
    import_id = start(app, school.id, admin.id, roll_csv(2))
    run_import(app, make_school("elm").id, roll_csv(1))
    with pytest.raises(services.RollChanged):
        confirm(app, import_id, admin.id)


def test_previews_expire_after_an_hour(app, school, admin):
    import_id = start(app, school.id, admin.id, roll_csv(1), now=utcnow() - timedelta(minutes=61))
    with pytest.raises(services.ImportClosed, match="more than an hour"):
        confirm(app, import_id, admin.id)
    assert pupils(app) == {}
    start(app, school.id, admin.id, roll_csv(1))
    expired = stored(app, import_id)
    assert expired.status is RollImportStatus.EXPIRED and expired.payload is None


def test_a_newer_preview_supersedes_the_older_one(app, school, admin, make_user):
    first = start(app, school.id, admin.id, roll_csv(1))
    second_admin = make_user(Role.ADMIN, school=school)
    start(app, school.id, second_admin.id, roll_csv(2))
    with pytest.raises(services.ImportClosed, match="newer preview"):
        confirm(app, first, admin.id)
    assert stored(app, first).payload is None


def test_file_names_are_cleaned_never_paths():
    assert services.clean_file_name("C:\\fakepath\\roll.csv") == "roll.csv"
    assert services.clean_file_name("../../etc/passwd") == "passwd"
    assert services.clean_file_name("a\x00b\nc.csv") == "abc.csv"
    assert services.clean_file_name("") == "upload"
    assert len(services.clean_file_name("x" * 999)) == 255


# Performance: bulk statements, not one per row (docs/design.md section 12: 1,500 pupils in 5 s).


class StatementCounter:
    """Counts SQL statements sent to the database while active."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *args, **kwargs) -> None:
        self.count += 1


def counted_import(app, school_id: int, data: bytes):
    counter = StatementCounter()
    with app.app_context():
        result = parsed(data)
        school = db.session.get_one(School, school_id)
        event.listen(db.engine, "before_cursor_execute", counter)
        try:
            plan = services.preview_import(school, result, mark_leavers=False, by=None)
            planned = counter.count
            summary = services.apply_import(
                school, plan, mark_leavers=False, by=None, file_name="big.csv", sha256="0" * 64
            )
            db.session.commit()
        finally:
            event.remove(db.engine, "before_cursor_execute", counter)
    return summary, planned, counter.count - planned


def test_1500_pupils_import_in_bulk(app, school):
    data = roll_csv(1500)
    summary, planned, applied = counted_import(app, school.id, data)
    assert summary.created == 1500 and len(pupils(app, school.id)) == 1500
    assert planned <= 3  # the roll, the UPNs elsewhere (plus a BEGIN on some drivers)
    assert applied <= 6  # one bulk INSERT and the audit entry, whatever the row count
    again, planned, applied = counted_import(app, school.id, data)
    assert again.unchanged == 1500 and applied <= 4
    moved, _, applied = counted_import(app, school.id, roll_csv(1500, **{"Reg Group": "3Z"}))
    assert moved.updated == 1500
    assert applied <= 1500 + 6  # at most one UPDATE per changed pupil, nothing else per row


def test_closed_previews_keep_no_pupil_data(app, school, admin):
    import_id = start(app, school.id, admin.id, roll_csv(2))
    confirm(app, import_id, admin.id)
    with app.app_context():
        raw = db.session.execute(
            sa.text("SELECT payload FROM roll_imports WHERE id = :id"), {"id": import_id}
        ).scalar_one()
    assert raw is None  # SQL NULL, not a JSON null or the rows
