"""Form pieces shared by every feature: button-only forms and text validators."""

import unicodedata

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectChoice, SelectMultipleField, StringField
from wtforms.validators import Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

# Bidirectional overrides/isolates and zero-width characters can disguise a name.
_DISGUISING = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))} | {
    "\u200b",
    "\u200c",
    "\u200d",
    "\u2060",
    "\ufeff",
}


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for buttons that POST (logout, deactivate)."""


def has_control_characters(value: str, *, allow_newlines: bool) -> bool:
    """True for NUL and other C0 controls (TAB/CR/LF allowed in multi-line text)."""
    allowed = {"\t", "\n", "\r"} if allow_newlines else set()
    return any((ord(ch) < 32 or ord(ch) == 127) and ch not in allowed for ch in value)


class NoControlCharacters:
    """Refuse NUL and other control characters (PostgreSQL and Excel refuse them later)."""

    def __init__(self, allow_newlines: bool = False):
        self.allow_newlines = allow_newlines

    def __call__(self, form, field) -> None:
        if field.data and has_control_characters(field.data, allow_newlines=self.allow_newlines):
            raise ValidationError("Remove the hidden control characters from this text.")


class NameText:
    """A person's name: NFC-normalised, no control, bidi-override or zero-width characters."""

    def __call__(self, form, field) -> None:
        if not field.data:
            return
        if has_control_characters(field.data, allow_newlines=False) or (
            set(field.data) & _DISGUISING
        ):
            raise ValidationError("Names can't contain hidden or direction-changing characters.")


class TrimmedStringField(StringField):
    """A text field that trims whitespace and normalises Unicode to NFC."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None:
            self.data = unicodedata.normalize("NFC", self.data.strip())


class LongText:
    """Validators for free text: length-limited, no NUL or control characters (TAB/CR/LF ok)."""

    def __new__(cls, max_length: int = 10_000):
        return [Length(max=max_length), NoControlCharacters(allow_newlines=True)]


class MultiCheckboxField(SelectMultipleField):
    """A group of checkboxes (priorities, values, risk factors)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def choices(pairs) -> list[SelectChoice]:
    """WTForms 3.3 choice objects from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


class VersionedForm(FlaskForm):
    """An edit form that carries the version it was loaded at (optimistic locking)."""

    version = HiddenField(validators=[Optional()])

    def expected_version(self) -> int | None:
        """The version the form was loaded with, if it is a number."""
        try:
            return int(self.version.data) if self.version.data else None
        except (TypeError, ValueError):
            return -1  # tampered: can never match, so the edit is refused as stale
