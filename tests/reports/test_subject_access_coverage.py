"""The subject-access export covers every table that refers to a pupil (R70)."""

import pytest
import sqlalchemy as sa

from school_tracker.extensions import db
from school_tracker.models import (
    Exclusion,
    ParentConversation,
    ReinstatementReview,
    ReviewTrigger,
    User,
)
from school_tracker.records.versions import apply_changes
from tests.factories.accounts import signed_in
from tests.factories.exports import workbook_rows

# R70: the subject-access export covers every table that refers to a pupil ----------------------

SAR_SHEETS = {
    "agency_involvements": "Agency involvement",
    "audit_entries": "Record access log",
    "exclusions": "Suspensions and exclusions",
    "intervention_participants": "Interventions",
    "kindness_moments": "Kindness moments",
    "kindness_moment_givers": "Kindness moments",  # the kind pupils of each moment
    "mentoring_pairings": "Mentoring",
    "parent_conversations": "Parent conversations",
    "record_versions": "Record versions",
    "reinstatement_reviews": "Reinstatement reviews",
    "risk_flags": "Risk flags",
    "transfer_records": "Transfers",
}


@pytest.mark.requirement("R70")
def test_r70_every_pupil_linked_table_has_a_sheet_in_the_subject_access_file(app, export_world):
    pupils = db.metadata.tables["pupils"]
    linked = {
        table.name
        for table in db.metadata.sorted_tables
        if any(fk.column.table is pupils for fk in table.foreign_keys)
    }
    assert linked == set(SAR_SHEETS)
    with app.app_context():  # an edit, so the pupil's file has an earlier version to show
        conversation = db.session.scalar(
            sa.select(ParentConversation).where(
                ParentConversation.pupil_id == export_world.mentee.id
            )
        )
        apply_changes(
            conversation,
            {"agreed_actions": "Corrected after a call home."},
            by=db.session.get(User, export_world.leader.id),
            entity_type="parent_conversation",
            pupil_id=conversation.pupil_id,
        )
        # The world's suspension has no governors' review: add one, so its sheet has a row.
        exclusion = db.session.scalar(
            sa.select(Exclusion).where(Exclusion.pupil_id == export_world.mentee.id)
        )
        db.session.add(
            ReinstatementReview(
                school_id=exclusion.school_id,
                pupil_id=exclusion.pupil_id,
                exclusion_id=exclusion.id,
                trigger=ReviewTrigger.PUBLIC_EXAM,
                board_notified_on=exclusion.start_date,
            )
        )
        db.session.commit()
    leader = signed_in(app, export_world.leader)
    leader.get(f"/pupils/{export_world.mentee.id}")
    sent = leader.post(
        f"/reports/pupils/{export_world.mentee.id}/transfer", data={"sent_to": "Riverside Academy"}
    )
    assert sent.status_code == 200
    export = leader.get(f"/reports/pupils/{export_world.mentee.id}/subject-access.xlsx")
    rows = workbook_rows(export.data)
    for table, sheet in SAR_SHEETS.items():
        assert len(rows[sheet]) > 1, (table, sheet)
    [transfer] = rows["Transfers"][1:]
    assert transfer[1] == "Riverside Academy" and transfer[2] == "Lena Leader"
    assert transfer[3] is None  # receipt not yet confirmed
