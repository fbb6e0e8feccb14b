"""Reading the audit log (admins and leaders of the school)."""

from school_tracker.audit_log.views import bp

__all__ = ["bp"]
