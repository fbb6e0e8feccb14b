"""The pupil roll: search, filter and each pupil's page."""

from school_tracker.pupils.views import bp

__all__ = ["bp"]
