"""Leaders' dashboard (named drill-down) and the governors' anonymised version."""

from school_tracker.dashboard.views import bp

__all__ = ["bp"]
