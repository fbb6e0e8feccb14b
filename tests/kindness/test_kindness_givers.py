"""A kindness moment given by several pupils or a whole registration group (issue 13 item 4).

Each kind pupil is a row of their own, so each has the moment on their own record and every
per-pupil count counts them once; counts of moments stay one per moment.
"""

from datetime import date

import pytest
import sqlalchemy as sa

from school_tracker.calendar.terms import TermCalendar
from school_tracker.dashboard.drill_records import drill_records
from school_tracker.dashboard.drilldown import drill_pupils
from school_tracker.dashboard.figures import build_dashboard
from school_tracker.dashboard.sources import DashboardFilters
from school_tracker.extensions import db
from school_tracker.kindness import queries, services
from school_tracker.kindness.givers import registration_groups
from school_tracker.kindness.services import MomentDetails
from school_tracker.models import (
    KindnessGiver,
    KindnessMoment,
    KindnessValue,
    KindPersonKind,
    Pupil,
    RecordVersion,
    Role,
    User,
    YearGroup,
)
from school_tracker.privacy.retention import apply_retention
from school_tracker.pupils.holds import place_hold
from school_tracker.records.history import Subject, record_history
from school_tracker.records.versions import RecordRuleError
from tests.factories.accounts import signed_in
from tests.factories.exports import workbook_rows
from tests.factories.mentoring import TODAY, audit_entries

AUTUMN = TermCalendar().recent("autumn-2026", 6)
ON = date(2026, 10, 5)


@pytest.fixture
def teacher(make_user, school):
    return make_user(Role.STAFF, school=school)


@pytest.fixture
def leader(make_user, school):
    return make_user(Role.LEADER, school=school)


@pytest.fixture
def seven_b(make_pupil, school):
    """7B: three pupils on roll and one who has left; one pupil in 7A."""
    pupils = {
        name: make_pupil(
            school,
            legal_surname=name,
            legal_forename=name[0] + "ee",
            year_group=YearGroup.Y7,
            registration_group=group,
            **({"leaving_date": date(2026, 7, 20)} if name == "Left" else {}),
        )
        for name, group in (
            ("Adams", "7B"),
            ("Brown", "7B"),
            ("Cole", "7B"),
            ("Left", "7B"),
            ("Dixon", "7A"),
        )
    }
    return {name: pupil.id for name, pupil in pupils.items()}


def _details(**overrides) -> MomentDetails:
    values = dict(
        giver_kind=KindPersonKind.PUPIL,
        description="Made a welcome card for a new pupil.",
        values=(KindnessValue.FRIENDSHIP,),
        occurred_on=ON,
    )
    values.update(overrides)
    return MomentDetails(**values)


def _record(app, school, user, **overrides) -> int:
    with app.app_context():
        moment = services.record_moment(
            school.id, _details(**overrides), by=db.session.get(User, user.id), today=TODAY
        )
        db.session.commit()
        return moment.id


def _givers(moment_id: int) -> list[int]:
    return sorted(
        db.session.scalars(
            sa.select(KindnessGiver.pupil_id).where(KindnessGiver.moment_id == moment_id)
        )
    )


def test_several_pupils_each_get_the_moment_on_their_own_record(app, school, teacher, seven_b):
    ids = (seven_b["Cole"], seven_b["Adams"], seven_b["Dixon"])
    moment_id = _record(app, school, teacher, giver_pupil_ids=ids)
    with app.app_context():
        assert _givers(moment_id) == sorted(ids)
        assert db.session.scalar(sa.select(sa.func.count(KindnessMoment.id))) == 1
        staff = db.session.get(User, teacher.id)
        for pupil_id in ids:
            pupil = db.session.get(Pupil, pupil_id)
            assert [m.id for m in queries.pupil_moments(pupil, staff)] == [moment_id]
        moment = db.session.get(KindnessMoment, moment_id)
        assert queries.giver_label(moment) == "Aee Adams, Cee Cole and Dee Dixon"
        assert queries.wall_card(moment).giver == "Aee, Cee and Dee"
        assert queries.wall_card(moment).several
        (entry,) = audit_entries("kindness_moment", moment_id)
        assert entry.pupil_id == min(ids) and entry.changes["giver_pupils"] == [None, 3]


def test_a_registration_group_is_its_pupils_on_roll_at_save_time(app, school, teacher, seven_b):
    moment_id = _record(app, school, teacher, giver_group="7B")
    with app.app_context():
        assert _givers(moment_id) == sorted(seven_b[n] for n in ("Adams", "Brown", "Cole"))
        moment = db.session.get(KindnessMoment, moment_id)
        assert moment.giver_group == "7B"
        assert queries.giver_label(moment) == "7B (3 pupils)"
        assert queries.wall_card(moment).giver == "7B"


