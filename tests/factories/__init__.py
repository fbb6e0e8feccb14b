"""Builders of test data shared across feature folders (plain functions, detached ids)."""
