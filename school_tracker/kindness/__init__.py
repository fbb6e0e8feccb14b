"""Kindness moments (P1) and the kindness wall."""

from school_tracker.kindness.views import bp

__all__ = ["bp"]
