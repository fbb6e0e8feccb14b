"""`flask --app wsgi export-records --school S --term T --out F.xlsx [--whole-year]`."""

from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from school_tracker.calendar.terms import TermKeyError, parse_term_key
from school_tracker.database import reads_without_write_lock
from school_tracker.extensions import db
from school_tracker.models import School
from school_tracker.reports.named.export import export_named_records


@click.command("export-records")
@click.option(
    "--school",
    "slugs",
    required=True,
    multiple=True,
    help="The school's slug; repeat it to export several schools of the trust into one file.",
)
@click.option("--term", "term_key", required=True, help="e.g. autumn-2026")
@click.option("--whole-year", is_flag=True, help="Export the whole academic year of the term.")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path, dir_okay=False))
@with_appcontext
@reads_without_write_lock
def export_records_command(
    slugs: tuple[str, ...], term_key: str, whole_year: bool, out: Path
) -> None:
    """Write the leaders' named records workbook (confidential) for a term or academic year."""
    try:
        parse_term_key(term_key)
    except TermKeyError as error:
        raise click.ClickException(str(error)) from error
    schools = []
    for slug in dict.fromkeys(slugs):
        school = db.session.scalar(sa.select(School).where(School.slug == slug))
        if school is None:
            raise click.ClickException(f"No school with the slug {slug!r}.")
        schools.append(school)
    try:
        handle = out.open("xb")  # "x": never overwrite, even a file that appears after a check
    except FileExistsError as error:
        raise click.ClickException(f"{out} already exists; choose a new file name.") from error
    try:
        with handle:
            result = export_named_records(schools, term_key, whole_year, by=None, out=handle)
    except BaseException:
        out.unlink(missing_ok=True)  # never leave half a workbook of children's data behind
        db.session.rollback()
        raise
    db.session.commit()
    total = sum(result.counts.values())
    click.echo(f"Wrote {total} rows for {', '.join(s.slug for s in schools)} to {out}.")
