"""The page where leaders and admins correct a pupil's characteristics (issue 16 item 7)."""

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from wtforms import BooleanField, SelectField, SubmitField
from wtforms.validators import DataRequired, Length

from school_tracker.forms import NoControlCharacters, TrimmedStringField, VersionedForm, choices
from school_tracker.models import PrimaryNeed, SenStatus
from school_tracker.permissions import LEADERS_AND_ADMINS, allow
from school_tracker.pupils.characteristics import (
    CHARACTERISTIC_LABELS,
    Characteristics,
    current_characteristics,
    set_characteristics,
)
from school_tracker.pupils.views import bp
from school_tracker.records.history import Subject, record_history
from school_tracker.records.pupils import get_pupil_or_404
from school_tracker.records.web import save_or_refuse


class CharacteristicsForm(VersionedForm):
    young_carer = BooleanField("Young carer")
    previously_looked_after = BooleanField("Previously looked after")
    child_in_need = BooleanField("Child in need")
    sen_status = SelectField("SEN status", choices=choices([(s.value, s.label) for s in SenStatus]))
    primary_need = SelectField(
        "Primary need",
        choices=choices([("", "None")] + [(n.value, n.value) for n in PrimaryNeed]),
        description="Only with SEN support or an EHC plan.",
    )
    change_reason = TrimmedStringField(
        "Reason for the change",
        validators=[
            DataRequired("Say why this is being changed."),
            Length(max=500),
            NoControlCharacters(),
        ],
        description="For example: confirmed by the local authority's young carers service.",
    )
    submit = SubmitField("Save characteristics")

    def values(self) -> Characteristics:
        return Characteristics(
            young_carer=bool(self.young_carer.data),
            previously_looked_after=bool(self.previously_looked_after.data),
            child_in_need=bool(self.child_in_need.data),
            sen_status=SenStatus(self.sen_status.data),
            primary_need=PrimaryNeed(self.primary_need.data) if self.primary_need.data else None,
        )


@bp.route("/<int:pupil_id>/characteristics", methods=["GET", "POST"])
@allow(LEADERS_AND_ADMINS)
def characteristics(pupil_id: int) -> ResponseReturnValue:
    """Set or correct characteristics the MIS file lacks or has wrong, with a reason."""
    pupil = get_pupil_or_404(pupil_id, user=current_user)
    data: dict[str, Any] | None = None
    if request.method == "GET":
        now = current_characteristics(pupil)
        data = {
            **vars(now),
            "sen_status": now.sen_status.value,
            "primary_need": now.primary_need.value if now.primary_need else "",
            "version": pupil.version_id,
        }
    form = CharacteristicsForm(data=data)
    page_url = url_for("pupils.characteristics", pupil_id=pupil.id)

    def save() -> dict[str, Any]:
        return set_characteristics(
            pupil,
            form.values(),
            reason=form.change_reason.data or "",
            by=current_user,
            expected_version=form.expected_version(),
        )

    if form.validate_on_submit() and save_or_refuse(form, save, page_url) is not None:
        flash("Characteristics saved.", "success")
        return redirect(page_url)
    return render_template(
        "pupils/characteristics.html",
        pupil=pupil,
        form=form,
        labels=CHARACTERISTIC_LABELS,
        history=record_history(Subject("pupil", pupil.id)),
    )
