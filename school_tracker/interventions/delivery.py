"""Who delivers an intervention besides its lead (issue 13 item 2)."""

from school_tracker.alerts.services import raise_alert
from school_tracker.audit import record_audit
from school_tracker.extensions import db
from school_tracker.interventions.services import audit_pupil_id
from school_tracker.models import AlertKind, Intervention, InterventionDeliverer, User
from school_tracker.records.pickers import school_staff
from school_tracker.records.versions import RecordRuleError


def set_delivery_staff(intervention: Intervention, user_ids: list[int], *, by: User) -> list[int]:
    """Make `user_ids` the intervention's delivery staff; returns the ids now delivering it.

    Each newly added person is alerted once. The lead leads it already, so is not listed.
    """
    wanted: dict[int, User] = {}
    for user_id in user_ids:
        user = school_staff(intervention.school_id, user_id)
        if user is None:
            raise RecordRuleError("Choose staff at this school.", field="user_ids")
        if user.id != intervention.lead_id:
            wanted[user.id] = user
    current = {row.user_id for row in intervention.delivery_staff}
    added = [user for user_id, user in wanted.items() if user_id not in current]
    removed = current - wanted.keys()
    intervention.delivery_staff = [
        row for row in intervention.delivery_staff if row.user_id not in removed
    ] + [InterventionDeliverer(user_id=user.id, user=user, added_by_id=by.id) for user in added]
    db.session.flush()
    record_audit(
        by,
        "set_delivery_staff",
        "intervention",
        intervention.id,
        school_id=intervention.school_id,
        pupil_id=audit_pupil_id(intervention),
        changes={"added": sorted(u.id for u in added), "removed": sorted(removed)},
    )
    for user in added:
        raise_alert(
            user,
            AlertKind.INTERVENTION_DELIVERY,
            by=by,
            record_type="intervention",
            record_id=intervention.id,
        )
    return sorted(wanted)
