"""What record views share: run a service in the request's transaction and show refusals."""

from collections.abc import Callable

from flask import flash
from flask_wtf import FlaskForm
from sqlalchemy.orm.exc import StaleDataError

from school_tracker.extensions import db
from school_tracker.records.versions import RecordRuleError, StaleRecordError


def show_refusal(form: FlaskForm, error: RecordRuleError) -> None:
    """Undo the transaction and put the rule's message beside its field (or at the top)."""
    db.session.rollback()
    field = form._fields.get(error.field or "")
    if field is not None:
        field.errors = [*field.errors, str(error)]
    else:
        flash(str(error), "danger")


def save_or_refuse(
    form: FlaskForm, action: Callable[[], object], view_url: str | None = None
) -> bool:
    """Call a service and commit; a broken rule goes beside its field, a lost race is a 409."""
    try:
        action()
        db.session.commit()
    except RecordRuleError as error:
        show_refusal(form, error)
        return False
    except StaleDataError as error:  # saved by someone else between our read and our write
        db.session.rollback()
        raise StaleRecordError(view_url) from error
    return True
