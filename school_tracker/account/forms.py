"""Forms for changing one's own credentials and how one's alerts arrive."""

from flask_wtf import FlaskForm
from wtforms import PasswordField, RadioField, SubmitField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length

from school_tracker.forms import NoControlCharacters, TrimmedStringField, choices
from school_tracker.models import EmailAlerts


class PasswordChangeForm(FlaskForm):
    """New password, proven by the current one."""

    current = PasswordField(
        "Current password", validators=[DataRequired(), Length(max=1024), NoControlCharacters()]
    )
    password = PasswordField(
        "New password",
        validators=[DataRequired(), Length(max=128), NoControlCharacters()],
        description="At least 12 characters. Three or four unrelated words work well.",
    )
    confirm = PasswordField(
        "Repeat the new password",
        validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")],
    )
    submit = SubmitField("Change password")


class TwoFactorForm(FlaskForm):
    """Confirm enrolment (or removal) with the password and a current code."""

    current = PasswordField(
        "Current password", validators=[DataRequired(), Length(max=1024), NoControlCharacters()]
    )
    code = TrimmedStringField(
        "Six-digit code from the app",
        validators=[DataRequired(), Length(min=6, max=7), NoControlCharacters()],
        render_kw={"inputmode": "numeric", "autocomplete": "one-time-code"},
    )
    submit = SubmitField("Turn on two-factor sign-in")


class ConfirmForm(FlaskForm):
    """Re-enter credentials before a sensitive action."""

    current = PasswordField(
        "Password", validators=[DataRequired(), Length(max=1024), NoControlCharacters()]
    )
    code = TrimmedStringField(
        "Six-digit code (if you use two-factor sign-in)",
        validators=[Length(max=7), NoControlCharacters()],
        render_kw={"inputmode": "numeric", "autocomplete": "one-time-code"},
    )
    submit = SubmitField("Confirm")


class EmailAlertsForm(FlaskForm):
    """How the person's alerts reach them by e-mail (account security always does, at once)."""

    choice = RadioField(
        "E-mail me about my alerts",
        choices=choices((choice.value, choice.label) for choice in EmailAlerts),
        validators=[InputRequired(message="Choose how your alerts reach you.")],
        description=(
            "Anything about your account's security (your password, two-factor sign-in or role"
            " changing, being signed out everywhere) is always e-mailed at once."
        ),
    )
    submit = SubmitField("Save e-mail choice")
