"""A legal hold on one pupil (R69): while it stands, retention blanks nothing about them.

Child-protection matters (an inquiry, a police investigation, a claim) can need one child's
records kept past every retention period. Only the school's leaders, among them the
designated safeguarding lead, place or lift a hold; admins manage accounts and the roll and
never see it (R25). Each change is audited by field name: the reason is child-protection
text, so it stays on the pupil's record and never reaches the audit log.
"""

from school_tracker.audit import record_audit
from school_tracker.extensions import db
from school_tracker.models import Pupil, Role, User
from school_tracker.models.pupil import LEGAL_HOLD_REASON_MAX
from school_tracker.orm import utcnow
from school_tracker.records.versions import RecordRuleError


def _check(pupil: Pupil, reason: str | None, by: User) -> str:
    """The trimmed reason, once the person and the reason pass the rules."""
    if by.role is not Role.LEADER or pupil.school_id != by.school_id:
        raise RecordRuleError("Only the school's leaders can place or lift a legal hold.")
    reason = (reason or "").strip()
    if not reason:
        raise RecordRuleError("Say why.", field="reason")
    if len(reason) > LEGAL_HOLD_REASON_MAX:
        raise RecordRuleError(
            f"Keep the reason to {LEGAL_HOLD_REASON_MAX} characters.", field="reason"
        )
    return reason


def _audit(pupil: Pupil, by: User, action: str, changes: dict[str, str]) -> None:
    record_audit(
        by,
        action,
        "pupil",
        pupil.id,
        school_id=pupil.school_id,
        pupil_id=pupil.id,
        changes=changes,
    )


def place_hold(pupil: Pupil, reason: str | None, *, by: User) -> Pupil:
    """Put the pupil under a legal hold; refused if one already stands."""
    reason = _check(pupil, reason, by)
    if pupil.is_under_legal_hold:
        raise RecordRuleError("This pupil is already under a legal hold.", field="reason")
    pupil.legal_hold_reason = reason
    pupil.legal_hold_set_at = utcnow()
    pupil.legal_hold_set_by_id = by.id
    db.session.flush()
    _audit(
        pupil,
        by,
        "place_legal_hold",
        {"legal_hold_reason": "set", "legal_hold_set_at": "set", "legal_hold_set_by_id": "set"},
    )
    return pupil


def lift_hold(pupil: Pupil, reason: str | None, *, by: User) -> Pupil:
    """Lift the pupil's legal hold, keeping why; the next retention run may then act."""
    reason = _check(pupil, reason, by)
    if not pupil.is_under_legal_hold:
        raise RecordRuleError("This pupil is not under a legal hold.", field="reason")
    pupil.legal_hold_reason = reason
    pupil.legal_hold_set_at = None
    pupil.legal_hold_set_by_id = None
    db.session.flush()
    _audit(
        pupil,
        by,
        "lift_legal_hold",
        {
            "legal_hold_reason": "changed",
            "legal_hold_set_at": "cleared",
            "legal_hold_set_by_id": "cleared",
        },
    )
    return pupil
