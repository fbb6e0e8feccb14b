"""Account management forms."""

from wtforms import EmailField, SelectField, SubmitField

# types-WTForms 3.2 predates SelectChoice (WTForms 3.3); to mypy it is Any.
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]
from wtforms.validators import DataRequired, Email, Length

from school_tracker.forms import NameText, NoControlCharacters, OnceForm, TrimmedStringField
from school_tracker.models import Role
from school_tracker.permissions import EVERYONE_IN_A_SCHOOL

ROLE_CHOICES = [SelectChoice(r.value, r.label) for r in Role if r in EVERYONE_IN_A_SCHOOL]


class UserForm(OnceForm):
    """A new account in the admin's own school."""

    full_name = TrimmedStringField(
        "Full name", validators=[DataRequired(), Length(max=120), NameText()]
    )
    email = EmailField(
        "E-mail", validators=[DataRequired(), Email(), Length(max=254), NoControlCharacters()]
    )
    role = SelectField("Role", choices=ROLE_CHOICES, validate_choice=True)
    submit = SubmitField("Create account")


class RoleForm(OnceForm):
    """Change one account's role."""

    role = SelectField("Role", choices=ROLE_CHOICES, validate_choice=True)
    submit = SubmitField("Change role")
