"""What the law asks of a school when it suspends or permanently excludes a pupil.

Paraphrased from the DfE guidance named in `school_tracker.risk.duties.GUIDANCE_TITLE`;
prompts for leaders, not legal advice.
"""

from school_tracker.models import ExclusionKind, Pupil
from school_tracker.risk.duties import Duty, extra_duties

NOTIFY = Duty(
    "Notify without delay",
    "Tell the parents (or carers) without delay, in writing, the reasons, the period of a "
    "suspension or that the exclusion is permanent, and their right to make representations "
    "to the governing board. Notify the local authority of every suspension and permanent "
    "exclusion, and the governing board. If the pupil has a social worker, notify them; if "
    "the pupil is looked after, notify the Virtual School Head.",
)
SUSPENSION_EDUCATION = Duty(
    "Education during a suspension",
    "Set and mark work for the first five school days. From the sixth consecutive school day "
    "of a suspension the school must arrange suitable full-time education elsewhere.",
)
PERMANENT = Duty(
    "After a permanent exclusion",
    "The governing board must consider reinstatement within 15 school days of being notified, "
    "and invite the parents, the headteacher, the local authority and, where relevant, the "
    "social worker or Virtual School Head. The local authority must arrange suitable full-time "
    "education from the sixth school day. Parents may ask for an independent review of the "
    "governors' decision.",
)
GOVERNORS = Duty(
    "When governors must meet",
    "The governing board must consider reinstatement when suspensions total more than 15 "
    "school days in a term, or when a suspension means the pupil would miss a public exam or "
    "national curriculum test (meeting within 15 school days of being notified). If the total "
    "is more than 5 but not more than 15 school days in a term and the parents make "
    "representations, the board must consider them within 50 school days. No pupil may be "
    "suspended for more than 45 school days in a school year.",
)


def exclusion_duties(pupil: Pupil, kind: ExclusionKind | None = None) -> list[Duty]:
    """The duties to show beside a suspension or permanent exclusion of this pupil."""
    specific = [PERMANENT] if kind is ExclusionKind.PERMANENT else [SUSPENSION_EDUCATION]
    if kind is None:
        specific = [SUSPENSION_EDUCATION, PERMANENT]
    return [NOTIFY, *specific, GOVERNORS, *extra_duties(pupil)]
