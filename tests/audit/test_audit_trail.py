"""The audit trail: who accessed a child's record (R62), attributed versions and no hard
delete (R63), and audit rows that cannot be changed (R64)."""

import json
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from school_tracker.audit import record_audit
from school_tracker.calendar.terms import school_today
from school_tracker.extensions import db
from school_tracker.families import services as families
from school_tracker.models import (
    AuditEntry,
    AuditImmutableError,
    CarerRelationship,
    Exclusion,
    ParentConversation,
    RiskFlag,
    Role,
    User,
)
from tests.factories.accounts import signed_in
from tests.factories.exports import NOTE, workbook_rows

# R62: who accessed this child's record --------------------------------------------------------


def _audit_rows(app) -> list[AuditEntry]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)))


@pytest.mark.requirement("R62")
def test_r62_view_and_export_are_each_one_audit_row_and_the_leader_sees_both(app, export_world):
    mentee = export_world.mentee
    before = len(_audit_rows(app))
    teacher = signed_in(app, export_world.staff)
    after_sign_in = len(_audit_rows(app))
    assert teacher.get(f"/pupils/{mentee.id}").status_code == 200
    [view] = _audit_rows(app)[after_sign_in:]
    assert (view.actor_id, view.action, view.entity_type, view.pupil_id) == (
        export_world.staff.id,
        "view",
        "pupil",
        mentee.id,
    )
    leader = signed_in(app, export_world.leader)
    marker = len(_audit_rows(app))
    assert leader.get(f"/reports/pupils/{mentee.id}/subject-access.xlsx").status_code == 200
    [export] = _audit_rows(app)[marker:]
    assert (export.actor_id, export.action, export.pupil_id) == (
        export_world.leader.id,
        "export",
        mentee.id,
    )
    page = leader.get(f"/pupils/{mentee.id}/access").get_data(as_text=True)
    rows = re.findall(r"<tr>(.*?)</tr>", page, re.S)
    assert any("Sam Staff" in row and ">view<" in row for row in rows)
    assert any("Lena Leader" in row and ">export<" in row for row in rows)
    stored = json.dumps(
        [
            {c.key: getattr(e, c.key) for c in AuditEntry.__mapper__.column_attrs}
            for e in _audit_rows(app)[before:]
        ],
        default=str,
    )
    for content in (NOTE, "Menteeson", "Mia", mentee.upn, "Loves football", "Worried"):
        assert content not in stored, content


@pytest.mark.requirement("R62")
def test_r62_audit_never_keeps_the_value_of_a_classified_field(app, make_user):
    actor = make_user(Role.STAFF)
    with app.app_context():
        entry = record_audit(
            db.session.get(User, actor.id),
            "update",
            "parent_conversation",
            1,
            changes={
                "family_said": [f"old {NOTE}", f"new {NOTE}"],
                "carer_name": "Jo Parent",
                "held_on": ["2026-10-01", "2026-10-02"],
                "hidden_reason": "set",
            },
        )
        assert entry.changes == {
            "family_said": "changed",
            "carer_name": "changed",
            "held_on": ["2026-10-01", "2026-10-02"],
            "hidden_reason": "set",
        }
        db.session.rollback()


# R63: chronology, versions, no hard delete, authorship kept ------------------------------------


def _conversation(led_by: int, said: str) -> families.ConversationData:
    return families.ConversationData(
        carer_name="Jo Parent",
        carer_relationship=CarerRelationship.MOTHER,
        led_by_id=led_by,
        held_on=school_today() - timedelta(days=1),
        family_said=said,
    )


