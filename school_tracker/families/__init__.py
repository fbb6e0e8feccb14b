"""Structured conversations with parents and carers (AfA priority P5)."""

from school_tracker.families.views import bp

__all__ = ["bp"]
