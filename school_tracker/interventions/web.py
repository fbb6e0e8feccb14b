"""Request helpers the intervention blueprints share: load with access check, show refusals."""

from flask import url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from school_tracker.interventions import queries
from school_tracker.models import Intervention
from school_tracker.permissions import current_school_id
from school_tracker.records import RecordRuleError
from school_tracker.web import show_refusal


def load_intervention(intervention_id: int) -> Intervention:
    """The intervention if the signed-in user may see it; 404 otherwise."""
    return queries.get_intervention_or_404(current_school_id(), intervention_id, current_user)


def detail_url(record: Intervention) -> str:
    """The intervention's page."""
    return url_for("interventions.detail", intervention_id=record.id)


def refuse(form: FlaskForm, error: RecordRuleError) -> None:
    """Show a rule the service refused beside its field (or at the top), writing nothing."""
    show_refusal(form, error)
