"""Retention (R69): expired records are anonymised, held ones untouched, rows kept."""

from datetime import date

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from school_tracker.extensions import db
from school_tracker.models import (
    AuditEntry,
    Intervention,
    InterventionMode,
    InterventionParticipant,
    InterventionSession,
    InterventionStatus,
    KindnessMoment,
    LearningRecord,
    MentoringPairing,
    MentoringSession,
    ParentConversation,
    Pupil,
    RiskAction,
    RiskFlag,
    SenStatus,
    SessionAttendance,
)
from school_tracker.privacy.retention import REMOVED, apply_retention, years_before
from tests.factories.exports import NOTE

# Mia and Pip (born 1 March 2018) leave in 2027; in 2044 they are past 25, not past 31.
AFTER_25 = date(2044, 1, 1)
AFTER_31 = date(2050, 1, 1)
TABLES = (
    Pupil,
    MentoringPairing,
    MentoringSession,
    Intervention,
    InterventionParticipant,
    RiskFlag,
    ParentConversation,
    KindnessMoment,
    LearningRecord,
)


def _run(app, today: date, **kwargs) -> dict[str, int]:
    with app.app_context():
        counts = apply_retention(today, **kwargs)
        db.session.commit()
        return counts


def _sizes(app) -> dict[str, int]:
    with app.app_context():
        return {
            model.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in TABLES
        }


def _texts(app) -> str:
    """Every free-text and name column that retention blanks, as one string."""
    with app.app_context():
        columns = [
            MentoringPairing.mentee_goals,
            MentoringPairing.mentor_goals,
            MentoringSession.activities,
            MentoringSession.mentee_voice,
            MentoringSession.mentor_reflection,
            Intervention.pupil_voice,
            Intervention.notes,
            InterventionParticipant.withdrawn_reason,
            InterventionSession.note,
            SessionAttendance.absence_reason,
            SessionAttendance.note,
            ParentConversation.family_said,
            ParentConversation.carer_name,
            KindnessMoment.description,
            LearningRecord.reflection,
        ]
        return " ".join(
            str(value) for column in columns for value in db.session.scalars(sa.select(column))
        )


def test_nothing_expires_early(app, leavers_world):
    before = _texts(app)
    counts = _run(app, date(2042, 1, 1))
    assert counts["mentoring pairings"] == 0 and counts["pupils"] == 0
    assert counts["kindness moments"] == 2  # three years after 2026 has passed
    assert NOTE in _texts(app) and _texts(app) != before


@pytest.mark.requirement("R69")
def test_expired_records_are_blanked_but_never_deleted(app, leavers_world):
    sizes = _sizes(app)
    counts = _run(app, AFTER_25)
    assert counts == {
        "mentoring pairings": 3,
        "mentoring sessions": 5,
        "intervention participants": 1,
        "interventions": 2,
        "parent conversations": 1,
        "suspensions and exclusions": 0,
        "returns after a suspension": 0,
        "governors' reinstatement reviews": 0,
        "kindness moments": 2,
        "professional learning": 1,
        "pupils": 2,  # Pip and the earlier leaver; Mia has a held risk flag
        "record versions": 0,  # the world is written without edits
        "session register rows": 2,  # Mia's and Pip's lines at the group's one session
        "intervention sessions": 1,  # and its note: everyone in the group has expired
    }
    assert _sizes(app) == sizes
    texts = _texts(app)
    assert NOTE not in texts and "HYPERLINK" not in texts and "Mum" not in texts
    with app.app_context():
        pip = db.session.get(Pupil, leavers_world.peer.id)
        assert (pip.legal_surname, pip.legal_forename, pip.upn) == (
            REMOVED,
            REMOVED,
            f"x{leavers_world.peer.id}",
        )
        assert pip.date_of_birth == date(2018, 12, 31) and pip.version_id == 3  # left, then this
        mia = db.session.get(Pupil, leavers_world.mentee.id)
        assert mia.legal_surname == "Menteeson"
        flag = db.session.get(RiskFlag, leavers_world.ids["flag"])
        assert NOTE in flag.protective_factors  # legal hold
        quiet = db.session.get(Pupil, leavers_world.quiet.id)
        assert quiet.legal_forename == "Quinn"  # still on roll


@pytest.mark.requirement("R69")
def test_a_second_run_changes_nothing_and_each_run_is_audited_once(app, leavers_world):
    _run(app, AFTER_25)
    assert set(_run(app, AFTER_25).values()) == {0}
    with app.app_context():
        entries = list(
            db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "apply_retention"))
        )
        assert len(entries) == 2
        assert entries[0].changes["rows"]["pupils"] == 2
        assert entries[0].changes["held"] == ["safeguarding"]
        assert NOTE not in str(entries[0].changes)


class TestHoldLifted:
    @pytest.fixture
    def app_config_overrides(self):
        return {"RETENTION_LEGAL_HOLD": ()}

    def test_flags_and_their_pupil_are_anonymised_once_the_hold_is_lifted(self, app, leavers_world):
        counts = _run(app, AFTER_25)
        assert counts["exclusion-risk flags"] == 1 and counts["risk actions"] == 1
        assert counts["risk level changes"] == 1 and counts["risk status changes"] == 1
        assert counts["pupils"] == 3
        with app.app_context():
            flag = db.session.get(RiskFlag, leavers_world.ids["flag"])
            assert flag.protective_factors == "" and flag.agency_notes == ""
            assert db.session.scalar(sa.select(RiskAction.description)) == REMOVED
            assert db.session.get(Pupil, leavers_world.mentee.id).legal_surname == REMOVED


