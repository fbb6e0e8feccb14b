"""Signing in and out, and activating an account with a one-time code."""

from school_tracker.auth import reset_views  # noqa: F401 - adds the reset pages to bp
from school_tracker.auth.views import bp

__all__ = ["bp"]
