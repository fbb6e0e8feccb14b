"""R63: edits keep earlier versions (who, when, what it said, why), shown and exported safely."""

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from school_tracker.admin import services as admin_services
from school_tracker.calendar.terms import school_today
from school_tracker.extensions import db
from school_tracker.families import services as family_services
from school_tracker.interventions import participants
from school_tracker.interventions import services as intervention_services
from school_tracker.kindness import services as kindness_services
from school_tracker.learning import services as learning_services
from school_tracker.mentoring import services as mentoring_services
from school_tracker.models import (
    AuditEntry,
    Intervention,
    KindnessMoment,
    LearningRecord,
    MentoringPairing,
    MentorKind,
    ParentConversation,
    Pupil,
    RecordVersion,
    RiskFlag,
    Role,
    User,
    VersionImmutableError,
)
from school_tracker.privacy.retention import apply_retention
from school_tracker.records.versions import RecordRuleError, StaleRecordError
from tests.conftest import AuthActions
from tests.factories.exports import workbook_rows
from tests.factories.interventions import make_conversation, make_intervention
from tests.factories.mentoring import details, make_moment, make_pairing
from tests.factories.risk import MARKER, make_flag, seed_reference

TODAY = school_today()
FIRST = "Mum says the bus is the worry. FIRST-WORDS-8812"
SECOND = "Mum says the bus and lunchtimes. SECOND-WORDS-4471"
THIRD = "Mum says lunchtimes only."


@pytest.fixture
def world(app, make_school, make_user, make_pupil):
    school = make_school()
    leader = make_user(Role.LEADER, school=school, full_name="Lena Leader")
    staff = make_user(Role.STAFF, school=school, full_name="Sam Staff")
    pupil = make_pupil(school, legal_surname="Okafor", legal_forename="Ada")
    conversation = make_conversation(app, school, staff, pupil, family_said=FIRST)
    return dict(school=school, leader=leader, staff=staff, pupil=pupil, conversation=conversation)


def _sign_in(client, user) -> None:
    auth = AuthActions(client)
    auth.logout()
    assert auth.login(user.email).status_code == 302


def _versions(entity_type: str, entity_id: int) -> list[RecordVersion]:
    return list(
        db.session.scalars(
            sa.select(RecordVersion)
            .where(RecordVersion.entity_type == entity_type, RecordVersion.entity_id == entity_id)
            .order_by(RecordVersion.id)
        )
    )


def _history(page: str) -> str:
    """Only the "Changes to this record" section of a page."""
    start = page.index('id="record-history-heading"')
    return page[start : page.index("</section>", start)]


def _conversation_form(world, version: int, family_said: str, reason: str = "") -> dict:
    return {
        "carer_name": "Jo Parent",
        "carer_relationship": "mother",
        "led_by_id": world["staff"].id,
        "held_on": (TODAY - timedelta(days=3)).isoformat(),
        "family_said": family_said,
        "school_said": "We will set up a lunchtime club.",
        "agreed_actions": "Check in weekly.",
        "follow_up_on": (TODAY + timedelta(days=3)).isoformat(),
        "priorities": ["P5"],
        "version": str(version),
        "change_reason": reason,
    }


def _edit_conversation(app, world, by: User, family_said: str, reason: str | None = None):
    with app.app_context():
        record = db.session.get(ParentConversation, world["conversation"])
        data = family_services.ConversationData(
            carer_name=record.carer_name,
            carer_relationship=record.carer_relationship,
            led_by_id=record.led_by_id,
            held_on=record.held_on,
            family_said=family_said,
            school_said=record.school_said,
            agreed_actions=record.agreed_actions,
            follow_up_on=record.follow_up_on,
        )
        family_services.update_conversation(
            record,
            data,
            ["P5"],
            by=db.session.get(User, by.id),
            today=TODAY,
            expected_version=record.version_id,
            reason=reason,
        )
        db.session.commit()


