"""Sign-in and activation forms."""

from flask_wtf import FlaskForm
from wtforms import PasswordField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from school_tracker.forms import NoControlCharacters, TrimmedStringField


class LoginForm(FlaskForm):
    """E-mail and password; no "remember me" by design."""

    email = TrimmedStringField(
        "E-mail", validators=[DataRequired(), Length(max=254), NoControlCharacters()]
    )
    password = PasswordField(
        "Password", validators=[DataRequired(), Length(max=1024), NoControlCharacters()]
    )
    submit = SubmitField("Sign in")


class ActivateForm(FlaskForm):
    """Set a first password with the one-time code an admin passed on."""

    email = TrimmedStringField(
        "E-mail", validators=[DataRequired(), Email(), Length(max=254), NoControlCharacters()]
    )
    code = TrimmedStringField(
        "Activation code", validators=[DataRequired(), Length(max=64), NoControlCharacters()]
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
    submit = SubmitField("Set password and sign in")


class CodeForm(FlaskForm):
    """A six-digit code from an authenticator app."""

    code = TrimmedStringField(
        "Six-digit code",
        validators=[DataRequired(), Length(min=6, max=7), NoControlCharacters()],
        render_kw={"inputmode": "numeric", "autocomplete": "one-time-code"},
    )
    submit = SubmitField("Continue")
