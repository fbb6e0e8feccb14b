"""Agency involvement: a referral to an agency and what came of it (issue 16 item 5)."""

from school_tracker.agencies.views import bp

__all__ = ["bp"]