@pytest.mark.requirement("R63")
def test_r63_a_note_edited_twice_has_three_versions_in_order(app, client, world):
    started = datetime.now(UTC)
    ident = world["conversation"]
    _sign_in(client, world["staff"])
    reason = "Typed the wrong worry"
    first = client.post(
        f"/families/{ident}/edit", data=_conversation_form(world, 1, SECOND, reason)
    )
    assert first.status_code == 302
    _sign_in(client, world["leader"])
    assert (
        client.post(f"/families/{ident}/edit", data=_conversation_form(world, 2, THIRD)).status_code
        == 302
    )
    with app.app_context():
        record = db.session.get(ParentConversation, ident)
        older, newer = _versions("parent_conversation", ident)
        # Versions 1 and 2 are kept; version 3 is the record itself.
        assert (older.version, newer.version, record.version_id) == (1, 2, 3)
        assert older.previous == {"family_said": FIRST}  # only what changed
        assert newer.previous == {"family_said": SECOND} and record.family_said == THIRD
        assert (older.changed_by_id, newer.changed_by_id) == (world["staff"].id, world["leader"].id)
        assert (older.reason, newer.reason) == (reason, None)
        assert started <= older.changed_at <= newer.changed_at <= datetime.now(UTC)
        assert {older.pupil_id, newer.pupil_id} == {world["pupil"].id}
        # The audit log still records only that the text changed.
        audits = db.session.scalars(
            sa.select(AuditEntry.changes).where(AuditEntry.action == "update")
        ).all()
        assert audits == [{"family_said": "changed"}] * 2


@pytest.mark.requirement("R63")
def test_r63_the_detail_page_lists_versions_newest_first(app, client, world):
    _edit_conversation(app, world, world["staff"], SECOND, "Typed the wrong worry")
    _edit_conversation(app, world, world["leader"], THIRD)
    _sign_in(client, world["leader"])
    page = client.get(f"/families/{world['conversation']}").get_data(as_text=True)
    history = _history(page)
    assert "<caption" in history and '<th scope="col">' in history and "<script" not in history
    assert history.index("SECOND-WORDS") < history.index("FIRST-WORDS")  # newest first
    assert "Typed the wrong worry" in history and "Family said" in history
    assert "Sam Staff" in history and "Lena Leader" in history


@pytest.mark.requirement("R63")
def test_r63_versions_are_append_only(app, world):
    _edit_conversation(app, world, world["staff"], SECOND)
    with app.app_context():
        [version] = _versions("parent_conversation", world["conversation"])
        version.previous = {"family_said": "rewritten"}
        with pytest.raises(VersionImmutableError):
            db.session.flush()
        db.session.rollback()
        db.session.delete(db.session.get(RecordVersion, version.id))
        with pytest.raises(VersionImmutableError):
            db.session.flush()
        db.session.rollback()
        for statement in (
            sa.update(RecordVersion).values(reason="x"),
            sa.delete(RecordVersion),
            sa.update(RecordVersion.__table__).values(previous=None),
        ):
            with pytest.raises(VersionImmutableError):
                db.session.execute(statement)
            db.session.rollback()
        assert db.session.get(RecordVersion, version.id).previous == {"family_said": FIRST}


@pytest.mark.requirement("R63")
def test_r63_a_stale_or_empty_edit_and_a_status_move_keep_no_version(app, world):
    with app.app_context():
        record = db.session.get(ParentConversation, world["conversation"])
        staff = db.session.get(User, world["staff"].id)
        data = family_services.ConversationData(
            carer_name="Someone Else",
            carer_relationship=record.carer_relationship,
            led_by_id=record.led_by_id,
            held_on=record.held_on,
        )
        with pytest.raises(StaleRecordError):
            family_services.update_conversation(
                record, data, ["P5"], by=staff, today=TODAY, expected_version=0
            )
        db.session.rollback()
        family_services.mark_follow_up_done(record, by=staff, on=TODAY)
        db.session.commit()
        assert record.version_id == 2 and _versions("parent_conversation", record.id) == []
    _edit_conversation(app, world, world["staff"], FIRST)  # the same text: nothing changed
    with app.app_context():
        assert _versions("parent_conversation", world["conversation"]) == []


