"""The pupil roll: search, filter and each pupil's page."""

from school_tracker.pupils import (
    characteristics_views,  # noqa: F401 - adds its route to bp
    lookup_views,  # noqa: F401 - adds its route to bp
    my_class_views,  # noqa: F401 - adds its route to bp
)
from school_tracker.pupils.views import bp

__all__ = ["bp"]
