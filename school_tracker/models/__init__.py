"""Every model, imported here so Alembic autogenerate and the app see them all."""

from school_tracker.models.audit import AuditEntry, AuditImmutableError
from school_tracker.models.priority import Priority
from school_tracker.models.pupil import (
    PUPIL_GROUPS,
    Gender,
    PrimaryNeed,
    Pupil,
    SenStatus,
    YearGroup,
)
from school_tracker.models.school import School, TermDate, Trust
from school_tracker.models.user import ActivationCode, Role, User

__all__ = [
    "PUPIL_GROUPS",
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
]
