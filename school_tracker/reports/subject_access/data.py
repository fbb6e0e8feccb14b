"""Everything the school holds about one pupil, loaded for their subject-access file.

Every query is scoped to the pupil's own school and to records about this pupil; other
pupils are only ever reached as ids (never loaded), so their names cannot leak into the file.
"""

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from school_tracker.extensions import db
from school_tracker.models import (
    AgencyInvolvement,
    AuditEntry,
    Exclusion,
    ExclusionFollowUp,
    Intervention,
    InterventionParticipant,
    InterventionSession,
    KindnessMoment,
    MentoringPairing,
    MentoringSession,
    ParentConversation,
    Pupil,
    RecordVersion,
    ReinstatementReview,
    RiskFlag,
    SessionAttendance,
    TransferRecord,
    User,
)
from school_tracker.models.kindness import gave_or_received


@dataclass
class PupilFile:
    """One pupil and every record about them, oldest first."""

    pupil: Pupil
    pairings: list[MentoringPairing]
    sessions: list[MentoringSession]
    participations: list[InterventionParticipant]
    flags: list[RiskFlag]
    exclusions: list[Exclusion]
    conversations: list[ParentConversation]
    moments: list[KindnessMoment]
    access: list[AuditEntry]
    transfers: list[TransferRecord]  # files sent to the pupil's next schools
    staff: dict[int, str]  # user id -> full name, for every "by" column
    versions: list[RecordVersion] = field(default_factory=list)  # earlier values (R63)
    follow_ups: list[ExclusionFollowUp] = field(default_factory=list)
    reviews: list[ReinstatementReview] = field(default_factory=list)
    involvements: list[AgencyInvolvement] = field(default_factory=list)
    register: list[SessionAttendance] = field(default_factory=list)  # this pupil's lines only

    def name(self, user_id: int | None) -> str:
        """A member of staff's name by id (blank when none)."""
        return "" if user_id is None else self.staff.get(user_id, "a former user")


