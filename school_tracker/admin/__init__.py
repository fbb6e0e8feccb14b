"""School admins manage accounts: create, change role, deactivate, end sessions."""

from school_tracker.admin import (
    class_staff_views,
    reference_data_views,
    school_settings,
    terms,
    views,
)
from school_tracker.admin.views import bp

# One blueprint, `admin.*`: accounts in views.py (which defines `bp`), term dates in terms.py,
# registration groups' staff in class_staff_views.py, the school's own lists in
# reference_data_views.py.
__all__ = [
    "bp",
    "class_staff_views",
    "reference_data_views",
    "school_settings",
    "terms",
    "views",
]
