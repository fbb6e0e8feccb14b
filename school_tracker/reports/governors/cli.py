"""`flask --app wsgi governor-report --school S --term T --out F.xlsx [--pdf]`."""

from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from school_tracker.calendar.terms import TermKeyError
from school_tracker.database import reads_without_write_lock
from school_tracker.extensions import db
from school_tracker.models import School
from school_tracker.reports.governors.services import governors_summary, governors_workbook


@click.command("governor-report")
@click.option("--school", "slug", required=True, help="The school's slug.")
@click.option("--term", "term_key", required=True, help="e.g. autumn-2026")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--pdf", "as_pdf", is_flag=True, help="Write the summary PDF, not the workbook.")
@with_appcontext
@reads_without_write_lock
def governor_report_command(slug: str, term_key: str, out: Path, as_pdf: bool) -> None:
    """Write the anonymised governors' workbook (or, with --pdf, summary) for a school and term."""
    school = db.session.scalar(sa.select(School).where(School.slug == slug))
    if school is None:
        raise click.ClickException(f"No school with the slug {slug!r}.")
    if out.exists():
        raise click.ClickException(f"{out} already exists; choose a new file name.")
    try:
        if as_pdf:
            data, kind = governors_summary(school, term_key, by=None)[0], "summary"
        else:
            data, kind = governors_workbook(school, term_key, by=None)[0].getvalue(), "workbook"
    except TermKeyError as error:
        raise click.ClickException(str(error)) from error
    out.write_bytes(data)
    db.session.commit()
    click.echo(f"Wrote the governors' {kind} for {school.slug}, {term_key}, to {out}.")
