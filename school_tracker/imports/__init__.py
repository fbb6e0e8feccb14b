"""Importing the pupil roll from the MIS (DESIGN section 10)."""
