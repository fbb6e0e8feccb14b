"""Importing the pupil roll from the MIS (docs/design.md section 10)."""

from school_tracker.imports.views import bp

__all__ = ["bp"]
