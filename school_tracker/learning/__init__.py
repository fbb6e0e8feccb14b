"""Staff professional learning (AfA priority P3)."""

from school_tracker.learning.views import bp

__all__ = ["bp"]
