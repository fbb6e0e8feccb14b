"""The subject-access sheets for what followed an exclusion: the return and the governors' review.

Their own module so sheets.py does not grow; the columns name what a parent would ask about.
"""

from school_tracker.models import ExclusionFollowUp, ReinstatementReview
from school_tracker.reports.subject_access.data import PupilFile
from school_tracker.reports.tabular import Col, attr, label


def _panel(review: ReinstatementReview) -> str:
    return "; ".join(member.full_name for member in review.panel)


def exclusion_case_sheets(data: PupilFile) -> list[tuple[str, list[Col], list]]:
    """(title, columns, rows) for the returns and the reinstatement reviews."""
    returns = [
        Col("Exclusion record", 10, lambda f: f.exclusion_id, text=False),
        Col("Return date", 12, attr("return_on")),
        Col("Reintegration meeting", 12, attr("meeting_on")),
        Col("Who attended", 30, attr("attended")),
        Col("What was agreed", 40, attr("agreed")),
        Col("The pupil's views", 40, attr("pupil_views")),
        Col("The parents' views", 40, attr("parent_views")),
        Col("Education from the sixth day by", 26, attr("provider")),
        Col("From", 12, attr("provision_from")),
        Col("Recorded by", 22, lambda f: data.name(f.created_by_id)),
    ]
    reviews = [
        Col("Record", 8, attr("id"), text=False),
        Col("Exclusion record", 10, attr("exclusion_id"), text=False),
        Col("Why governors met", 30, label("trigger")),
        Col("Board told on", 12, attr("board_notified_on")),
        Col("Meeting", 12, attr("meeting_on")),
        Col("Panel", 30, _panel),
        Col("Parents' representations", 40, attr("representations")),
        Col("Decision", 26, label("decision")),
        Col("Reasons", 40, attr("decision_reasons")),
        Col("Decided on", 12, attr("decided_on")),
        Col("Parents told on", 12, attr("decision_notified_on")),
    ]
    follow_ups: list[ExclusionFollowUp] = data.follow_ups
    return [
        ("Returns after suspensions", returns, follow_ups),
        ("Reinstatement reviews", reviews, data.reviews),
    ]
