"""What record views share: run a service in the request's transaction and show refusals."""

from collections.abc import Callable
from typing import TypeVar

from flask import flash
from flask_wtf import FlaskForm
from sqlalchemy.orm.exc import StaleDataError

from school_tracker.extensions import db
from school_tracker.records.versions import RecordRuleError, StaleRecordError

Made = TypeVar("Made")


def show_refusal(form: FlaskForm, error: RecordRuleError) -> None:
    """Undo the transaction and put the rule's message beside its field (or at the top)."""
    db.session.rollback()
    field = form._fields.get(error.field or "")
    if field is not None:
        field.errors = [*field.errors, str(error)]
    else:
        flash(str(error), "danger")


def flash_refusal(error: RecordRuleError) -> None:
    """Undo the transaction and show the rule's message at the top of the next page."""
    db.session.rollback()
    flash(str(error), "danger")


def save_or_refuse(
    form: FlaskForm, action: Callable[[], Made], view_url: str | None = None
) -> Made | None:
    """Call a service and commit; returns what it made or changed, or None when it was refused.

    A broken rule goes beside its field on the re-shown form; a lost race is a 409 whose page
    links to `view_url`.
    """
    return _save(action, view_url, lambda error: show_refusal(form, error))


def save_or_flash(action: Callable[[], Made], view_url: str | None = None) -> Made | None:
    """`save_or_refuse` for a button that redirects either way: a refusal becomes a message."""
    return _save(action, view_url, flash_refusal)


def _save(
    action: Callable[[], Made], view_url: str | None, refuse: Callable[[RecordRuleError], None]
) -> Made | None:
    # Services return the record they made or moved on (an edit its audited changes, perhaps
    # none), never None, so None can only mean "refused".
    try:
        made = action()
        if made is None:
            raise TypeError(f"{action!r} returned None; a service returns what it made")
        db.session.commit()
    except RecordRuleError as error:
        refuse(error)
        return None
    except StaleRecordError as error:
        error.view_url = error.view_url or view_url
        raise
    except StaleDataError as error:  # saved by someone else between our read and our write
        db.session.rollback()
        raise StaleRecordError(view_url) from error
    return made
