"""The session register, group outcomes and delivery staff forms (one row per pupil)."""

from typing import Any

from wtforms import HiddenField, RadioField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from school_tracker.forms import (
    BoundedFloatField,
    BoundedIntegerField,
    LongText,
    MultiCheckboxField,
    NoControlCharacters,
    OnceForm,
    RecordDateField,
    TrimmedStringField,
    choices,
)
from school_tracker.interventions.forms import IMPACTS, SCORE_RANGE
from school_tracker.models import InterventionParticipant
from school_tracker.models.intervention_session import MAX_SESSION_MINUTES
from school_tracker.records.pickers import STAFF_PICKER


def _optional_int(value: str | int | None) -> int | None:
    return int(value) if value not in (None, "") else None


ATTENDANCE = choices([("present", "Present"), ("absent", "Absent")])


class RegisterForm(OnceForm):
    """A session's date, length and note; `register_form` adds a row per pupil."""

    held_on = RecordDateField("Date of the session", validators=[DataRequired()])
    minutes = BoundedIntegerField(
        "Length (minutes)",
        [InputRequired()],
        minimum=1,
        maximum=MAX_SESSION_MINUTES,
        range_message=f"A session lasts 1 to {MAX_SESSION_MINUTES} minutes.",
    )
    note = TextAreaField("Note on the session (optional)", validators=[Optional(), *LongText(4000)])
    submit = SubmitField("Save session")

    def rows(self, parts: list[InterventionParticipant]) -> list[dict[str, Any]]:
        """The register's fields for each pupil, for the template and the service."""
        return [
            {
                "part": part,
                "attendance": self[f"attendance_{part.id}"],
                "reason": self[f"reason_{part.id}"],
                "note": self[f"note_{part.id}"],
            }
            for part in parts
        ]


def register_form(parts: list[InterventionParticipant], **kwargs: Any) -> RegisterForm:
    """A RegisterForm with present/absent, a reason and a note for each pupil in `parts`."""

    class RegisterRowsForm(RegisterForm):
        pass

    for part in parts:
        name = part.pupil.display_name
        setattr(
            RegisterRowsForm,
            f"attendance_{part.id}",
            RadioField(name, choices=ATTENDANCE, default="present", validate_choice=True),
        )
        setattr(
            RegisterRowsForm,
            f"reason_{part.id}",
            TrimmedStringField(
                f"Reason {name} was absent (optional)",
                validators=[Optional(), Length(max=200), NoControlCharacters()],
            ),
        )
        setattr(
            RegisterRowsForm,
            f"note_{part.id}",
            TrimmedStringField(
                f"Note for {name} (optional)",
                validators=[Optional(), Length(max=500), NoControlCharacters()],
            ),
        )
    return RegisterRowsForm(**kwargs)


class DeliveryStaffForm(OnceForm):
    """Staff who deliver the intervention besides its lead."""

    user_ids = MultiCheckboxField("Staff who deliver it", coerce=int, render_kw=STAFF_PICKER)
    submit = SubmitField("Save delivery staff")

    def __init__(self, *args: Any, staff: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user_ids.choices = staff


class GroupOutcomeForm(OnceForm):
    """Exit score, impact and end date for each pupil (rows added per request by
    `group_outcome_form`); sessions attended come from the register."""

    submit = SubmitField("Save outcomes")


def group_outcome_form(parts: list[InterventionParticipant], **kwargs: Any) -> GroupOutcomeForm:
    """A GroupOutcomeForm with one row of outcome fields per pupil in `parts`."""

    class GroupOutcomeRowsForm(GroupOutcomeForm):
        pass

    for part in parts:
        name = part.pupil.display_name
        fields = {
            "end_date": RecordDateField(f"End date for {name}", validators=[Optional()]),
            "exit_score": BoundedFloatField(f"Exit score for {name}", [Optional()], **SCORE_RANGE),
            "impact": SelectField(
                f"Impact for {name}", choices=IMPACTS, validate_choice=True, coerce=_optional_int
            ),
            "version": HiddenField(validators=[Optional()]),
        }
        for field_name, field in fields.items():
            setattr(GroupOutcomeRowsForm, f"{field_name}_{part.id}", field)
    return GroupOutcomeRowsForm(**kwargs)
