"""Forms for what follows an exclusion: the return, the governors' meeting and its decision."""

from typing import Any

import sqlalchemy as sa
from wtforms import SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional

from school_tracker.exclusions.lifecycle import FollowUpData
from school_tracker.exclusions.reinstatement import DecisionData, ReviewData
from school_tracker.extensions import db
from school_tracker.forms import (
    LongText,
    MultiCheckboxField,
    RecordDateField,
    TrimmedStringField,
    VersionedForm,
    choices,
    required_data,
)
from school_tracker.models import ReviewDecision, ReviewTrigger, Role, User

TEXT = LongText(5000)


class FollowUpForm(VersionedForm):
    """The return date, the reintegration meeting and education from the sixth day."""

    return_on = RecordDateField("Return date", validators=[Optional()])
    meeting_on = RecordDateField("Reintegration meeting date", validators=[Optional()])
    attended = TextAreaField("Who attended the meeting", validators=[Optional(), *TEXT])
    agreed = TextAreaField("What was agreed", validators=[Optional(), *TEXT])
    pupil_views = TextAreaField("The pupil's views", validators=[Optional(), *TEXT])
    parent_views = TextAreaField("The parents' or carers' views", validators=[Optional(), *TEXT])
    provider = TrimmedStringField(
        "Who provides education from the sixth day",
        validators=[Optional(), *LongText(200)],
        description="For a suspension longer than five school days, or a permanent exclusion.",
    )
    provision_from = RecordDateField("Education elsewhere from", validators=[Optional()])
    submit = SubmitField("Save")

    def data_for_service(self) -> FollowUpData:
        return FollowUpData(
            return_on=self.return_on.data,
            meeting_on=self.meeting_on.data,
            attended=self.attended.data or "",
            agreed=self.agreed.data or "",
            pupil_views=self.pupil_views.data or "",
            parent_views=self.parent_views.data or "",
            provider=self.provider.data or None,
            provision_from=self.provision_from.data,
        )


def governor_choices(school_id: int) -> list[tuple[int, str]]:
    """The school's active governor accounts, by name."""
    rows = db.session.execute(
        sa.select(User.id, User.full_name)
        .where(User.school_id == school_id, User.role == Role.GOVERNOR, User.active.is_(True))
        .order_by(User.full_name, User.id)
    ).all()
    return [(user_id, name) for user_id, name in rows]


class ReviewForm(VersionedForm):
    """The governors' meeting: why, when the board was told, when it meets, who sits."""

    trigger = SelectField("Why governors must meet", validators=[DataRequired("Choose why.")])
    board_notified_on = RecordDateField(
        "Date the governing board was told",
        validators=[InputRequired("Give the date the board was told.")],
        description="The 15 school days for the meeting run from this date.",
    )
    meeting_on = RecordDateField("Meeting date", validators=[Optional()])
    panel = MultiCheckboxField("Governors on the panel", coerce=int)
    representations = TextAreaField("The parents' representations", validators=[Optional(), *TEXT])
    submit = SubmitField("Save")

    def __init__(self, school_id: int, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.trigger.choices = choices(
            [("", "Choose why"), *((t.value, t.label) for t in ReviewTrigger)]
        )
        self.panel.choices = choices(governor_choices(school_id))

    def data_for_service(self) -> ReviewData:
        return ReviewData(
            trigger=ReviewTrigger(self.trigger.data),
            board_notified_on=required_data(self.board_notified_on.data),
            meeting_on=self.meeting_on.data,
            panel_ids=list(self.panel.data or []),
            representations=self.representations.data or "",
        )


class DecisionForm(VersionedForm):
    """The board's decision, its reasons, and when the parents were told."""

    decision = SelectField("Decision", validators=[DataRequired("Choose the decision.")])
    reasons = TextAreaField(
        "The board's reasons",
        validators=[DataRequired("Give the board's reasons."), *TEXT],
    )
    decided_on = RecordDateField(
        "Date of the decision", validators=[InputRequired("Give the date.")]
    )
    notified_on = RecordDateField(
        "Date the parents were told in writing",
        validators=[Optional()],
        description="A request for an independent review is due within 15 school days of this.",
    )
    submit = SubmitField("Record the decision")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.decision.choices = choices(
            [("", "Choose the decision"), *((d.value, d.label) for d in ReviewDecision)]
        )

    def data_for_service(self) -> DecisionData:
        return DecisionData(
            decision=ReviewDecision(self.decision.data),
            reasons=self.reasons.data or "",
            decided_on=required_data(self.decided_on.data),
            notified_on=self.notified_on.data,
        )
