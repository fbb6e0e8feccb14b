"""The professional learning form (staff choices depend on who is recording)."""

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from wtforms import BooleanField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from school_tracker.forms import (
    BoundedDecimalField,
    LongText,
    MultiCheckboxField,
    NoControlCharacters,
    RecordDateField,
    TrimmedStringField,
    VersionedForm,
    choices,
    required_data,
)
from school_tracker.records.pickers import STAFF_PICKER


def _optional_int(value: str | int | None) -> int | None:
    return int(value) if value not in (None, "") else None


class LearningFields(VersionedForm):
    """What a piece of CPD records besides whose it is: when, what, how long, focus, reflection."""

    held_on = RecordDateField("Date", validators=[DataRequired()])
    activity = TrimmedStringField(
        "Activity",
        validators=[DataRequired(), Length(max=200), NoControlCharacters()],
        description="For example: Trauma-informed practice INSET, NASENCo module 2.",
    )
    hours = BoundedDecimalField(
        "Hours",
        [DataRequired()],
        places=1,
        minimum=Decimal("0.5"),
        maximum=100,
        description="From 0.5 to 100, to one decimal place.",
    )
    # The school's own list of focus areas (admins keep it under Reference data).
    focus_id = SelectField("Focus", coerce=_optional_int, validate_choice=True, default=None)
    priorities = MultiCheckboxField(
        "AfA priorities", description="Usually P3; left unticked, P3 is used."
    )
    reflection = TextAreaField("Reflection", validators=LongText(10_000))

    def __init__(
        self,
        *args: Any,
        priority_choices: Iterable[tuple[object, str]],
        focus_areas: Iterable[tuple[object, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.priorities.choices = choices(priority_choices)
        self.focus_id.choices = choices([("", "None"), *focus_areas])

    @property
    def hours_tenths(self) -> int:
        """Hours as whole tenths (how they are stored)."""
        return int(required_data(self.hours.data) * 10)


class LearningForm(LearningFields):
    """One piece of CPD: who, when, what, how long, the focus and a reflection."""

    staff_id = SelectField(
        "Member of staff", coerce=int, validate_choice=True, render_kw=STAFF_PICKER
    )
    submit = SubmitField("Save")

    def __init__(
        self,
        *args: Any,
        staff: Iterable[tuple[object, str]],
        priority_choices: Iterable[tuple[object, str]],
        focus_areas: Iterable[tuple[object, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(
            *args, priority_choices=priority_choices, focus_areas=focus_areas, **kwargs
        )
        self.staff_id.choices = choices(staff)


class StaffLearningForm(LearningFields):
    """The same piece of CPD for several staff, or everyone at the school (leaders)."""

    staff_ids = MultiCheckboxField(
        "Staff who took part", coerce=int, validate_choice=True, render_kw=STAFF_PICKER
    )
    everyone = BooleanField(
        "Everyone at this school",
        description="Every active member of staff and leader gets their own record.",
    )
    submit = SubmitField("Save for everyone chosen")

    def __init__(
        self,
        *args: Any,
        staff: Iterable[tuple[object, str]],
        priority_choices: Iterable[tuple[object, str]],
        focus_areas: Iterable[tuple[object, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(
            *args, priority_choices=priority_choices, focus_areas=focus_areas, **kwargs
        )
        self.staff_ids.choices = choices(staff)
