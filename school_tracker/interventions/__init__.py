"""Inclusion interventions: the catalogue, plans, pupils taking part and their outcomes."""

from school_tracker.interventions.catalogue_views import bp as catalogue_bp
from school_tracker.interventions.participant_views import bp as participants_bp
from school_tracker.interventions.session_views import bp as sessions_bp
from school_tracker.interventions.views import bp

__all__ = ["bp", "catalogue_bp", "participants_bp", "sessions_bp"]
