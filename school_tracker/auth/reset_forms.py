"""Forms for asking for a password link and setting the password from it."""

from flask_wtf import FlaskForm
from wtforms import PasswordField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from school_tracker.forms import NoControlCharacters, TrimmedStringField


class ResetRequestForm(FlaskForm):
    email = TrimmedStringField(
        "E-mail", validators=[DataRequired(), Email(), Length(max=254), NoControlCharacters()]
    )
    submit = SubmitField("Send me a link")


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        validators=[DataRequired(), Length(max=128), NoControlCharacters()],
        description="At least 12 characters. Three or four unrelated words work well.",
    )
    confirm = PasswordField(
        "Repeat the new password",
        validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")],
    )
    submit = SubmitField("Set password")
