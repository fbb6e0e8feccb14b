"""School admins manage accounts: create, change role, deactivate, end sessions."""

from school_tracker.admin import terms  # noqa: F401 - registers the term-date routes on bp
from school_tracker.admin.views import bp

__all__ = ["bp"]
