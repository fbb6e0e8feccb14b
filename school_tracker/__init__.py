"""school_tracker: the Kindness & Mutuality Tracker application factory."""

from pathlib import Path

from flask import Flask
from werkzeug.utils import import_string

ROOT = Path(__file__).resolve().parent.parent


def create_app(config_object: type | str | None = None) -> Flask:
    """Build the app from a config class (or its import path); does no I/O or migrations."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_relative_config=True,
    )
    from school_tracker.web.request_size import SizeLimitedRequest

    app.request_class = SizeLimitedRequest  # every form body has a size limit (issue 11)
    if isinstance(config_object, str):
        config_object = import_string(config_object)
    if config_object is not None:
        app.config.from_object(config_object)
    app.config.from_prefixed_env("SCHOOL_TRACKER")
    configure_database_url(app)
    check_production_settings(app)
    configure_logging(app)
    register_extensions(app)
    register_blueprints(app)
    register_record_sources(app)
    register_alert_sources(app)
    from school_tracker.auth.sessions import register_sessions
    from school_tracker.permissions import register_policy
    from school_tracker.templating import register_templating
    from school_tracker.web.errors import register_error_handlers
    from school_tracker.web.security import register_security
    from school_tracker.web.submissions import register_submissions

    register_sessions(app)
    register_policy(app)
    register_submissions(app)
    register_security(app)
    register_error_handlers(app)
    register_templating(app)
    register_cli(app)
    return app


def configure_database_url(app: Flask) -> None:
    """Accept plain postgresql:// URLs and run them on psycopg 3."""
    from school_tracker.database import normalise_database_url

    uri = app.config.get("SQLALCHEMY_DATABASE_URI") or "sqlite:///school_tracker.db"
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(uri)


def _weak_key(key: str | bytes | None) -> bool:
    """Shorter than 32 bytes (R74 counts bytes, not characters) or the development key."""
    from config import DEV_SECRET_KEY

    raw = key.encode() if isinstance(key, str) else (key or b"")
    return len(raw) < 32 or raw == DEV_SECRET_KEY.encode()


def check_production_settings(app: Flask) -> None:
    """Refuse to start production with a weak secret key, local-only limits or any host."""
    if app.config.get("APP_ENV") != "production":
        return
    if _weak_key(app.config.get("SECRET_KEY")):
        raise RuntimeError(
            "Production needs SECRET_KEY set to at least 32 random bytes, e.g. "
            "python -c 'import secrets; print(secrets.token_urlsafe(48))'"
        )
    # An old key still verifies sessions and decrypts TOTP seeds, so it must be as strong.
    if any(_weak_key(old) for old in app.config.get("SECRET_KEY_FALLBACKS") or ()):
        raise RuntimeError(
            "Every SECRET_KEY_FALLBACKS entry must be at least 32 random bytes and not the "
            "development key; remove any that is not."
        )
    if app.config.get("RATELIMIT_STORAGE_URI", "memory://").startswith("memory://"):
        raise RuntimeError(
            "Production needs RATELIMIT_STORAGE_URI pointing at Redis (e.g. "
            "redis://127.0.0.1:6379/0): in-memory limits are per worker and reset on restart."
        )
    # Links in e-mails and redirects are built from the Host header (R9, R42): without a list,
    # any Host a client sends is believed.
    hosts = app.config.get("TRUSTED_HOSTS")
    if not hosts or not isinstance(hosts, list | tuple):
        raise RuntimeError(
            "Production needs TRUSTED_HOSTS as a JSON list, e.g. "
            "SCHOOL_TRACKER_TRUSTED_HOSTS='[\"tracker.example.org\"]'"
        )
    app.debug = False


def configure_logging(app: Flask) -> None:
    """Structured logs to stderr (pytest captures them in tests)."""
    from school_tracker.web.logging_setup import configure_logging as configure

    configure(app)


def register_extensions(app: Flask) -> None:
    """Bind the unbound extensions to this app."""
    import openpyxl

    from school_tracker import models  # noqa: F401 - every model must be mapped
    from school_tracker.database import configure_engines
    from school_tracker.extensions import bootstrap, csrf, db, limiter, login_manager, migrate

    # openpyxl falls back to the unsafe stdlib parser if defusedxml is missing or disabled.
    if not openpyxl.DEFUSEDXML:
        raise RuntimeError("defusedxml must be installed and OPENPYXL_DEFUSEDXML not disabled")
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    bootstrap.init_app(app)
    limiter.init_app(app)
    configure_engines(app)
    from school_tracker.mail import register_mail

    register_mail(app)