@pytest.mark.requirement("R69")
def test_sen_records_are_kept_to_31(app, leavers_world):
    with app.app_context():
        db.session.get(Pupil, leavers_world.peer.id).sen_status = SenStatus.SUPPORT
        db.session.commit()
    counts = _run(app, AFTER_25)
    assert counts["mentoring pairings"] == 2  # not the one where Pip is the mentee
    assert counts["intervention participants"] == 0
    assert counts["interventions"] == 1  # the group still has Pip in it
    assert counts["pupils"] == 1
    counts = _run(app, AFTER_31)
    assert counts["mentoring pairings"] == 1 and counts["interventions"] == 1
    assert counts["pupils"] == 1


@pytest.mark.requirement("R81")
def test_bulk_updates_bump_the_version_so_open_edit_forms_go_stale(app, leavers_world):
    _run(app, AFTER_25)
    with app.app_context():
        versions = db.session.scalars(sa.select(MentoringPairing.version_id)).all()
        assert sorted(versions) == [1, 1, 2, 2, 2]


def test_dry_run_counts_and_changes_nothing(app, leavers_world, runner):
    before = _texts(app)
    with freeze_time(AFTER_25):
        result = runner.invoke(args=["apply-retention", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Would anonymise 3 mentoring pairings." in result.output
    assert "Under legal hold (not touched): safeguarding." in result.output
    assert _texts(app) == before
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count(AuditEntry.id)).where(
                    AuditEntry.action == "apply_retention"
                )
            )
            == 0
        )


def test_the_command_applies_and_commits(app, leavers_world, runner):
    with freeze_time(AFTER_25):
        result = runner.invoke(args=["apply-retention"])
    assert result.exit_code == 0, result.output
    assert "Anonymised 2 pupils." in result.output
    assert NOTE not in _texts(app)


@pytest.mark.parametrize(
    ("day", "years", "expected"),
    [(date(2044, 3, 1), 25, date(2019, 3, 1)), (date(2044, 2, 29), 25, date(2019, 2, 28))],
)
def test_years_before_handles_leap_days(day, years, expected):
    assert years_before(day, years) == expected


def _group_with_a_session(world, pupils: list, session_note: str) -> int:
    """A group of `pupils` with one register: each absent with a reason and a note."""
    school, staff = world.school.id, world.staff.id
    kind = db.session.scalar(
        sa.select(Intervention.type_id).where(Intervention.school_id == school)
    )
    group = Intervention(
        school_id=school,
        type_id=kind,
        mode=InterventionMode.GROUP,
        lead_id=staff,
        start_date=date(2026, 9, 1),
        review_date=date(2026, 10, 15),
        status=InterventionStatus.ACTIVE,
        created_by_id=staff,
    )
    db.session.add(group)
    db.session.flush()
    places = [
        InterventionParticipant(
            intervention_id=group.id, pupil_id=p.id, start_date=date(2026, 9, 1)
        )
        for p in pupils
    ]
    session = InterventionSession(
        intervention_id=group.id, held_on=date(2026, 9, 8), minutes=30, note=session_note
    )
    db.session.add_all([*places, session])
    db.session.flush()
    db.session.add_all(
        SessionAttendance(
            session_id=session.id,
            participant_id=place.id,
            present=False,
            absence_reason=f"Dentist {NOTE}",
            note=f"Upset {NOTE}",
        )
        for place in places
    )
    db.session.commit()
    return session.id


@pytest.mark.requirement("R69")
def test_a_register_is_blanked_per_pupil_and_its_note_with_the_whole_group(app, leavers_world):
    with app.app_context():
        alone = _group_with_a_session(leavers_world, [leavers_world.peer], f"Pip only {NOTE}")
        shared = _group_with_a_session(
            leavers_world, [leavers_world.peer, leavers_world.quiet], f"Shared {NOTE}"
        )
    counts = _run(app, AFTER_25)
    # Pip's row in each group, beside the world's own register (see the test above)
    assert counts["session register rows"] == 2 + 2
    assert counts["intervention sessions"] == 1 + 1  # Quinn is still on roll in the shared one
    with app.app_context():
        notes = dict(
            db.session.execute(sa.select(InterventionSession.id, InterventionSession.note)).all()
        )
        assert notes[alone] == "" and notes[shared] == f"Shared {NOTE}"
        rows = db.session.execute(
            sa.select(InterventionParticipant.pupil_id, SessionAttendance.absence_reason)
            .join(
                InterventionParticipant,
                SessionAttendance.participant_id == InterventionParticipant.id,
            )
            .where(SessionAttendance.session_id.in_([alone, shared]))
        ).all()
        assert sorted(reason is None for pupil, reason in rows) == [False, True, True]
        assert all(reason is None for pupil, reason in rows if pupil == leavers_world.peer.id)
