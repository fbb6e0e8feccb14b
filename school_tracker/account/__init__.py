"""A person's own account: password, two-factor sign-in, and confirming it's them."""

from school_tracker.account.views import bp

__all__ = ["bp"]
