"""Structured conversations with parents and carers: list, record, read, edit, follow up."""

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from school_tracker.audit import record_audit
from school_tracker.calendar.terms import school_today
from school_tracker.extensions import db
from school_tracker.families import queries
from school_tracker.families.forms import ConversationForm
from school_tracker.families.services import (
    ConversationData,
    create_conversation,
    mark_follow_up_done,
    update_conversation,
)
from school_tracker.forms import EmptyForm, required_data
from school_tracker.models import CarerRelationship, ParentConversation
from school_tracker.permissions import STAFF_AND_LEADERS, allow, current_school_id
from school_tracker.records.history import Subject, record_history
from school_tracker.records.pickers import pupil_choices, staff_choices
from school_tracker.records.priorities import priority_choices
from school_tracker.records.web import save_or_flash, save_or_refuse

bp = Blueprint("families", __name__)


def _detail_url(record: ParentConversation) -> str:
    return url_for("families.detail", conversation_id=record.id)


def _form(record: ParentConversation | None = None) -> ConversationForm:
    school_id = current_school_id()
    data = None
    if request.method == "GET" and record is not None:
        data = {
            **{name: getattr(record, name) for name in ConversationData.__dataclass_fields__},
            "carer_relationship": record.carer_relationship.value,
            "priorities": [p.code for p in record.priorities],
            "version": record.version_id,
        }
    elif request.method == "GET":
        data = {"led_by_id": current_user.id, "held_on": school_today(), "priorities": ["P5"]}
        data["pupil_id"] = request.args.get("pupil", type=int)
    return ConversationForm(
        data=data,
        pupils=None if record else pupil_choices(school_id),
        staff=staff_choices(school_id, include_ids=[record.led_by_id] if record else []),
        priority_choices=priority_choices(),
    )


def _data(form: ConversationForm) -> ConversationData:
    return ConversationData(
        carer_name=required_data(form.carer_name.data),
        carer_relationship=CarerRelationship(form.carer_relationship.data),
        led_by_id=form.led_by_id.data,
        held_on=required_data(form.held_on.data),
        family_said=form.family_said.data or "",
        school_said=form.school_said.data or "",
        agreed_actions=form.agreed_actions.data or "",
        follow_up_on=form.follow_up_on.data,
    )


@bp.route("/")
@allow(STAFF_AND_LEADERS)
def index() -> ResponseReturnValue:
    """Conversations the user may see; `?due=1` shows follow-ups due within a week."""
    due_only = request.args.get("due") == "1"
    pagination = queries.list_conversations(
        current_school_id(),
        current_user,
        due_only=due_only,
        today=school_today(),
        page=max(request.args.get("page", 1, type=int), 1),
        per_page=current_app.config.get("PUPILS_PER_PAGE", 25),
    )
    return render_template(
        "families/index.html", pagination=pagination, due_only=due_only, today=school_today()
    )


@bp.route("/new", methods=["GET", "POST"])
@allow(STAFF_AND_LEADERS)
def create() -> ResponseReturnValue:
    """Record a structured conversation with a parent or carer."""
    form = _form()

    def record_conversation() -> ParentConversation:
        return create_conversation(
            current_school_id(),
            form.pupil_id.data,
            _data(form),
            list(form.priorities.data or []),
            by=current_user,
            today=school_today(),
        )

    if form.validate_on_submit():
        made = save_or_refuse(form, record_conversation)
        if made is not None:
            flash("Conversation recorded.", "success")
            return redirect(_detail_url(made))
    return render_template("families/form.html", form=form, record=None)


@bp.route("/<int:conversation_id>")
@allow(STAFF_AND_LEADERS)
def detail(conversation_id: int) -> ResponseReturnValue:
    """What each side said and what was agreed; every view is audited."""
    record = queries.get_conversation_or_404(conversation_id, user=current_user)
    record_audit(
        current_user,
        "view",
        "parent_conversation",
        record.id,
        school_id=record.school_id,
        pupil_id=record.pupil_id,
    )
    db.session.commit()
    return render_template(
        "families/detail.html",
        record=record,
        button_form=EmptyForm(),
        today=school_today(),
        history=record_history(Subject("parent_conversation", record.id)),
    )


@bp.route("/<int:conversation_id>/edit", methods=["GET", "POST"])
@allow(STAFF_AND_LEADERS)
def edit(conversation_id: int) -> ResponseReturnValue:
    """Edit a conversation; a save based on an older version is refused (409)."""
    record = queries.get_conversation_or_404(conversation_id, user=current_user)
    form = _form(record)
    view_url = _detail_url(record)

    def update() -> dict[str, Any]:
        return update_conversation(
            record,
            _data(form),
            list(form.priorities.data or []),
            by=current_user,
            today=school_today(),
            expected_version=form.expected_version(),
            view_url=view_url,
            reason=form.change_reason.data,
        )

    if form.validate_on_submit() and save_or_refuse(form, update, view_url) is not None:
        flash("Conversation saved.", "success")
        return redirect(view_url)
    return render_template("families/form.html", form=form, record=record)


@bp.route("/<int:conversation_id>/follow-up-done", methods=["POST"])
@allow(STAFF_AND_LEADERS)
def follow_up_done(conversation_id: int) -> ResponseReturnValue:
    """Mark the follow-up as done."""
    record = queries.get_conversation_or_404(conversation_id, user=current_user)
    if not EmptyForm().validate_on_submit():
        flash("Your form expired. Please try again.", "danger")
        return redirect(_detail_url(record))
    done = save_or_flash(lambda: mark_follow_up_done(record, by=current_user, on=school_today()))
    if done is not None:
        flash("Follow-up marked done.", "success")
    return redirect(_detail_url(record))