def test_a_pupil_picked_and_in_the_group_is_counted_once(app, school, teacher, seven_b):
    moment_id = _record(
        app,
        school,
        teacher,
        giver_group="7B",
        giver_pupil_ids=(seven_b["Adams"], seven_b["Adams"], seven_b["Dixon"]),
    )
    with app.app_context():
        expected = sorted(seven_b[n] for n in ("Adams", "Brown", "Cole", "Dixon"))
        assert _givers(moment_id) == expected
        assert queries.giver_label(db.session.get(KindnessMoment, moment_id)) == "7B (4 pupils)"


def test_the_class_kind_to_one_of_its_own_leaves_them_out_of_the_givers(
    app, school, teacher, seven_b
):
    moment_id = _record(app, school, teacher, giver_group="7B", receiver_pupil_id=seven_b["Cole"])
    with app.app_context():
        assert _givers(moment_id) == sorted([seven_b["Adams"], seven_b["Brown"]])
        with pytest.raises(RecordRuleError) as caught:
            services.record_moment(
                school.id,
                _details(giver_pupil_ids=(seven_b["Cole"],), receiver_pupil_id=seven_b["Cole"]),
                by=db.session.get(User, teacher.id),
                today=TODAY,
            )
        assert caught.value.field == "receiver_pupil"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"giver_group": "9Z"}, "giver_group"),  # only another school has a 9Z
        ({"giver_pupil_ids": ("STRANGER",)}, "giver_pupils"),
        ({"giver_pupil_ids": ("ADAMS", "STRANGER")}, "giver_pupils"),
        ({"giver_pupil_ids": (), "giver_group": None}, "giver_pupils"),
        ({"giver_group": "  "}, "giver_pupils"),
    ],
)
def test_another_schools_group_or_pupil_is_refused_beside_its_field(
    app, make_school, make_pupil, school, teacher, seven_b, overrides, field
):
    elsewhere = make_school("elsewhere")
    stranger = make_pupil(elsewhere, registration_group="9Z")
    names = {"STRANGER": stranger.id, "ADAMS": seven_b["Adams"]}
    if "giver_pupil_ids" in overrides:
        overrides["giver_pupil_ids"] = tuple(names[n] for n in overrides["giver_pupil_ids"])
    with app.app_context():
        with pytest.raises(RecordRuleError) as caught:
            services.record_moment(
                school.id, _details(**overrides), by=db.session.get(User, teacher.id), today=TODAY
            )
        assert caught.value.field == field
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count(KindnessMoment.id))) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(KindnessGiver)) == 0
        assert registration_groups(school.id) == [("7A", 1), ("7B", 3)]


def test_an_adult_giver_has_no_pupil_rows_or_group(app, school, teacher, seven_b):
    moment_id = _record(
        app,
        school,
        teacher,
        giver_kind=KindPersonKind.STAFF,
        giver_name="Mr Jones",
        giver_group="7B",
        giver_pupil_ids=(seven_b["Adams"],),
    )
    with app.app_context():
        moment = db.session.get(KindnessMoment, moment_id)
        assert _givers(moment_id) == [] and moment.giver_group is None


def test_edit_keeps_the_group_as_recorded_and_versions_the_givers(
    app, make_pupil, school, teacher, seven_b
):
    moment_id = _record(app, school, teacher, giver_group="7B")
    make_pupil(school, legal_surname="Newcomer", registration_group="7B")
    kept = (seven_b["Adams"], seven_b["Cole"])  # Brown was off sick: taken off
    with app.app_context():
        moment = db.session.get(KindnessMoment, moment_id)
        changes = services.update_moment(
            moment,
            _details(giver_group="7B", giver_pupil_ids=kept),
            by=db.session.get(User, teacher.id),
            today=TODAY,
            expected_version=1,
        )
        db.session.commit()
        assert changes == {"giver_pupil_ids": "changed"}
        assert _givers(moment_id) == sorted(kept)  # the newcomer is not added to an old moment
        (version,) = db.session.scalars(
            sa.select(RecordVersion).where(RecordVersion.entity_id == moment_id)
        )
        before = sorted(seven_b[n] for n in ("Adams", "Brown", "Cole"))
        assert version.previous == {"giver_pupil_ids": before}
        (entry,) = record_history(Subject("kindness_moment", moment_id))
        assert [(f.label, f.earlier) for f in entry.fields] == [
            ("Pupils who were kind", "Aee Adams; Bee Brown; Cee Cole")
        ]
        # Choosing another group adds its pupils on roll.
        services.update_moment(
            moment,
            _details(giver_group="7A", giver_pupil_ids=kept),
            by=db.session.get(User, teacher.id),
            today=TODAY,
            expected_version=2,
        )
        db.session.commit()
        assert _givers(moment_id) == sorted([*kept, seven_b["Dixon"]])
        assert moment.giver_group == "7A"


