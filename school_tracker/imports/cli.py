"""`flask --app wsgi import-pupils FILE --school SLUG [--dry-run] [--mark-leavers]`."""

import hashlib
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import with_appcontext
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from school_tracker.extensions import db
from school_tracker.imports import services
from school_tracker.imports.class_staff import check_tutor_emails
from school_tracker.imports.filecheck import MAX_FILE_BYTES
from school_tracker.imports.parser import ImportFileError, parse_roll
from school_tracker.imports.plan import ImportPlan
from school_tracker.models import School

COUNT_NAMES = ("created", "updated", "unchanged", "leavers", "held")


def _echo_counts(plan: ImportPlan) -> None:
    counts = plan.counts()
    for name in COUNT_NAMES:
        click.echo(f"{name}: {counts[name]}")
    if plan.tutors:  # only files with a Tutor column assign staff to groups
        click.echo(f"staff_assigned: {counts['staff_assigned']}")


@click.command("import-pupils")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--school", "school_slug", required=True, help="The school's slug.")
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option(
    "--mark-leavers", is_flag=True, help="Give pupils missing from the file today's leaving date."
)
@with_appcontext
def import_pupils_command(file: Path, school_slug: str, dry_run: bool, mark_leavers: bool) -> None:
    """Import a school's roll from an MIS export (CSV or XLSX), all or nothing."""
    school = db.session.scalar(sa.select(School).where(School.slug == school_slug))
    if school is None:
        raise click.ClickException(f"No school with the slug {school_slug!r}.")
    with file.open("rb") as handle:
        # One byte over the limit is enough for the parser to refuse the size.
        data = handle.read(MAX_FILE_BYTES + 1)
    try:
        result = parse_roll(data, file.name)
    except ImportFileError as error:
        raise click.ClickException(error.message) from error
    check_tutor_emails(result, school.id)
    if not result.ok:
        for row_error in result.errors:
            click.echo(str(row_error), err=True)
        raise click.ClickException(f"{len(result.errors)} error(s); nothing was imported.")
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    plan = services.preview_import(school, result, mark_leavers=mark_leavers, by=None)
    _echo_counts(plan)
    if plan.held:
        click.echo(
            f"{len(plan.held)} pupil(s) are on another school's roll and were not moved; "
            "an admin can confirm the move on the Import roll page.",
            err=True,
        )
    if dry_run:
        db.session.rollback()
        click.echo("Dry run: nothing was written.")
        return
    try:
        summary = services.apply_import(
            school,
            plan,
            mark_leavers=mark_leavers,
            by=None,
            file_name=file.name,
            sha256=hashlib.sha256(data).hexdigest(),
        )
    except (StaleDataError, IntegrityError) as error:
        db.session.rollback()
        raise click.ClickException("The roll changed during the import; run it again.") from error
    db.session.commit()
    if summary.marked_left:
        click.echo(f"marked as left: {summary.marked_left}")
    if summary.changes == 0:
        click.echo("No changes: the roll already matches this file.")
    else:
        click.echo(f"Imported: {summary.changes} change(s) made to the roll.")
