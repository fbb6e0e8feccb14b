"""Pure rules shared by intervention services and forms: counts, score ranges, dates."""

import math
from datetime import date, timedelta

from school_tracker.models import InterventionMode

SCORE_LIMIT = 1_000_000  # scores are reading ages, Boxall, SDQ, percentages: never this large
FUTURE_START_LIMIT = timedelta(days=366)


def participant_count_error(mode: InterventionMode, taking_part: int) -> str | None:
    """Individual: exactly one pupil; group: two or more. None when the count is fine."""
    if mode is InterventionMode.INDIVIDUAL and taking_part != 1:
        return "An individual intervention has exactly one pupil."
    if mode is InterventionMode.GROUP and taking_part < 2:
        return "A group intervention needs at least two pupils."
    return None


def score_error(
    score_min: float | None, score_max: float | None, score: float | None
) -> str | None:
    """A score outside the measure's range (when one is set), or not a finite number."""
    if score is None:
        return None
    if not math.isfinite(score) or abs(score) > SCORE_LIMIT:
        return "Enter a sensible number."
    if score_min is not None and score < score_min:
        return f"Scores on this measure are at least {score_min:g}."
    if score_max is not None and score > score_max:
        return f"Scores on this measure are at most {score_max:g}."
    return None


def participant_dates_error(
    *,
    intervention_start: date,
    intervention_end: date | None,
    start: date,
    end: date | None,
    today: date,
) -> tuple[str, str] | None:
    """(field, message) when a pupil's dates fall outside the intervention's; None if fine."""
    if start < intervention_start:
        return "start_date", "A pupil can't start before the intervention does."
    if start > (intervention_end or today + FUTURE_START_LIMIT):
        return "start_date", "This start date is after the intervention ended or too far ahead."
    if end is not None:
        if end < start:
            return "end_date", "The end date can't be before the start date."
        if end > today:
            return "end_date", "The end date can't be in the future."
        if intervention_end is not None and end > intervention_end:
            return "end_date", "The end date can't be after the intervention ended."
    return None
