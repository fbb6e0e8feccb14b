"""Request helpers the intervention blueprints share: load with the access check, link."""

from flask import url_for
from flask_login import current_user

from school_tracker.interventions import queries
from school_tracker.models import Intervention
from school_tracker.permissions import current_school_id


def load_intervention(intervention_id: int) -> Intervention:
    """The intervention if the signed-in user may see it; 404 otherwise."""
    return queries.get_intervention_or_404(current_school_id(), intervention_id, current_user)


def detail_url(record: Intervention) -> str:
    """The intervention's page."""
    return url_for("interventions.detail", intervention_id=record.id)
