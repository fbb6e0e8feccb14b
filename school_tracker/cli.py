"""Flat `flask --app wsgi ...` commands (docs/design.md section 11): thin wrappers over services."""

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import with_appcontext

from school_tracker.admin.schools import SchoolError, create_school
from school_tracker.admin.services import AccountError, create_user
from school_tracker.auth.passwords import PasswordPolicyError, check_password_policy
from school_tracker.extensions import db
from school_tracker.models import Role, School


def _school_or_exit(slug: str) -> School:
    school = db.session.scalar(sa.select(School).where(School.slug == slug))
    if school is None:
        raise click.ClickException(f"No school with the slug {slug!r}.")
    return school


@click.command("create-school")
@click.option("--slug", required=True, help="Short name used in commands, e.g. oakfield.")
@click.option("--name", required=True, help="The school's full name.")
@click.option("--trust", "trust_name", default=None, help="Trust name (first school only).")
@with_appcontext
def create_school_command(slug: str, name: str, trust_name: str | None) -> None:
    """Create a school in this deployment's trust."""
    try:
        school = create_school(slug=slug, name=name, trust_name=trust_name)
    except SchoolError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Created school {school.slug} ({school.name}).")


@click.command("create-user")
@click.option("--school", "school_slug", required=True, help="The school's slug.")
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--name", "full_name", default=None, help="Full name (defaults to the e-mail).")
@click.password_option("--password", prompt="Password", help="Prompted for, never echoed.")
@with_appcontext
def create_user_command(
    school_slug: str, email: str, role: str, full_name: str | None, password: str
) -> None:
    """Create an account with a password typed at the prompt (weak passwords are refused)."""
    school = _school_or_exit(school_slug)
    name = full_name or email.split("@")[0]
    words = [name, email, school.name, school.slug, school.trust.name]
    try:
        check_password_policy(password, context_words=words)
        user, _ = create_user(
            school, email=email, full_name=name, role=Role(role), by=None, password=password
        )
    except (PasswordPolicyError, AccountError) as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    if user.role is Role.TRUST_LEADER:
        user.school = None
    db.session.commit()
    click.echo(f"Created {user.role.value} {user.email} at {school.slug}.")


@click.command("seed-demo")
@click.option("--scale", type=click.Choice(["school", "trust"]), default="school")
@with_appcontext
def seed_demo_command(scale: str) -> None:
    """Create the demo school and its sign-ins, once; refused in production."""
    from school_tracker.demo.school import DEMO_PASSWORD, DEMO_USERS, seed_demo

    if not current_app.config["ALLOW_DEMO_SEED"]:
        raise click.ClickException("The demo seed is refused in production (APP_ENV=production).")
    if scale == "trust":
        from school_tracker.demo.trust import echo_trust_seed

        echo_trust_seed()
        return
    created = seed_demo()
    db.session.commit()
    if created:
        click.echo(f"Seeded the demo school: {created} pupils.")
    else:
        click.echo("The demo school already exists; nothing added.")
    click.echo("Demo sign-ins (password for all: " + DEMO_PASSWORD + "):")
    for email, role, _ in DEMO_USERS:
        click.echo(f"  {role.value:9} {email}")


def register_commands(app: Flask) -> None:
    """Attach every command to the app's CLI."""
    from school_tracker.alerts.cli import raise_due_alerts_command
    from school_tracker.alerts.services import raise_due_alerts
    from school_tracker.imports.cli import import_pupils_command
    from school_tracker.mail.cli import send_mail_command
    from school_tracker.privacy.backup import backup_command, prune_backups_command
    from school_tracker.privacy.retention import apply_retention_command
    from school_tracker.reports.governors.cli import governor_report_command
    from school_tracker.reports.named.cli import export_records_command

    for command in (
        create_school_command,
        create_user_command,
        seed_demo_command,
        backup_command,
        prune_backups_command,
        import_pupils_command,
        governor_report_command,
        export_records_command,
        apply_retention_command,
        raise_due_alerts_command,
        send_mail_command(raise_due_alerts),
    ):
        app.cli.add_command(command)