def test_r63_create_and_two_edits_are_three_attributed_entries_in_order(app, export_world):
    staff_id, leader_id = export_world.staff.id, export_world.leader.id
    with app.test_request_context():
        staff, leader = db.session.get(User, staff_id), db.session.get(User, leader_id)
        record = families.create_conversation(
            export_world.school.id,
            export_world.mentee.id,
            _conversation(staff_id, "First"),
            [],
            by=staff,
            today=school_today(),
        )
        for editor, text in ((staff, f"Second {NOTE}"), (leader, f"Third {NOTE}")):
            families.update_conversation(
                record,
                _conversation(staff_id, text),
                [],
                by=editor,
                today=school_today(),
                expected_version=record.version_id,
            )
        db.session.commit()
        entries = list(
            db.session.scalars(
                sa.select(AuditEntry)
                .where(
                    AuditEntry.entity_type == "parent_conversation",
                    AuditEntry.entity_id == record.id,
                )
                .order_by(AuditEntry.at, AuditEntry.id)
            )
        )
        assert [(e.action, e.actor_id) for e in entries] == [
            ("create", staff_id),
            ("update", staff_id),
            ("update", leader_id),
        ]
        assert all(e.at is not None and e.pupil_id == export_world.mentee.id for e in entries)
        assert [e.changes.get("family_said") for e in entries[1:]] == ["changed", "changed"]
        assert record.version_id == 3
        assert NOTE not in json.dumps([e.changes for e in entries])


@pytest.mark.requirement("R63")
def test_r63_no_route_deletes_anything(app):
    for rule in app.url_map.iter_rules():
        assert "DELETE" not in rule.methods, rule
        assert "delete" not in rule.endpoint.lower(), rule


@pytest.mark.requirement("R63")
def test_r63_staff_cannot_cancel_close_or_hide_records(app, export_world):
    with app.app_context():
        exclusion = db.session.scalar(sa.select(Exclusion))
        moment_id = db.session.scalar(sa.text("SELECT min(id) FROM kindness_moments"))
    teacher = signed_in(app, export_world.staff)
    for path, data in (
        (f"/exclusions/{exclusion.id}/cancel", {"reason": "Mistake", "version": "1"}),
        (f"/risk/{export_world.ids['flag']}/close", {"close-outcome": "de_escalated"}),
        (f"/kindness/{moment_id}/hide", {"reason": "Mistake", "version": "1"}),
    ):
        assert teacher.post(path, data=data).status_code == 403, path
    with app.app_context():
        assert db.session.get(Exclusion, exclusion.id).cancelled_on is None
        assert db.session.get(RiskFlag, export_world.ids["flag"]).closed_on is None


def test_r63_a_deactivated_authors_entries_stay_readable_and_attributed(
    app, export_world, make_user
):
    author = make_user(Role.STAFF, school=export_world.school, full_name="Dora Departed")
    with app.test_request_context():
        record = families.create_conversation(
            export_world.school.id,
            export_world.mentee.id,
            _conversation(author.id, "Talked about lunchtimes"),
            [],
            by=db.session.get(User, author.id),
            today=school_today(),
        )
        db.session.commit()
        record_id = record.id
    admin = signed_in(app, make_user(Role.ADMIN, school=export_world.school))
    assert admin.post(f"/admin/users/{author.id}/deactivate").status_code == 302
    leader = signed_in(app, export_world.leader)
    page = leader.get(f"/families/{record_id}").get_data(as_text=True)
    assert "Talked about lunchtimes" in page and "Dora Departed" in page
    export = leader.get(f"/reports/pupils/{export_world.mentee.id}/subject-access.xlsx")
    conversations = workbook_rows(export.data)["Parent conversations"]
    assert any("Dora Departed" in row for row in conversations[1:])
    with app.app_context():
        assert db.session.get(User, author.id).active is False
        assert db.session.get(ParentConversation, record_id).created_by_id == author.id


# R64: audit rows cannot be changed, even by bulk statements -------------------------------------


@pytest.mark.requirement("R64")
def test_r64_bulk_update_and_delete_of_audit_rows_are_refused(app, make_school):
    school = make_school()
    with app.app_context():
        db.session.add(AuditEntry(action="login", entity_type="user", school_id=school.id))
        db.session.commit()
        for statement in (
            sa.update(AuditEntry).values(action="tampered"),
            sa.delete(AuditEntry),
            sa.update(AuditEntry.__table__).values(action="tampered"),
        ):
            with pytest.raises(AuditImmutableError):
                db.session.execute(statement)
            db.session.rollback()
        assert db.session.scalars(sa.select(AuditEntry.action)).all() == ["login"]
