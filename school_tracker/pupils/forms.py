"""The pupil search box (POSTed, so names never reach URLs or access logs) and legal holds."""

from flask_wtf import FlaskForm
from wtforms import SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from school_tracker.forms import LongText, NoControlCharacters, OnceForm, TrimmedStringField
from school_tracker.models.pupil import LEGAL_HOLD_REASON_MAX


class PupilSearchForm(FlaskForm):
    """Search by name or UPN."""

    query = TrimmedStringField("Name or UPN", validators=[Length(max=100), NoControlCharacters()])
    submit = SubmitField("Search")
    clear = SubmitField("Clear search")


class PlaceHoldForm(OnceForm):
    """Put one pupil under a legal hold (leaders only), saying why."""

    reason = TextAreaField(
        "Why this pupil's records must be kept",
        validators=[DataRequired("Say why."), *LongText(LEGAL_HOLD_REASON_MAX)],
        description="For example, the inquiry or investigation that needs them.",
    )
    submit = SubmitField("Place legal hold")


class LiftHoldForm(OnceForm):
    """Lift a pupil's legal hold, saying why."""

    reason = TextAreaField(
        "Why the hold can be lifted",
        validators=[DataRequired("Say why."), *LongText(LEGAL_HOLD_REASON_MAX)],
    )
    submit = SubmitField("Lift legal hold")