def test_dashboard_counts_the_moment_once_and_each_kind_pupil_once(app, school, teacher, seven_b):
    _record(
        app,
        school,
        teacher,
        giver_group="7B",
        giver_pupil_ids=(seven_b["Adams"],),
        receiver_pupil_id=seven_b["Dixon"],
    )
    with app.app_context():
        dashboard = build_dashboard(school.id, AUTUMN)
        kindness = {row.key: row.values[-1] for row in dashboard.table("kindness").rows}
        reached = {row.key: row.values[-1] for row in dashboard.table("reached").rows}
        assert kindness["moments"] == 1 and kindness["value:friendship"] == 1
        assert reached["P1"] == 4 and reached["any"] == 4  # three givers and the receiver
        pupils = db.session.execute(
            drill_pupils(school.id, AUTUMN[-1], "reached:P1", DashboardFilters())
        ).all()
        assert len(pupils) == 4
        year7 = DashboardFilters(year=YearGroup.Y7)
        _, records = drill_records(school.id, AUTUMN[-1], "moment:any", year7)
        assert len(db.session.execute(records).all()) == 1
        filtered = build_dashboard(school.id, AUTUMN, year7)
        assert {row.key: row.values[-1] for row in filtered.table("kindness").rows}["moments"] == 1


def test_named_export_has_one_row_naming_every_kind_pupil(app, school, leader, seven_b):
    _record(app, school, leader, giver_group="7B")
    rows = workbook_rows(signed_in(app, leader).get("/reports/named.xlsx?term=autumn-2026").data)
    header, *moments = rows["Kindness moments"]
    (row,) = moments
    line = dict(zip(header, row, strict=True))
    assert line["Kind person"] == "Adams, Aee; Brown, Bee; Cole, Cee"
    with app.app_context():
        upns = [db.session.get(Pupil, seven_b[n]).upn for n in ("Adams", "Brown", "Cole")]
    assert line["Kind pupils' UPNs"] == "; ".join(upns)
    assert line["Given by registration group"] == "7B"


def test_each_kind_pupils_subject_access_file_has_the_moment_without_the_others_names(
    app, school, leader, seven_b
):
    moment_id = _record(app, school, leader, giver_group="7B")
    with app.app_context():
        moment = db.session.get(KindnessMoment, moment_id)
        services.update_moment(
            moment,
            _details(giver_group="7B", giver_pupil_ids=(seven_b["Adams"], seven_b["Brown"])),
            by=db.session.get(User, leader.id),
            today=TODAY,
            expected_version=1,
        )
        db.session.commit()
    client = signed_in(app, leader)
    for name, who in (
        ("Adams", "this pupil and another pupil, given by registration group 7B"),
        ("Brown", "this pupil and another pupil, given by registration group 7B"),
    ):
        data = client.get(f"/reports/pupils/{seven_b[name]}/subject-access.xlsx").data
        rows = workbook_rows(data)
        header, *moments = rows["Kindness moments"]
        (row,) = moments
        assert dict(zip(header, row, strict=True))["Who was kind"] == who
        versions = rows["Record versions"]
        earlier = [line for line in versions[1:] if line[5] == "Pupils who were kind"]
        assert [line[6] for line in earlier] == ["this pupil and 2 other pupils"]
        text = " ".join(str(cell) for sheet in rows.values() for line in sheet for cell in line)
        for other in ("Cole", "Cee", "Brown" if name == "Adams" else "Adams"):
            assert other not in text
    # Cole, taken off the moment, no longer has it in their file.
    cole = workbook_rows(client.get(f"/reports/pupils/{seven_b['Cole']}/subject-access.xlsx").data)
    assert len(cole["Kindness moments"]) == 1


def test_retention_keeps_a_class_moment_while_any_kind_pupil_is_under_a_legal_hold(
    app, school, leader, seven_b
):
    held = _record(app, school, leader, giver_group="7B", description="Kept for the hold.")
    with app.app_context():
        place_hold(
            db.session.get(Pupil, seven_b["Brown"]),
            "Court case",
            by=db.session.get(User, leader.id),
        )
        db.session.commit()
    other = _record(app, school, leader, giver_pupil_ids=(seven_b["Dixon"],))
    with app.app_context():
        apply_retention(date(2090, 1, 1))
        db.session.commit()
        kept = db.session.get(KindnessMoment, held)
        assert kept.description == "Kept for the hold." and len(kept.giver_rows) == 3
        assert db.session.get(KindnessMoment, other).description == ""
