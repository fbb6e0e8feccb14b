"""Reading the security log in tests (records captured by pytest's caplog)."""

import logging

from school_tracker.web.logging_setup import SECURITY_LOGGER


def security_events(caplog, name: str) -> list[logging.LogRecord]:
    """The security-log records of one event type, in order."""
    return [
        r for r in caplog.records if r.name == SECURITY_LOGGER and getattr(r, "event", "") == name
    ]
