"""Retention (R69): blank the free text and names of records kept long enough.

Rows are never deleted, so every aggregate report (dashboard, governors' workbook) still
adds up after a run; what goes is everything that identifies or describes a person: notes,
voices, reflections, carers' and volunteers' names, and finally the pupil's own name and UPN.
The periods come from `RETENTION_YEARS` in config.py; a category in `RETENTION_LEGAL_HOLD` is
never touched, and a pupil with held records keeps their name so the held records still make
sense. A pupil under their own legal hold (`Pupil.legal_hold_set_at`, set by a leader) is
left out of every step: nothing about them, in any category, is blanked while it stands.
A run is one transaction and one audit entry with the counts; running it again
changes nothing, because a row whose text is already blank no longer matches.
"""

from datetime import date
from typing import Any, cast

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import CursorResult

from school_tracker.audit import record_audit
from school_tracker.calendar.terms import school_today
from school_tracker.extensions import db
from school_tracker.models.record_version import (
    blank_previous_for_retention,
    count_previous_for_retention,
)
from school_tracker.privacy.retention_steps import (
    REMOVED,
    VERSIONED,
    VERSIONS,
    Policy,
    held_pupil_count,
    retention_steps,
    years_before,
)

__all__ = ["REMOVED", "apply_retention", "apply_retention_command", "years_before"]


def apply_retention(today: date, *, dry_run: bool = False) -> dict[str, int]:
    """Blank expired records (or just count them on a dry run); returns rows per step."""
    config = current_app.config
    policy = Policy(today, dict(config["RETENTION_YEARS"]), set(config["RETENTION_LEGAL_HOLD"]))
    counts: dict[str, int] = {}
    versions = 0
    for step in retention_steps(policy):
        entity_type = VERSIONED.get(step.model)
        rows = sa.select(step.model.id).where(step.where)
        if dry_run:
            counts[step.name] = db.session.execute(
                sa.select(sa.func.count()).select_from(step.model).where(step.where)
            ).scalar_one()
            if entity_type:
                versions += count_previous_for_retention(entity_type, rows)
            continue
        # Versions first: once a row's text is blank, the step's condition no longer finds it.
        if entity_type:
            versions += blank_previous_for_retention(entity_type, rows)
        # A core UPDATE gives a CursorResult; SQLAlchemy 2.1 types Session.execute as Result.
        result = cast(
            CursorResult[Any],
            db.session.execute(
                sa.update(step.model).where(step.where).values(step.values),
                execution_options={"synchronize_session": False},
            ),
        )
        counts[step.name] = result.rowcount
    counts[VERSIONS] = versions
    if not dry_run:
        record_audit(
            None,
            "apply_retention",
            "retention",
            None,
            changes={
                "today": today.isoformat(),
                "rows": counts,
                "held": sorted(policy.held),
                "held_pupils": held_pupil_count(),
            },
        )
    return counts


@click.command("apply-retention")
@click.option("--dry-run", is_flag=True, help="Count what would be anonymised; change nothing.")
@with_appcontext
def apply_retention_command(dry_run: bool) -> None:
    """Anonymise records kept past their retention period (RETENTION_YEARS in config.py)."""
    counts = apply_retention(school_today(), dry_run=dry_run)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    verb = "Would anonymise" if dry_run else "Anonymised"
    for name, count in counts.items():
        click.echo(f"{verb} {count} {name}.")
    held = current_app.config["RETENTION_LEGAL_HOLD"]
    if held:
        click.echo(f"Under legal hold (not touched): {', '.join(sorted(held))}.")
    # A number only: the names of children under a hold never reach a terminal or a log.
    click.echo(f"Pupils under their own legal hold (not touched): {held_pupil_count()}.")
