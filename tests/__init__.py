"""The test suite, in folders that mirror school_tracker/ (see tests/conftest.py for fixtures)."""
