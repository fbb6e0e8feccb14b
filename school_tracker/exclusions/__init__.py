"""Suspensions and permanent exclusions with DfE reasons and the legal thresholds."""

from school_tracker.exclusions import case_views  # noqa: F401 - adds its routes to bp
from school_tracker.exclusions.views import bp

__all__ = ["bp"]
