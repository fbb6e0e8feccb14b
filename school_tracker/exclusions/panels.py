"""Suspensions on the pupil timeline (with the running totals) and the leaders' home page."""

from datetime import date

from flask import url_for

from school_tracker.calendar.terms import TermCalendar, school_today
from school_tracker.exclusions import queries
from school_tracker.models import Exclusion, ExclusionKind, Pupil, Role, User
from school_tracker.records.pickers import pupil_label
from school_tracker.records.timeline import HomeItem, HomePanel
from school_tracker.records.versions import TimelineEntry


def _summary_entry(pupil: Pupil, summary: queries.SuspensionSummary, today: date) -> TimelineEntry:
    """The running total this academic year, dated today so it sits at the top."""
    terms = "; ".join(
        f"{total.term.name}: {queries.days_text(total.sessions)}"
        for total in summary.terms
        if total.sessions
    )
    badges = []
    if any(total.over_governors_threshold for total in summary.terms) or summary.permanent_on:
        badges.append("Governors must consider reinstatement")
    if summary.at_year_maximum:
        badges.append("At the 45-day legal maximum")
    return TimelineEntry(
        on=today,
        kind="Suspensions this academic year",
        title=(
            f"{queries.days_text(summary.year_sessions)} of suspension in "
            f"{summary.academic_year} (legal maximum {queries.YEAR_MAX_DAYS} days)"
        ),
        url=url_for("exclusions.pupil", pupil_id=pupil.id),
        detail=" ".join([f"{terms}." if terms else "", *summary.warnings()]).strip(),
        badges=tuple(badges),
    )


def _running_totals(
    exclusions: list[Exclusion], calendar: TermCalendar
) -> dict[int, tuple[str, int]]:
    """Each standing suspension's academic year and the year's total up to and including it."""
    totals: dict[str, int] = {}
    running: dict[int, tuple[str, int]] = {}
    for exclusion in sorted(exclusions, key=lambda e: (e.start_date, e.id)):
        if not exclusion.counts_towards_limits:
            continue
        year = calendar.term_for(exclusion.start_date).academic_year
        totals[year] = totals.get(year, 0) + (exclusion.sessions or 0)
        running[exclusion.id] = (year, totals[year])
    return running


def _entry(
    exclusion: Exclusion, running: dict[int, tuple[str, int]], earlier_school: str | None = None
) -> TimelineEntry:
    codes = ", ".join(reason.code for reason in exclusion.reasons)
    detail = f"Reasons: {codes}."
    if earlier_school:
        detail = f"Recorded by {earlier_school}, an earlier school of the trust. {detail}"
    if exclusion.id in running:
        year, sessions = running[exclusion.id]
        detail += f" Running total {year}: {queries.days_text(sessions)}."
    if exclusion.kind is ExclusionKind.PERMANENT:
        title = "Permanent exclusion"
    else:
        title = f"Suspension: {queries.days_text(exclusion.sessions or 0)}"
    return TimelineEntry(
        on=exclusion.start_date,
        kind=exclusion.kind.label,
        title=title,
        url=url_for("exclusions.detail", exclusion_id=exclusion.id),
        detail=detail,
        badges=("Cancelled",) if exclusion.cancelled_on else (),
    )


def exclusion_timeline(pupil: Pupil, viewer: User) -> list[TimelineEntry]:
    """Leaders only: each suspension or exclusion, and this year's running total."""
    if viewer.role is not Role.LEADER or viewer.school_id != pupil.school_id:
        return []
    exclusions = queries.visible_exclusions(pupil)
    if not exclusions:
        return []
    today = school_today()
    calendar = queries.school_calendar(pupil.school_id)
    summary = queries.summarise(exclusions, calendar, today)
    entries = [] if summary.is_empty else [_summary_entry(pupil, summary, today)]
    running = _running_totals(exclusions, calendar)
    names = queries.school_names(exclusions)
    return entries + [
        _entry(
            exclusion,
            running,
            names[exclusion.school_id] if exclusion.school_id != pupil.school_id else None,
        )
        for exclusion in exclusions
    ]


def exclusion_home_panels(user: User) -> list[HomePanel]:
    """Leaders: pupils whose suspensions approach the term or yearly thresholds."""
    if user.role is not Role.LEADER or user.school_id is None:
        return []
    near = queries.near_thresholds(user.school_id, school_today())
    items = [
        HomeItem(
            f"{pupil_label(row.pupil)}: {queries.days_text(row.term_sessions)} this term, "
            f"{queries.days_text(row.year_sessions)} this academic year",
            url_for("exclusions.pupil", pupil_id=row.pupil.id),
            "over 15 days this term: governors must meet"
            if row.term_sessions > queries.TERM_GOVERNORS_DAYS * queries.SESSIONS_PER_DAY
            else "",
        )
        for row in near
    ]
    return [
        HomePanel(
            "Suspensions near the thresholds",
            items,
            f"No pupil has {queries.NEAR_TERM_DAYS} or more suspension days this term or "
            f"{queries.NEAR_YEAR_DAYS} or more this academic year.",
            order=22,
        )
    ]
