"""Test plumbing that is not data: a live server and browser, the axe-core runner."""
