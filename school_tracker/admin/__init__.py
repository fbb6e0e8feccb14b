"""School admins manage accounts: create, change role, deactivate, end sessions."""

from school_tracker.admin import school_settings, terms, views
from school_tracker.admin.views import bp

# One blueprint, `admin.*`: accounts in views.py (which defines `bp`), term dates in terms.py.
__all__ = ["bp", "school_settings", "terms", "views"]
