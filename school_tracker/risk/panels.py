"""Risk flags on the pupil timeline and the home page, shown only to those who may see them."""

from datetime import date, timedelta

from flask import url_for

from school_tracker.calendar.terms import school_today
from school_tracker.models import Pupil, RiskFlag, Role, User
from school_tracker.permissions import STAFF_AND_LEADERS
from school_tracker.records.pickers import pupil_label
from school_tracker.records.timeline import HomeItem, HomePanel
from school_tracker.records.versions import TimelineEntry
from school_tracker.risk import queries
from school_tracker.templating import date_uk

DUE_SOON = timedelta(days=14)


def _flag_title(flag: RiskFlag) -> str:
    return f"{flag.level.label} exclusion-risk flag"


def _review_note(flag: RiskFlag, today: date) -> str:
    if flag.review_on < today:
        return f"review overdue since {date_uk(flag.review_on)}"
    if flag.review_on <= today + DUE_SOON:
        return f"review due {date_uk(flag.review_on)}"
    return ""


def flag_timeline(pupil: Pupil, viewer: User) -> list[TimelineEntry]:
    """One entry per flag the viewer may see (leaders: all; staff: those they are named on)."""
    if viewer.role not in STAFF_AND_LEADERS or viewer.school_id != pupil.school_id:
        return []
    entries = []
    for flag in queries.pupil_flags(viewer, pupil):
        detail = f"Review {date_uk(flag.review_on)}"
        if flag.is_closed and flag.outcome is not None:
            detail = f"Closed {date_uk(flag.closed_on)}: {flag.outcome.label}"
        entries.append(
            TimelineEntry(
                on=flag.raised_on,
                kind="Exclusion risk",
                title=_flag_title(flag),
                url=url_for("risk.detail", flag_id=flag.id),
                detail=detail,
                badges=(flag.level.label, flag.status.label),
            )
        )
    return entries


def _flag_item(flag: RiskFlag, today: date) -> HomeItem:
    text = f"{pupil_label(flag.pupil)}: {flag.level.label.lower()} risk"
    return HomeItem(text, url_for("risk.detail", flag_id=flag.id), _review_note(flag, today))


def _staff_panels(user: User, today: date) -> list[HomePanel]:
    flags = queries.live_flags_named_on(user)
    actions = queries.open_actions_owned_by(user)
    return [
        HomePanel(
            "Risk flags I am named on",
            [_flag_item(flag, today) for flag in flags],
            "You are not named on any open risk flag.",
            order=30,
        ),
        HomePanel(
            "My risk-flag actions",
            [
                HomeItem(
                    f"{action.description} ({pupil_label(action.flag.pupil)})",
                    url_for("risk.detail", flag_id=action.flag_id),
                    f"overdue since {date_uk(action.due_on)}"
                    if action.is_overdue(today)
                    else f"due {date_uk(action.due_on)}",
                )
                for action in actions
            ],
            "No open actions.",
            order=31,
        ),
    ]


def _leader_panels(user: User, today: date) -> list[HomePanel]:
    if user.school_id is None:  # a leader always has a school; no school, nothing to show
        return []
    overdue = queries.overdue_reviews(user.school_id, today)
    unactioned = queries.high_flags_without_open_action(user.school_id)
    return [
        HomePanel(
            "Overdue risk-flag reviews",
            [_flag_item(flag, today) for flag in overdue],
            "No risk-flag review is overdue.",
            order=20,
        ),
        HomePanel(
            "High risk flags without an open action",
            [
                HomeItem(
                    f"{pupil_label(flag.pupil)}: raised {date_uk(flag.raised_on)}",
                    url_for("risk.detail", flag_id=flag.id),
                    "no open action",
                )
                for flag in unactioned
            ],
            "Every high risk flag has an open action.",
            order=21,
        ),
    ]


def risk_home_panels(user: User) -> list[HomePanel]:
    """Staff: flags I'm named on and my actions; leaders: overdue reviews, unactioned highs."""
    today = school_today()
    if user.role is Role.STAFF and user.school_id is not None:
        return _staff_panels(user, today)
    if user.role is Role.LEADER and user.school_id is not None:
        return _leader_panels(user, today)
    return []
