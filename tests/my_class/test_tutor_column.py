"""The roll import's optional Tutor column assigns staff to registration groups (issue 13)."""

import pytest
import sqlalchemy as sa

from school_tracker.extensions import db
from school_tracker.imports.parser import parse_roll
from school_tracker.models import AuditEntry, RegistrationGroupStaff, RollImport
from tests.factories.accounts import signed_in
from tests.factories.imports import HEADER, csv_bytes, preview_id, row, upload

WITH_TUTOR = [*HEADER, "Tutor"]


def _file(*tutors: str, header: list[str] = WITH_TUTOR, group: str = "3A") -> bytes:
    rows = [row(500 + n, **{"Tutor": tutor, "Reg Group": group}) for n, tutor in enumerate(tutors)]
    return csv_bytes(rows, header)


def _assigned(app, school_id: int) -> set[tuple[str, int]]:
    with app.app_context():
        found = db.session.execute(
            sa.select(
                RegistrationGroupStaff.registration_group, RegistrationGroupStaff.user_id
            ).where(RegistrationGroupStaff.school_id == school_id)
        )
        return {(group, user_id) for group, user_id in found}


def test_the_header_is_recognised_by_each_of_its_names():
    for heading in ("Tutor", "Class Teacher E-mail", "class teacher email", "Form Tutor"):
        header = [*HEADER, heading]
        data = csv_bytes([row(1, **{heading: "Tess@Oak.Test"})], header)
        result = parse_roll(data, "roll.csv")
        assert result.ok and result.rows[0].tutor_email == "tess@oak.test", heading


def test_a_name_instead_of_an_e_mail_is_a_row_error():
    result = parse_roll(_file("Mrs Tutor"), "roll.csv")
    assert [(e.row, e.column) for e in result.errors] == [(2, "Tutor")]
    assert "is not an e-mail address" in result.errors[0].message


def test_a_known_tutor_is_previewed_then_assigned_on_confirm(app, class_world):
    school_id = class_world.school.id
    client = signed_in(app, class_world.people["admin"])
    before = _assigned(app, school_id)
    import_id = preview_id(upload(client, _file("TUTOR@oak.test", "tutor@oak.test")))
    preview = client.get(f"/imports/{import_id}").get_data(as_text=True)
    assert "Class staff from the Tutor column (1 new)" in preview and "Tess Tutor" in preview
    assert _assigned(app, school_id) == before  # a preview writes nothing
    done = client.post(f"/imports/{import_id}/confirm", data={})
    assert done.status_code == 302
    tutor_id = class_world.people["tutor"].id
    assert _assigned(app, school_id) == before | {("3A", tutor_id)}
    summary = client.get(f"/imports/{import_id}").get_data(as_text=True)
    assert "Staff assigned to a registration group" in summary
    with app.app_context():
        audit = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.entity_type == "pupil_roll")
        ).one()
        assert audit.changes["staff_assigned"] == 1 and audit.changes["created"] == 2
    # The tutor now sees the new pupils.
    body = signed_in(app, class_world.people["tutor"]).get("/pupils/my-class")
    assert "Surname500" in body.get_data(as_text=True)


def test_a_file_that_only_assigns_tutors_can_still_be_confirmed(app, class_world):
    client = signed_in(app, class_world.people["admin"])
    first = preview_id(upload(client, _file("")))
    assert client.post(f"/imports/{first}/confirm", data={}).status_code == 302
    again = preview_id(upload(client, _file("other@oak.test")))
    preview = client.get(f"/imports/{again}").get_data(as_text=True)
    assert "Confirm import" in preview and 'id="no-changes"' not in preview
    assert client.post(f"/imports/{again}/confirm", data={}).status_code == 302
    other_id = class_world.people["other"].id
    assert ("3A", other_id) in _assigned(app, class_world.school.id)


@pytest.mark.parametrize(
    "email",
    [
        "nobody@oak.test",  # no such account
        "rory@river.test",  # another school's member of staff
        "governor@oak.test",  # this school's governor: not a teaching account
        "admin@oak.test",  # nor is an admin
    ],
)
def test_an_address_that_cannot_be_assigned_is_a_row_numbered_error(app, class_world, email):
    client = signed_in(app, class_world.people["admin"])
    before = _assigned(app, class_world.school.id)
    response = upload(client, _file("tutor@oak.test", email))
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "<td>3</td><td>Tutor</td>" in body  # the second pupil is row 3
    assert "is not the e-mail of an active member of staff or leader at this school" in body
    assert "<td>2</td>" not in body  # the good row has no error
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(RollImport.id))) == 0
    assert _assigned(app, class_world.school.id) == before


def test_a_tutor_needs_the_pupils_registration_group(app, class_world):
    client = signed_in(app, class_world.people["admin"])
    response = upload(client, _file("tutor@oak.test", group=""))
    assert response.status_code == 400
    assert "<td>2</td><td>Reg Group</td>" in response.get_data(as_text=True)


def test_without_the_column_nothing_about_class_staff_changes(app, class_world):
    client = signed_in(app, class_world.people["admin"])
    before = _assigned(app, class_world.school.id)
    import_id = preview_id(upload(client, _file("", "", header=HEADER)))
    preview = client.get(f"/imports/{import_id}").get_data(as_text=True)
    assert 'id="tutors"' not in preview
    assert client.post(f"/imports/{import_id}/confirm", data={}).status_code == 302
    assert _assigned(app, class_world.school.id) == before


def test_the_command_line_import_checks_and_assigns_tutors_too(app, runner, class_world, tmp_path):
    path = tmp_path / "roll.csv"
    path.write_bytes(_file("tutor@oak.test", "rory@river.test"))
    refused = runner.invoke(args=["import-pupils", str(path), "--school", "oak"])
    assert refused.exit_code == 1 and "row 3, column Tutor" in refused.output
    path.write_bytes(_file("tutor@oak.test", "tutor@oak.test"))
    before = _assigned(app, class_world.school.id)
    done = runner.invoke(args=["import-pupils", str(path), "--school", "oak"])
    assert done.exit_code == 0 and "staff_assigned: 1" in done.output, done.output
    assert _assigned(app, class_world.school.id) - before == {
        ("3A", class_world.people["tutor"].id)
    }
