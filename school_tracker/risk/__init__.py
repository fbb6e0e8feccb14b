"""Exclusion-risk flags: raise, review, escalate and close, seen only by those named."""

from school_tracker.risk.views import bp

__all__ = ["bp"]
