"""Every model, imported here so Alembic autogenerate and the app see them all."""

from school_tracker.models.agency_involvement import AgencyInvolvement, InvolvementStatus
from school_tracker.models.alert import Alert, AlertDigest, AlertKind
from school_tracker.models.audit import AuditEntry, AuditImmutableError
from school_tracker.models.class_staff import RegistrationGroupStaff
from school_tracker.models.exclusion import Exclusion, ExclusionKind, ExclusionReason
from school_tracker.models.exclusion_case import (
    ExclusionFollowUp,
    ReinstatementReview,
    ReviewDecision,
    ReviewTrigger,
)
from school_tracker.models.family import CarerRelationship, ParentConversation
from school_tracker.models.intervention import (
    FundingStream,
    Intervention,
    InterventionMode,
    InterventionParticipant,
    InterventionStatus,
    InterventionType,
    ParticipantStatus,
    SessionFrequency,
)
from school_tracker.models.intervention_session import (
    InterventionDeliverer,
    InterventionSession,
    SessionAttendance,
)
from school_tracker.models.kindness import (
    KindnessGiver,
    KindnessMoment,
    KindnessMomentValue,
    KindnessValue,
    KindPersonKind,
)
from school_tracker.models.learning import LearningRecord
from school_tracker.models.mentoring import (
    AdultRelationship,
    MeetingFrequency,
    MentoringPairing,
    MentoringSession,
    MentorKind,
    PairingOutcome,
    PairingStatus,
)
from school_tracker.models.outbox import OutboxMessage, OutboxStatus
from school_tracker.models.priority import Priority
from school_tracker.models.pupil import (
    PUPIL_GROUPS,
    Gender,
    PrimaryNeed,
    Pupil,
    SenStatus,
    YearGroup,
)
from school_tracker.models.record_version import RecordVersion, VersionImmutableError
from school_tracker.models.reference_value import ReferenceKind, ReferenceValue, SchoolListMixin
from school_tracker.models.risk import (
    Agency,
    RiskAction,
    RiskFactor,
    RiskFlag,
    RiskLevel,
    RiskLevelChange,
    RiskOutcome,
    RiskStatus,
    RiskStatusChange,
)
from school_tracker.models.roll_import import RollImport, RollImportStatus
from school_tracker.models.school import School, TermDate, Trust
from school_tracker.models.submission import FormSubmission
from school_tracker.models.transfer import TransferRecord
from school_tracker.models.user import ActivationCode, EmailAlerts, Role, User

__all__ = [
    "InterventionDeliverer",
    "InterventionSession",
    "SessionAttendance",
    "AgencyInvolvement",
    "InvolvementStatus",
    "ExclusionFollowUp",
    "ReinstatementReview",
    "ReviewDecision",
    "ReviewTrigger",
    "PUPIL_GROUPS",
    "Alert",
    "AlertDigest",
    "AlertKind",
    "EmailAlerts",
    "OutboxMessage",
    "OutboxStatus",
    "ActivationCode",
    "AuditEntry",
    "AuditImmutableError",
    "Gender",
    "PrimaryNeed",
    "Priority",
    "Pupil",
    "Role",
    "School",
    "SenStatus",
    "TermDate",
    "Trust",
    "User",
    "YearGroup",
    "AdultRelationship",
    "MeetingFrequency",
    "MentoringPairing",
    "MentoringSession",
    "MentorKind",
    "PairingOutcome",
    "PairingStatus",
    "KindnessGiver",
    "KindnessMoment",
    "KindnessMomentValue",
    "KindnessValue",
    "KindPersonKind",
    "CarerRelationship",
    "FundingStream",
    "Intervention",
    "InterventionMode",
    "InterventionParticipant",
    "InterventionStatus",
    "InterventionType",
    "LearningRecord",
    "ParentConversation",
    "ParticipantStatus",
    "SessionFrequency",
    "Agency",
    "Exclusion",
    "ExclusionKind",
    "ExclusionReason",
    "RecordVersion",
    "VersionImmutableError",
    "RiskAction",
    "ReferenceKind",
    "ReferenceValue",
    "RiskFactor",
    "SchoolListMixin",
    "RiskFlag",
    "RiskLevel",
    "RiskLevelChange",
    "RiskOutcome",
    "RiskStatus",
    "RiskStatusChange",
    "RollImport",
    "RollImportStatus",
    "FormSubmission",
    "TransferRecord",
    "RegistrationGroupStaff",
]