def register_blueprints(app: Flask) -> None:
    """One blueprint per feature."""
    from school_tracker.account import bp as account_bp
    from school_tracker.admin import bp as admin_bp
    from school_tracker.agencies import bp as agencies_bp
    from school_tracker.alerts.views import bp as alerts_bp
    from school_tracker.audit_log import bp as audit_bp
    from school_tracker.auth import bp as auth_bp
    from school_tracker.dashboard import bp as dashboard_bp
    from school_tracker.exclusions import bp as exclusions_bp
    from school_tracker.families import bp as families_bp
    from school_tracker.imports import bp as imports_bp
    from school_tracker.interventions import bp as interventions_bp
    from school_tracker.interventions import catalogue_bp as intervention_catalogue_bp
    from school_tracker.interventions import participants_bp as intervention_pupils_bp
    from school_tracker.interventions import sessions_bp as intervention_sessions_bp
    from school_tracker.kindness import bp as kindness_bp
    from school_tracker.learning import bp as learning_bp
    from school_tracker.main import bp as main_bp
    from school_tracker.mentoring import bp as mentoring_bp
    from school_tracker.pupils import bp as pupils_bp
    from school_tracker.reports import bp as reports_bp
    from school_tracker.risk import bp as risk_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(account_bp, url_prefix="/account")
    app.register_blueprint(alerts_bp, url_prefix="/alerts")
    app.register_blueprint(pupils_bp, url_prefix="/pupils")
    app.register_blueprint(dashboard_bp, url_prefix="/dashboard")
    app.register_blueprint(reports_bp, url_prefix="/reports")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(audit_bp, url_prefix="/audit")
    app.register_blueprint(mentoring_bp, url_prefix="/mentoring")
    app.register_blueprint(kindness_bp, url_prefix="/kindness")
    app.register_blueprint(imports_bp, url_prefix="/imports")
    app.register_blueprint(intervention_catalogue_bp, url_prefix="/interventions/catalogue")
    app.register_blueprint(interventions_bp, url_prefix="/interventions")
    app.register_blueprint(intervention_pupils_bp, url_prefix="/interventions")
    app.register_blueprint(intervention_sessions_bp, url_prefix="/interventions")
    app.register_blueprint(learning_bp, url_prefix="/learning")
    app.register_blueprint(families_bp, url_prefix="/families")
    app.register_blueprint(risk_bp, url_prefix="/risk")
    app.register_blueprint(exclusions_bp, url_prefix="/exclusions")
    app.register_blueprint(agencies_bp, url_prefix="/agencies")


def register_record_sources(app: Flask) -> None:
    """Each feature's entries on a pupil's timeline and its panels on the home page."""
    from school_tracker.agencies.panels import involvement_timeline
    from school_tracker.exclusions.panels import exclusion_home_panels, exclusion_timeline
    from school_tracker.families.panels import conversation_timeline, follow_up_panel
    from school_tracker.interventions.panels import intervention_panels, intervention_timeline
    from school_tracker.kindness.sources import kindness_timeline
    from school_tracker.mentoring.sources import mentoring_home, mentoring_timeline
    from school_tracker.pupils.my_class_panel import my_class_home
    from school_tracker.records.timeline import register_sources
    from school_tracker.risk.panels import flag_timeline, risk_home_panels

    # Asked in this order: entries of the same day and panels of the same order keep it.
    register_sources(
        app,
        timeline=[
            exclusion_timeline,
            flag_timeline,
            involvement_timeline,
            conversation_timeline,
            intervention_timeline,
            mentoring_timeline,
            kindness_timeline,
        ],
        home=[
            exclusion_home_panels,
            risk_home_panels,
            follow_up_panel,
            intervention_panels,
            mentoring_home,
            my_class_home,
        ],
    )


def register_alert_sources(app: Flask) -> None:
    """The records alerts may point at, the daily due checks, and the unread count in the nav."""
    from school_tracker.agencies import alerts as agency_alerts
    from school_tracker.alerts.queries import unread_alert_count
    from school_tracker.alerts.targets import register_alert_sources as register
    from school_tracker.families import alerts as family_alerts
    from school_tracker.interventions import alerts as intervention_alerts
    from school_tracker.risk import alerts as risk_alerts

    register(
        app,
        targets={
            risk_alerts.FLAG: risk_alerts.FLAG_TARGET,
            risk_alerts.ACTION: risk_alerts.ACTION_TARGET,
            intervention_alerts.INTERVENTION: intervention_alerts.INTERVENTION_TARGET,
            family_alerts.CONVERSATION: family_alerts.CONVERSATION_TARGET,
            agency_alerts.INVOLVEMENT: agency_alerts.INVOLVEMENT_TARGET,
        },
        due_checks=[
            risk_alerts.flag_reviews_overdue,
            intervention_alerts.intervention_reviews_overdue,
            family_alerts.follow_ups_falling_due,
            agency_alerts.next_steps_falling_due,
        ],
    )
    app.add_template_global(unread_alert_count)


def register_cli(app: Flask) -> None:
    """The flat commands of docs/design.md section 11."""
    from school_tracker.cli import register_commands

    register_commands(app)
