"""Configuration classes; the factory validates what production needs, so importing never fails."""

import os
from datetime import timedelta

# Known development values; production refuses to start with any of them.
DEV_SECRET_KEY = "dev-only-not-secret-change-me-0123456789"  # noqa: S105 - refused in production


class Config:
    """Defaults shared by every environment; deploy-time values come from the environment."""

    APP_ENV = "base"
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", "sqlite:///school_tracker.db")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}

    # Flask's defaults are too lax for children's data (R10, R13, R14, R49).
    SESSION_COOKIE_NAME = "session"
    SESSION_COOKIE_SECURE = False
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=10)
    SESSION_IDLE_MINUTES = 30
    SESSION_ABSOLUTE_HOURS = 10
    REMEMBER_COOKIE_DURATION = timedelta(seconds=0)
    MAX_CONTENT_LENGTH = 5 * 1024 * 1024  # the roll upload; the only multipart form
    # Every other body, URL-encoded or not, and each text part of a multipart one
    # (request_size.py). The largest form's text limits, filled with 4-byte characters
    # percent-encoded (12 bytes each), come to about 415,000 bytes.
    MAX_FORM_MEMORY_SIZE = 500_000
    WTF_CSRF_TIME_LIMIT = 3600
    TRUSTED_HOSTS: list[str] | None = None
    PROXY_FIX_X_FOR = 0
    PROXY_FIX_X_PROTO = 0

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = False
    LOGIN_LIMIT_PER_ADDRESS = "20 per minute"
    LOGIN_LIMIT_PER_ACCOUNT = "5 per minute"
    RESET_LIMIT_PER_ADDRESS = "10 per hour"  # password-reset links asked for from one address
    RESET_LIMIT_PER_ACCOUNT = "3 per hour"  # ... and about one e-mail address

    # Roles that must enrol TOTP before using anything (R6). Development offers it
    # without forcing it so the documented demo sign-ins keep working; production forces it.
    MFA_REQUIRED_ROLES: tuple[str, ...] = ()
    FRESH_AUTH_MINUTES = 15
    MFA_LIMIT = "5 per minute"

    PASSWORD_MIN_LENGTH = 12
    PASSWORD_MAX_LENGTH = 128
    PASSWORD_MIN_STRENGTH = 3  # zxcvbn score 0-4

    # Counts of pupils from 1 to this are hidden from governors and the trust
    # (docs/design.md section 8).
    SUPPRESSION_THRESHOLD = 5
    EXPORT_LIMIT = "30 per hour"
    # Per person; no one searching by hand or importing a roll comes near these (R77).
    SEARCH_LIMIT = "60 per minute"
    # The type-ahead pupil picker asks once per keystroke: a fast typist picking a class
    # stays well under this, a script walking the roll does not.
    LOOKUP_LIMIT = "300 per minute"
    IMPORT_LIMIT = "20 per hour"

    # Retention (R69): years before `flask apply-retention` blanks a record's free
    # text and names (rows are kept so reports still add up). Defaults follow the IRMS schools
    # toolkit as commonly cited; the trust's DPO must confirm them before go-live.
    RETENTION_YEARS: dict[str, int] = {
        # After the pupil's date of birth, and only once they have left (the last school
        # keeps the pupil record to their 25th birthday):
        "pupil_records": 25,  # their name and UPN; always last, after everything below
        "mentoring_interventions": 25,  # pairings, sessions, interventions
        "families": 25,  # structured conversations with parents and carers
        "behaviour": 25,  # suspensions and permanent exclusions
        "safeguarding": 25,  # exclusion-risk flags (agency notes, actions)
        "sen": 31,  # a pupil with SEN: at least DOB + 31 (EHC plan to 25, plus 6 years)
        # After the record's own date:
        "kindness": 3,  # celebrations with no ongoing need: three school years is plenty
        "learning": 6,  # staff CPD reflections: the IRMS six years for staff training
    }
    # Categories never anonymised until lifted (R69 legal hold: IICSA asked that nothing
    # touching child protection be destroyed "until further notice"). Flags hold agency and
    # social-care detail, so they are held by default. Audit entries are never touched: they
    # hold no content and the application may not change them (R64).
    RETENTION_LEGAL_HOLD: tuple[str, ...] = ("safeguarding",)
    # Backups hold what retention has since blanked, so they expire too (`flask prune-backups`);
    # five weeks covers a half-term holiday with room to spare.
    BACKUP_KEEP_DAYS = 35

    # E-mail (issue 14): off unless MAIL_SERVER is set. Links in e-mails use SITE_URL (or
    # SERVER_NAME), never the request's Host header.
    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "").lower() in ("1", "true", "yes")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "school-tracker@localhost")
    MAIL_TIMEOUT = 10  # seconds; only the sender waits, never a page
    # Always SMTP: Flask-Mailman would otherwise swap in an in-memory backend under TESTING,
    # and the tests are meant to prove real delivery (issue 14 item 5).
    MAIL_BACKEND = "smtp"
    SITE_URL = os.environ.get("SITE_URL") or None
    MAIL_RETRY_SECONDS = 60  # the first retry; each later one waits twice as long
    MAIL_MAX_ATTEMPTS = 8  # about four hours of retries before a message is given up
    MAIL_CLAIM_MINUTES = 10  # a claim older than this belongs to a sender that died
    MAIL_POLL_SECONDS = 5
    # When the daily digest goes (school time, Europe/London, "HH:MM"), for those who chose one:
    # before the school day starts, so it is read before the day's first lesson.
    MAIL_DIGEST_TIME = "07:00"

    BOOTSTRAP_SERVE_LOCAL = True
    PUPILS_PER_PAGE = 25
    AUDIT_PER_PAGE = 50
    ALLOW_DEMO_SEED = True
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")


class DevelopmentConfig(Config):
    """Local running: `make run` on 127.0.0.1 over plain HTTP."""

    APP_ENV = "development"


class TestingConfig(Config):
    """The test suite: a throwaway database, fast hashing, CSRF off except in its own tests."""

    APP_ENV = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret-key-with-enough-length-0123"  # noqa: S105 - tests only
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    # Cheap argon2id parameters keep the suite fast; production keeps the library defaults.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 8
    ARGON2_PARALLELISM = 1


class ProductionConfig(Config):
    """Behind TLS with gunicorn; `create_app` refuses to start without a real SECRET_KEY."""

    APP_ENV = "production"
    SESSION_COOKIE_NAME = "__Host-session"
    SESSION_COOKIE_SECURE = True
    ALLOW_DEMO_SEED = False
    PREFERRED_URL_SCHEME = "https"
    MFA_REQUIRED_ROLES = ("leader", "admin", "trust_leader")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_for_env(name: str | None = None) -> type[Config]:
    """Pick the config class named by APP_ENV (default development)."""
    name = (name or os.environ.get("APP_ENV") or "development").lower()
    if name not in CONFIGS:
        raise SystemExit(f"APP_ENV must be one of {', '.join(CONFIGS)}; got {name!r}")
    return CONFIGS[name]
