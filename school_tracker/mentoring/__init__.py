"""Mentoring pairings, their session log and a mentor's caseload."""

from school_tracker.mentoring.views import bp

__all__ = ["bp"]
