"""Upload and confirm forms for the roll import."""

from collections.abc import Sequence
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SubmitField

from school_tracker.forms import MultiCheckboxField, choices


class UploadForm(FlaskForm):
    """Choose the MIS export; its type is judged by content, not by this form."""

    file = FileField(
        "Roll file (CSV or Excel .xlsx, up to 5 MB)",
        validators=[FileRequired("Choose the file exported from your MIS.")],
    )
    submit = SubmitField("Preview import")


class ConfirmForm(FlaskForm):
    """Confirm a preview, choosing whether to mark leavers and which held pupils to move."""

    mark_leavers = BooleanField("Mark these pupils as left")
    moves = MultiCheckboxField("Move these pupils to this school", choices=[])
    take_file = MultiCheckboxField("Use the file's values for these pupils", choices=[])
    submit = SubmitField("Confirm import")

    def __init__(
        self, held_upns: list[str], *args: Any, hand_set_upns: Sequence[str] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        # Only the UPNs the preview held may be chosen; anything else is a form error.
        self.moves.choices = choices((upn, upn) for upn in held_upns)
        self.take_file.choices = choices((upn, upn) for upn in hand_set_upns)