def load_pupil_file(pupil: Pupil, *, with_access_log: bool) -> PupilFile:
    """Load every record about `pupil` in their school (a fixed handful of queries)."""
    school_id, pupil_id = pupil.school_id, pupil.id
    pairings = _all(
        sa.select(MentoringPairing)
        .where(
            MentoringPairing.school_id == school_id,
            sa.or_(
                MentoringPairing.mentee_id == pupil_id,
                MentoringPairing.mentor_pupil_id == pupil_id,
            ),
        )
        .options(selectinload(MentoringPairing.priorities))
        .order_by(MentoringPairing.starts_on, MentoringPairing.id)
    )
    sessions = _all(
        sa.select(MentoringSession)
        .where(MentoringSession.pairing_id.in_([p.id for p in pairings]))
        .order_by(MentoringSession.held_on, MentoringSession.id)
    )
    participations = _all(
        sa.select(InterventionParticipant)
        .join(Intervention, Intervention.id == InterventionParticipant.intervention_id)
        .where(Intervention.school_id == school_id, InterventionParticipant.pupil_id == pupil_id)
        .options(
            selectinload(InterventionParticipant.intervention).selectinload(Intervention.type),
            selectinload(InterventionParticipant.intervention).selectinload(
                Intervention.priorities
            ),
        )
        .order_by(InterventionParticipant.start_date, InterventionParticipant.id)
    )
    register = _all(
        sa.select(SessionAttendance)
        .join(InterventionSession, InterventionSession.id == SessionAttendance.session_id)
        .where(SessionAttendance.participant_id.in_([p.id for p in participations]))
        .options(selectinload(SessionAttendance.session))
        .order_by(InterventionSession.held_on, InterventionSession.id)
    )
    flags = _all(
        sa.select(RiskFlag)
        .where(RiskFlag.school_id == school_id, RiskFlag.pupil_id == pupil_id)
        .options(
            selectinload(RiskFlag.agencies),
            selectinload(RiskFlag.risk_factors),
            selectinload(RiskFlag.named_staff),
            selectinload(RiskFlag.priorities),
            selectinload(RiskFlag.level_history),
            selectinload(RiskFlag.status_history),
            selectinload(RiskFlag.actions),
        )
        .order_by(RiskFlag.raised_on, RiskFlag.id)
    )
    exclusions = _all(
        sa.select(Exclusion)
        .where(Exclusion.school_id == school_id, Exclusion.pupil_id == pupil_id)
        .options(
            selectinload(Exclusion.reason_1),
            selectinload(Exclusion.reason_2),
            selectinload(Exclusion.reason_3),
        )
        .order_by(Exclusion.start_date, Exclusion.id)
    )
    follow_ups = _all(
        sa.select(ExclusionFollowUp)
        .where(ExclusionFollowUp.exclusion_id.in_([e.id for e in exclusions]))
        .order_by(ExclusionFollowUp.id)
    )
    reviews = _all(
        sa.select(ReinstatementReview)
        .where(ReinstatementReview.school_id == school_id, ReinstatementReview.pupil_id == pupil_id)
        .order_by(ReinstatementReview.board_notified_on, ReinstatementReview.id)
    )
    conversations = _all(
        sa.select(ParentConversation)
        .where(ParentConversation.school_id == school_id, ParentConversation.pupil_id == pupil_id)
        .options(selectinload(ParentConversation.priorities))
        .order_by(ParentConversation.held_on, ParentConversation.id)
    )
    moments = _all(
        sa.select(KindnessMoment)
        .where(
            KindnessMoment.school_id == school_id,
            gave_or_received(pupil_id),
        )
        .options(selectinload(KindnessMoment.value_rows), selectinload(KindnessMoment.giver_rows))
        .order_by(KindnessMoment.occurred_on, KindnessMoment.id)
    )
    involvements = _all(
        sa.select(AgencyInvolvement)
        .where(AgencyInvolvement.school_id == school_id, AgencyInvolvement.pupil_id == pupil_id)
        .options(selectinload(AgencyInvolvement.agency))
        .order_by(AgencyInvolvement.referred_on, AgencyInvolvement.id)
    )
    access, transfers = [], []
    if with_access_log:
        access = _all(
            sa.select(AuditEntry)
            .where(AuditEntry.school_id == school_id, AuditEntry.pupil_id == pupil_id)
            .order_by(AuditEntry.at, AuditEntry.id)
        )
        transfers = _all(
            sa.select(TransferRecord)
            .where(TransferRecord.school_id == school_id, TransferRecord.pupil_id == pupil_id)
            .order_by(TransferRecord.created_at, TransferRecord.id)
        )
    staff = {
        user_id: name
        for user_id, name in db.session.execute(
            sa.select(User.id, User.full_name).where(
                sa.or_(User.school_id == school_id, User.school_id.is_(None))
            )
        )
    }
    return PupilFile(
        pupil,
        pairings,
        sessions,
        participations,
        flags,
        exclusions,
        conversations,
        moments,
        access,
        transfers,
        staff,
        follow_ups=follow_ups,
        reviews=reviews,
        involvements=involvements,
        register=register,
        versions=_versions(
            school_id,
            {
                "mentoring_pairing": [p.id for p in pairings],
                "intervention": sorted({p.intervention_id for p in participations}),
                "intervention_participant": [p.id for p in participations],
                "risk_flag": [f.id for f in flags],
                "exclusion": [e.id for e in exclusions],
                "exclusion_follow_up": [f.id for f in follow_ups],
                "reinstatement_review": [r.id for r in reviews],
                "parent_conversation": [c.id for c in conversations],
                "kindness_moment": [m.id for m in moments],
                "agency_involvement": [i.id for i in involvements],
            },
        ),
    )


def _versions(school_id: int, records: dict[str, list[int]]) -> list[RecordVersion]:
    """The earlier versions of exactly the records in the file, oldest first."""
    about = [
        sa.and_(RecordVersion.entity_type == kind, RecordVersion.entity_id.in_(ids))
        for kind, ids in records.items()
        if ids
    ]
    if not about:
        return []
    return _all(
        sa.select(RecordVersion)
        .where(RecordVersion.school_id == school_id, sa.or_(*about))
        .order_by(RecordVersion.changed_at, RecordVersion.id)
    )


def _all(stmt: sa.Select) -> list:
    return list(db.session.scalars(stmt))
