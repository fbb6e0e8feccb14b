"""Forms for recording, correcting and cancelling suspensions and permanent exclusions."""

from collections.abc import Mapping, Sequence
from typing import Any

from wtforms import BooleanField, Field, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional, ValidationError

from school_tracker.exclusions import reference
from school_tracker.exclusions.services import ExclusionData
from school_tracker.forms import (
    BoundedIntegerField,
    ChangeReasonMixin,
    LongText,
    RecordDateField,
    VersionedForm,
    choices,
    required_data,
)
from school_tracker.models import ExclusionKind, ExclusionReason
from school_tracker.templating import date_uk

KIND_CHOICES = [(kind.value, kind.label) for kind in ExclusionKind]
NOTIFIED = (
    ("parents", "Parents or carers notified"),
    ("la", "Local authority notified"),
    ("social_worker", "Social worker or Virtual School Head notified"),
)


def optional_int(value: str | int | None) -> int | None:
    """Blank select → None; anything else must be a whole number."""
    if value in (None, ""):
        return None
    return int(value)


def _reason_label(reason: ExclusionReason) -> str:
    if reason.active_to is not None:
        return f"{reason.label} (until {date_uk(reason.active_to)})"
    return reason.label


class ExclusionForm(ChangeReasonMixin, VersionedForm):
    """A suspension or permanent exclusion with up to three DfE reasons."""

    kind = SelectField("Type", validators=[DataRequired("Choose the type.")])
    start_date = RecordDateField("Start date", validators=[InputRequired("Give the start date.")])
    sessions = BoundedIntegerField(
        "Length in sessions",
        [Optional()],
        minimum=1,
        maximum=90,
        range_message="Give 1 to 90 sessions.",
        description="One school day is 2 sessions (a morning or afternoon is 1). "
        "Leave blank for a permanent exclusion.",
    )
    reason_1 = SelectField("Reason 1", coerce=optional_int)
    reason_2 = SelectField("Reason 2 (optional)", coerce=optional_int)
    reason_3 = SelectField("Reason 3 (optional)", coerce=optional_int)
    parents_notified = BooleanField(NOTIFIED[0][1])
    parents_notified_on = RecordDateField("Date parents notified", validators=[Optional()])
    la_notified = BooleanField(NOTIFIED[1][1])
    la_notified_on = RecordDateField(
        "Date the local authority was notified", validators=[Optional()]
    )
    social_worker_notified = BooleanField(NOTIFIED[2][1])
    social_worker_notified_on = RecordDateField(
        "Date the social worker or VSH was notified", validators=[Optional()]
    )
    submit = SubmitField("Save")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = choices(KIND_CHOICES)
        reason_choices = [(r.id, _reason_label(r)) for r in reference.all_reasons()]
        self.reason_1.choices = choices([("", "Choose the main reason"), *reason_choices])
        for field in (self.reason_2, self.reason_3):
            field.choices = choices([("", "None"), *reason_choices])

    def validate_reason_1(self, field: Field) -> None:
        if field.data is None:
            raise ValidationError("Choose the main reason.")

    def validate(self, extra_validators: Mapping[str, Sequence[Any]] | None = None) -> bool:
        """A suspension needs its length; each notification needs both its tick and date."""
        valid: bool = super().validate(extra_validators)
        suspension = self.kind.data == ExclusionKind.SUSPENSION.value
        if suspension and self.sessions.data is None and not self.sessions.errors:
            self.sessions.errors = ["Give the length of the suspension in sessions."]
            valid = False
        for name, _label in NOTIFIED:
            ticked, when = self[f"{name}_notified"], self[f"{name}_notified_on"]
            if ticked.data and when.data is None and not when.errors:
                when.errors = [*when.errors, "Give the date of the notification."]
                valid = False
            if when.data is not None and not ticked.data:
                ticked.errors = [*ticked.errors, "Tick this box too, or clear the date."]
                valid = False
        return valid

    def data_for_service(self) -> ExclusionData:
        """The validated values for the service."""
        kind = ExclusionKind(self.kind.data)
        return ExclusionData(
            kind=kind,
            start_date=required_data(self.start_date.data),
            sessions=self.sessions.data if kind is ExclusionKind.SUSPENSION else None,
            reason_ids=[self.reason_1.data, self.reason_2.data, self.reason_3.data],
            parents_notified_on=self.parents_notified_on.data,
            la_notified_on=self.la_notified_on.data,
            social_worker_notified_on=self.social_worker_notified_on.data,
        )


class CancelForm(VersionedForm):
    """Cancel an exclusion, saying why (it stays on record)."""

    reason = TextAreaField(
        "Why it is cancelled",
        validators=[DataRequired("Say why it is being cancelled."), *LongText(2000)],
    )
    submit = SubmitField("Cancel this exclusion")
