"""Leaders' dashboard (named drill-down) and the governors' anonymised version."""

from school_tracker.dashboard import list_views as list_views  # registers the list pages
from school_tracker.dashboard.views import bp

__all__ = ["bp"]
