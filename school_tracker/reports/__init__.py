"""Governors' workbook, leaders' named export and the pieces they share.

One blueprint, `reports.*`: the governors' pages are in views.py (which defines `bp`) and the
leaders' named and subject-access downloads in export_views.py; both modules are named here, so
the blueprint the app factory registers has all of its routes.
"""

from school_tracker.reports import export_views, views
from school_tracker.reports.views import bp

__all__ = ["bp", "export_views", "views"]
