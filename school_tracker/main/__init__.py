"""The home page for each role and the health check."""

from school_tracker.main.views import bp

__all__ = ["bp"]
