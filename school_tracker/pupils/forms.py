"""The pupil search box (POSTed, so names never reach URLs or access logs)."""

from flask_wtf import FlaskForm
from wtforms import SubmitField
from wtforms.validators import Length

from school_tracker.forms import NoControlCharacters, TrimmedStringField


class PupilSearchForm(FlaskForm):
    """Search by name or UPN."""

    query = TrimmedStringField("Name or UPN", validators=[Length(max=100), NoControlCharacters()])
    submit = SubmitField("Search")
    clear = SubmitField("Clear search")
