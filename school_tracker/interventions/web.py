"""Links the intervention blueprints share."""

from flask import url_for

from school_tracker.models import Intervention


def detail_url(record: Intervention) -> str:
    """The intervention's page."""
    return url_for("interventions.detail", intervention_id=record.id)