def test_r63_the_reason_is_bounded_and_plain_text(app, client, world):
    _sign_in(client, world["staff"])
    url = f"/families/{world['conversation']}/edit"
    for reason in ("x" * 301, "bell\x07"):
        response = client.post(url, data=_conversation_form(world, 1, SECOND, reason))
        assert response.status_code == 200  # re-shown with the error; nothing saved
    with app.app_context():
        assert _versions("parent_conversation", world["conversation"]) == []
    with pytest.raises(RecordRuleError):
        _edit_conversation(app, world, world["staff"], SECOND, "x" * 301)


@pytest.mark.requirement("R63")
def test_r63_a_deactivated_authors_name_stays_on_the_history(app, client, world, make_user):
    editor = make_user(Role.LEADER, school=world["school"], full_name="Dora Departed")
    admin = make_user(Role.ADMIN, school=world["school"])
    _edit_conversation(app, world, editor, SECOND)
    with app.app_context():
        admin_services.set_active(
            db.session.get(User, editor.id), False, by=db.session.get(User, admin.id)
        )
        db.session.commit()
    _sign_in(client, world["leader"])
    page = client.get(f"/families/{world['conversation']}").get_data(as_text=True)
    assert "Dora Departed" in _history(page)


@pytest.fixture
def flag_world(app, world, make_user):
    seed_reference(app)
    named = make_user(Role.STAFF, school=world["school"], full_name="Nadia Named")
    flag_id = make_flag(app, world["pupil"], world["leader"], named=[named])
    return dict(world, named=named, flag=flag_id)


def _edit_flag_through_the_form(app, client, flag_world, reason: str) -> None:
    with app.app_context():
        version = db.session.get(RiskFlag, flag_world["flag"]).version_id
    _sign_in(client, flag_world["leader"])
    response = client.post(
        f"/risk/{flag_world['flag']}/edit",
        data={
            "version": version,
            "review_on": (TODAY + timedelta(days=40)).isoformat(),
            "protective_factors": "Now attends breakfast club",
            "agency_notes": "Early Help closed the case",
            "named_staff": [flag_world["named"].id],
            "priorities": ["P4a"],
            "change_reason": reason,
        },
    )
    assert response.status_code == 302


@pytest.mark.requirement("R63")
def test_r63_r21_a_flags_earlier_rationale_is_for_leaders_only(app, client, flag_world):
    reason = "Corrected after the TAF meeting RATIONALE-REASON-5512"
    _edit_flag_through_the_form(app, client, flag_world, reason)
    with app.app_context():
        [version] = _versions("risk_flag", flag_world["flag"])
        assert MARKER in version.previous["protective_factors"] and version.reason == reason
        assert MARKER not in db.session.get(RiskFlag, flag_world["flag"]).agency_notes
    leader_page = client.get(f"/risk/{flag_world['flag']}").get_data(as_text=True)
    assert MARKER in _history(leader_page) and reason in _history(leader_page)
    _sign_in(client, flag_world["named"])
    named_page = client.get(f"/risk/{flag_world['flag']}").get_data(as_text=True)
    history = _history(named_page)
    assert MARKER not in named_page and "RATIONALE-REASON" not in named_page
    assert "Review date" in history and "Lena Leader" in history  # what they may see
    assert "Protective factors" not in history and "Agencies" not in history
    assert "shared with leaders only also changed" in history


