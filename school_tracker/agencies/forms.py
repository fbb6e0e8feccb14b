"""The agency involvement form (pupil, agency and staff choices loaded per request)."""

from typing import Any

from wtforms import SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from school_tracker.forms import (
    ChangeReasonMixin,
    LongText,
    MultiCheckboxField,
    NoControlCharacters,
    RecordDateField,
    TrimmedStringField,
    VersionedForm,
    choices,
)
from school_tracker.models import InvolvementStatus
from school_tracker.records.pickers import PUPIL_PICKER, STAFF_PICKER

STATUSES = choices([(s.value, s.label) for s in InvolvementStatus])


class InvolvementForm(ChangeReasonMixin, VersionedForm):
    """Who was referred to which agency, by whom and when; where it stands; what comes next."""

    pupil_id = SelectField("Pupil", coerce=int, validate_choice=True, render_kw=PUPIL_PICKER)
    agency_id = SelectField("Agency", coerce=int, validate_choice=True)
    referred_on = RecordDateField("Referral date", validators=[DataRequired()])
    referred_by_id = SelectField(
        "Referred by", coerce=int, validate_choice=True, render_kw=STAFF_PICKER
    )
    status = SelectField("Status", choices=STATUSES, validate_choice=True)
    professional_role = TrimmedStringField(
        "Professional's role",
        validators=[Optional(), Length(max=120), NoControlCharacters()],
        description="For example: CAMHS clinician, family support worker.",
    )
    professional_contact = TrimmedStringField(
        "Professional's contact",
        validators=[Optional(), Length(max=200), NoControlCharacters()],
        description="A name, work telephone or work e-mail.",
    )
    next_step = TextAreaField("Next step", validators=LongText(2000))
    next_step_on = RecordDateField("Next step by", validators=[Optional()])
    outcome_notes = TextAreaField(
        "Outcome", validators=LongText(5000), description="Needed before the status is closed."
    )
    named_staff_ids = MultiCheckboxField(
        "Staff named on this record",
        coerce=int,
        description="Named staff can see this record and are alerted when the next step is due.",
        render_kw=STAFF_PICKER,
    )
    submit = SubmitField("Save")

    def __init__(
        self,
        *args: Any,
        pupils: list[tuple[int, str]] | None = None,
        agencies: list[tuple[int, str]],
        staff: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if pupils is None:
            del self.pupil_id
        else:
            self.pupil_id.choices = choices(pupils)
        self.agency_id.choices = choices(agencies)
        self.referred_by_id.choices = choices(staff)
        self.named_staff_ids.choices = choices(staff)
