"""School admins manage accounts: create, change role, deactivate, end sessions."""

from school_tracker.admin.views import bp

__all__ = ["bp"]