@pytest.mark.requirement("R63")
def test_r63_other_records_show_their_history(app, client, world):
    school, staff, leader, pupil = world["school"], world["staff"], world["leader"], world["pupil"]
    intervention_id = make_intervention(app, school, staff, [pupil], notes="NOTES-BEFORE-1")
    pairing_id = make_pairing(app, pupil, staff)
    moment_id = make_moment(app, school.id, staff, giver=pupil, description="KIND-BEFORE-3")
    with app.app_context():
        by = db.session.get(User, staff.id)
        record = db.session.get(Intervention, intervention_id)
        plan = intervention_services.InterventionData(
            **{
                **{f: getattr(record, f) for f in _plan_fields()},
                "priority_codes": [],
                "notes": "notes after",
            }
        )
        intervention_services.update_intervention(
            record, plan, by=by, expected_version=record.version_id, reason="INTERVENTION-WHY"
        )
        [part] = record.participants
        participants.update_participant(
            part, {"baseline_score": 42.0}, by=by, today=TODAY, expected_version=part.version_id
        )
        pairing = db.session.get(MentoringPairing, pairing_id)
        changed = replace(details(_staff_spec(staff)), mentee_goals="GOALS-AFTER")
        mentoring_services.update_pairing(
            pairing, changed, by=by, expected_version=pairing.version_id, reason="PAIRING-WHY"
        )
        moment = db.session.get(KindnessMoment, moment_id)
        kindness_services.update_moment(
            moment,
            _moment_details(moment, "kind after"),
            by=by,
            today=TODAY,
            expected_version=moment.version_id,
        )
        db.session.commit()
    _sign_in(client, leader)
    pages = {
        f"/interventions/{intervention_id}": ("NOTES-BEFORE-1", "INTERVENTION-WHY", "Ada"),
        f"/mentoring/{pairing_id}": ("PLATYPUS-LANTERN", "PAIRING-WHY", "Mentee goals"),
        f"/kindness/{moment_id}": ("KIND-BEFORE-3", "Sam Staff", "What happened"),
    }
    for url, expected in pages.items():
        history = _history(client.get(url).get_data(as_text=True))
        for text in expected:
            assert text in history, (url, text)


def test_r63_cpd_and_exclusion_corrections_are_kept(app, client, world):
    seed_reference(app)
    from school_tracker.exclusions import services as exclusion_services
    from school_tracker.models import Exclusion, ExclusionKind
    from tests.factories.risk import reason_id

    with app.app_context():
        leader = db.session.get(User, world["leader"].id)
        record = learning_services.create_learning(
            world["school"].id,
            learning_services.LearningData(
                staff_id=leader.id,
                held_on=TODAY,
                activity="Course",
                hours_tenths=15,
                reflection="REFLECT-BEFORE-9",
            ),
            [],
            by=leader,
            today=TODAY,
        )
        pupil = db.session.get(Pupil, world["pupil"].id)
        data = exclusion_services.ExclusionData(
            kind=ExclusionKind.SUSPENSION,
            start_date=TODAY,
            sessions=2,
            reason_ids=[reason_id("DB")],
        )
        exclusion = exclusion_services.record_exclusion(pupil, data, by=leader, today=TODAY)
        db.session.commit()
        learning_services.update_learning(
            record,
            replace(_learning_data(record), reflection="after"),
            ["P3"],
            by=leader,
            today=TODAY,
            expected_version=record.version_id,
        )
        exclusion_services.update_exclusion(
            exclusion,
            replace(data, sessions=4, reason_ids=[reason_id("PA")]),
            by=leader,
            expected_version=exclusion.version_id,
            today=TODAY,
            reason="EXCLUSION-WHY",
        )
        db.session.commit()
        [kept] = _versions("exclusion", exclusion.id)
        assert kept.previous["sessions"] == 2 and kept.previous["reason_1_id"].startswith("DB ")
        record_id, exclusion_id = record.id, exclusion.id
        assert db.session.get(Exclusion, exclusion_id).sessions == 4
        assert db.session.get(LearningRecord, record_id).reflection == "after"
    _sign_in(client, world["leader"])
    cpd = _history(client.get(f"/learning/{record_id}/edit").get_data(as_text=True))
    assert "REFLECT-BEFORE-9" in cpd
    excluded = _history(client.get(f"/exclusions/{exclusion_id}").get_data(as_text=True))
    assert "EXCLUSION-WHY" in excluded and "DB " in excluded


@pytest.mark.requirement("R69")
def test_r63_r69_retention_blanks_versions_with_their_record(app, world, flag_world):
    _edit_conversation(app, world, world["staff"], SECOND)
    _edit_flag_through_the_form(app, app.test_client(), flag_world, "held reason")
    with app.app_context():
        db.session.get(Pupil, world["pupil"].id).leaving_date = date(2027, 7, 20)
        db.session.commit()
        counts = apply_retention(date(2044, 1, 1))
        db.session.commit()
        assert counts["parent conversations"] == 1 and counts["record versions"] == 1
        [conversation] = _versions("parent_conversation", world["conversation"])
        assert conversation.previous is None
        # Safeguarding is under legal hold: the flag and its versions are both untouched.
        [flag] = _versions("risk_flag", flag_world["flag"])
        assert MARKER in flag.previous["protective_factors"]
        entry = db.session.scalar(
            sa.select(AuditEntry).where(AuditEntry.action == "apply_retention")
        )
        assert entry.changes["rows"]["record versions"] == 1
        assert apply_retention(date(2044, 1, 1))["record versions"] == 0  # nothing left


