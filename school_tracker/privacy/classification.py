"""Which columns hold personal data, and how sensitive it is (R67).

One table, read by the controls that depend on it: the audit log never keeps the value of
an identifying or free-text column (only that it changed), and the tests check that none of
these values reaches the logs or the governors' workbook. Following DfE guidance, SEND,
pupil premium, children in need, looked-after status, safeguarding, exclusions, wellbeing
interventions and agency involvement are treated as special-category data; free text is
treated the same way, because staff may write anything in it.
"""

import enum


class DataClass(enum.Enum):
    """How a column is handled beyond the defaults."""

    IDENTIFYING = "identifying"  # names a person: never in logs, audit values or governor files
    SPECIAL = "special_category"  # sensitive facts: restricted views; aggregated for governors
    FREE_TEXT = "free_text"  # narrative that may hold anything: handled as both of the above


ID, SC, TXT = DataClass.IDENTIFYING, DataClass.SPECIAL, DataClass.FREE_TEXT

# "table.column" -> class. Association tables (flag agencies, risk factors, named staff) are
# special category as a whole; they hold only ids, so they are listed in SPECIAL_TABLES.
CLASSIFICATION: dict[str, DataClass] = {
    # The pupil roll
    "pupils.upn": ID,
    "pupils.legal_surname": ID,
    "pupils.legal_forename": ID,
    "pupils.preferred_forename": ID,
    "pupils.date_of_birth": ID,
    "pupils.registration_group": ID,
    "pupils.sen_status": SC,
    "pupils.primary_need": SC,
    "pupils.pupil_premium": SC,
    "pupils.fsm": SC,
    "pupils.looked_after": SC,
    "pupils.previously_looked_after": SC,
    "pupils.child_in_need": SC,
    "pupils.young_carer": SC,
    "pupils.legal_hold_reason": TXT,  # may describe a child-protection matter
    "pupils.hand_set_fields": SC,  # which of the above a school corrected by hand
    # the group a member of staff is assigned to, as the roll spells it (issue 13 item 6)
    "registration_group_staff.registration_group": ID,
    # Staff, carers and volunteers
    "users.full_name": ID,
    "outbox_messages.body": ID,  # names the member of staff who raised the alert
    "parent_conversations.carer_name": ID,
    "mentoring_pairings.mentor_name": ID,
    "kindness_moments.giver_name": ID,
    "kindness_moments.receiver_name": ID,
    "kindness_moments.giver_group": ID,  # a registration group, as pupils.registration_group
    # Safeguarding and exclusions
    "risk_flags.level": SC,
    "risk_flags.status": SC,
    "risk_flags.outcome": SC,
    "risk_flags.protective_factors": TXT,
    "risk_flags.agency_notes": TXT,
    "risk_level_changes.level": SC,
    "risk_level_changes.reason": TXT,
    "risk_status_changes.to_status": SC,
    "risk_status_changes.outcome": SC,
    "risk_status_changes.reason": TXT,
    "risk_actions.description": TXT,
    "exclusions.kind": SC,
    "exclusions.sessions": SC,
    "exclusions.reason_1_id": SC,
    "exclusions.reason_2_id": SC,
    "exclusions.reason_3_id": SC,
    "exclusions.social_worker_notified": SC,
    "exclusions.cancel_reason": TXT,
    **{f"exclusion_follow_ups.{name}": TXT for name in ("attended", "agreed", "provider")},
    **{f"exclusion_follow_ups.{name}": TXT for name in ("pupil_views", "parent_views")},
    "reinstatement_reviews.trigger": SC,
    "reinstatement_reviews.decision": SC,
    **{f"reinstatement_reviews.{name}": TXT for name in ("representations", "decision_reasons")},
    "agency_involvements.agency_id": SC,
    "agency_involvements.status": SC,
    "agency_involvements.professional_contact": ID,
    "agency_involvements.professional_role": TXT,
    "agency_involvements.next_step": TXT,
    "agency_involvements.outcome_notes": TXT,
    # Interventions and mentoring (mental health and wellbeing support among them)
    "interventions.type_id": SC,
    "interventions.intended_outcome": TXT,
    "interventions.stop_reason": TXT,
    "interventions.pupil_voice": TXT,
    "interventions.parent_voice": TXT,
    "interventions.notes": TXT,
    "intervention_participants.withdrawn_reason": TXT,
    "intervention_sessions.note": TXT,
    "session_attendance.absence_reason": TXT,
    "session_attendance.note": TXT,
    "mentoring_pairings.mentee_goals": TXT,
    "mentoring_pairings.mentor_goals": TXT,
    "mentoring_pairings.outcome_notes": TXT,
    "mentoring_sessions.activities": TXT,
    "mentoring_sessions.mentee_voice": TXT,
    "mentoring_sessions.mentor_reflection": TXT,
    "mentoring_sessions.wellbeing_start": SC,
    "mentoring_sessions.wellbeing_end": SC,
    # Families, kindness, staff learning
    "parent_conversations.family_said": TXT,
    "parent_conversations.school_said": TXT,
    "parent_conversations.agreed_actions": TXT,
    "kindness_moments.description": TXT,
    "kindness_moments.hidden_reason": TXT,
    "learning_records.reflection": TXT,
    # Earlier versions of all of the above (R63): the free text and names they replaced
    "record_versions.previous": TXT,
    "record_versions.reason": TXT,
}
SPECIAL_TABLES = frozenset(
    {"risk_flag_agencies", "risk_flag_factors", "risk_flag_staff", "agency_involvement_staff"}
)


def columns_of(*classes: DataClass) -> set[str]:
    """The "table.column" names classified as any of `classes`."""
    return {name for name, data_class in CLASSIFICATION.items() if data_class in classes}


# Column names whose values the audit log never keeps (it records that they changed).
CONTENT_COLUMN_NAMES = frozenset(name.split(".")[1] for name in columns_of(ID, TXT))
