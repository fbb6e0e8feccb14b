"""Admin pages for the school's term dates (every report and dashboard buckets by them)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from wtforms import DateField, SubmitField
from wtforms.validators import InputRequired

from school_tracker.admin.views import bp
from school_tracker.calendar.term_dates import (
    TermDateError,
    calendar_for,
    reset_term_dates,
    set_term_dates,
)
from school_tracker.calendar.terms import TermKeyError, parse_term_key, school_today
from school_tracker.extensions import db
from school_tracker.forms import EmptyForm, OnceForm, add_error, required_data
from school_tracker.models import Role
from school_tracker.permissions import allow, current_school_id


class TermDatesForm(OnceForm):
    """First and last day of one term."""

    # Plain dates: set_term_dates holds them within 200 days of the term's usual dates.
    starts_on = DateField("First day", validators=[InputRequired()])
    ends_on = DateField("Last day", validators=[InputRequired()])
    submit = SubmitField("Save dates")


def _valid_key(key: str) -> str:
    try:
        parse_term_key(key)
    except TermKeyError:
        abort(404)
    return key


@bp.route("/terms")
@allow(Role.ADMIN)
def terms() -> ResponseReturnValue:
    """This academic year's terms and next year's, with the dates in use."""
    calendar = calendar_for(current_school_id())
    current = calendar.term_for(school_today())
    years = [calendar.academic_year_terms(current.key)]
    years.append(calendar.academic_year_terms(f"autumn-{years[0][0].year + 1}"))
    return render_template(
        "admin/terms.html", years=years, calendar=calendar, current=current, reset_form=EmptyForm()
    )


@bp.route("/terms/<key>", methods=["GET", "POST"])
@allow(Role.ADMIN)
def edit_term(key: str) -> ResponseReturnValue:
    """Set one term's dates."""
    term = calendar_for(current_school_id()).term(_valid_key(key))
    form = TermDatesForm(
        data={"starts_on": term.starts_on, "ends_on": term.ends_on}
        if request.method == "GET"
        else None
    )
    if form.validate_on_submit():
        try:
            set_term_dates(
                current_school_id(),
                key,
                required_data(form.starts_on.data),
                required_data(form.ends_on.data),
                by=current_user,
            )
        except TermDateError as error:
            db.session.rollback()
            add_error(getattr(form, error.field), str(error))
        else:
            db.session.commit()
            flash(f"{term.name} dates saved.", "success")
            return redirect(url_for("admin.terms"))
    return render_template("admin/term_form.html", form=form, term=term)


@bp.route("/terms/<key>/reset", methods=["POST"])
@allow(Role.ADMIN)
def reset_term(key: str) -> ResponseReturnValue:
    """Use the default dates for one term again."""
    reset_term_dates(current_school_id(), _valid_key(key), by=current_user)
    db.session.commit()
    flash("Default dates restored.", "success")
    return redirect(url_for("admin.terms"))