def test_r63_r70_subject_access_lists_versions_without_other_childrens_words(
    app, client, world, make_pupil
):
    peer = make_pupil(world["school"], legal_surname="Peerington", legal_forename="Pip")
    mentor = mentoring_services.MentorSpec(MentorKind.PEER, pupil_id=peer.id)
    pairing_id = make_pairing(app, world["pupil"], world["staff"], mentor=mentor)
    _edit_conversation(app, world, world["staff"], SECOND, "Typed the wrong worry")
    with app.app_context():
        pairing = db.session.get(MentoringPairing, pairing_id)
        mentoring_services.update_pairing(
            pairing,
            replace(details(_staff_spec(world["staff"])), mentor_goals="Staff goals"),
            by=db.session.get(User, world["staff"].id),
            expected_version=pairing.version_id,
        )
        db.session.commit()
    _sign_in(client, world["leader"])
    response = client.get(f"/reports/pupils/{world['pupil'].id}/subject-access.xlsx")
    assert response.status_code == 200
    sheets = workbook_rows(response.data)
    rows = sheets["Record versions"]
    assert rows[0][:2] == ["Changed at", "Changed by"]
    by_field = {(row[2], row[5]): row for row in rows[1:]}
    note = by_field[("Parent conversation", "Family said")]
    assert note[1] == "Sam Staff" and note[6] == FIRST and note[7] == "Typed the wrong worry"
    assert by_field[("Mentoring pairing", "Mentor (pupil)")][6] == "another pupil"
    assert by_field[("Mentoring pairing", "Mentor goals")][6].startswith("[withheld")
    everything = json.dumps(sheets, default=str)
    assert "Peerington" not in everything and "Pip" not in everything


def test_r63_the_governors_workbook_holds_no_earlier_values(app, client, world, make_user):
    _edit_conversation(app, world, world["staff"], SECOND)
    governor = make_user(Role.GOVERNOR, school=world["school"])
    _sign_in(client, governor)
    response = client.get("/reports/governors.xlsx?term=autumn-2026")
    assert response.status_code == 200
    cells = json.dumps(workbook_rows(response.data), default=str)
    assert "FIRST-WORDS" not in cells and "Okafor" not in cells


# Helpers for building edit payloads from a loaded record ---------------------------------------


def _plan_fields() -> list[str]:
    return [
        "type_id",
        "lead_id",
        "start_date",
        "review_date",
        "measure_id",
        "score_min",
        "score_max",
        "intended_outcome",
        "planned_sessions",
        "frequency",
        "cost_pence",
        "funding_stream",
        "pupil_voice",
        "parent_voice",
    ]


def _staff_spec(user: User) -> mentoring_services.MentorSpec:
    return mentoring_services.MentorSpec(MentorKind.STAFF, user_id=user.id)


def _moment_details(moment: KindnessMoment, description: str) -> kindness_services.MomentDetails:
    return kindness_services.MomentDetails(
        giver_kind=moment.giver_kind,
        giver_pupil_ids=tuple(moment.giver_pupil_ids),
        giver_group=moment.giver_group,
        giver_name=moment.giver_name,
        receiver_pupil_id=moment.receiver_pupil_id,
        receiver_name=moment.receiver_name,
        description=description,
        values=tuple(moment.values),
        occurred_on=moment.occurred_on,
        priority_codes=tuple(p.code for p in moment.priorities),
    )


def _learning_data(record: LearningRecord) -> learning_services.LearningData:
    return learning_services.LearningData(
        staff_id=record.staff_id,
        held_on=record.held_on,
        activity=record.activity,
        hours_tenths=record.hours_tenths,
        focus_id=record.focus_id,
        reflection=record.reflection,
    )
