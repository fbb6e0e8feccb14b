"""The extra duties a school has towards some pupils at risk of exclusion, and after one.

Paraphrased from DfE statutory guidance "Suspension and permanent exclusion from maintained
schools, academies and pupil referral units in England, including pupil movement" (2023,
updated 2024) and the SEND code of practice. The texts are prompts for leaders, not legal
advice: the guidance itself is the authority.
"""

from dataclasses import dataclass

from school_tracker.models import Pupil, SenStatus

GUIDANCE_TITLE = (
    "DfE guidance: Suspension and permanent exclusion from maintained schools, academies and "
    "pupil referral units in England, including pupil movement"
)


@dataclass(frozen=True)
class Duty:
    """One heading and what it asks of the school."""

    title: str
    text: str


EHC_PLAN = Duty(
    "The pupil has an EHC plan",
    "The headteacher should, as far as possible, avoid permanently excluding a pupil with an "
    "EHC plan. Before any suspension or exclusion, work with the local authority on what extra "
    "support or change of placement may be needed: consider asking for an early annual review, "
    "or an interim or emergency review, of the EHC plan, and consult the LA SEN team (the "
    "pupil's SEN case officer). Check that the provision in the plan is being delivered and "
    "whether unmet needs lie behind the behaviour, and make reasonable adjustments under the "
    "Equality Act 2010.",
)
LOOKED_AFTER = Duty(
    "The pupil is looked after (CLA)",
    "The headteacher should, as far as possible, avoid permanently excluding a looked-after "
    "child. Involve the Virtual School Head (VSH) and the pupil's social worker as soon as the "
    "pupil is at risk, and have the designated teacher review the Personal Education Plan to "
    "agree extra support or a different placement. If the pupil is suspended or permanently "
    "excluded, the headteacher must notify the VSH and the social worker without delay; they "
    "may attend and make representations at any governors' meeting about it.",
)
SOCIAL_WORKER = Duty(
    "The pupil has a social worker (child in need)",
    "Inform the pupil's social worker as soon as the pupil is at risk and involve them, with "
    "the designated safeguarding lead, in planning support: time out of school can leave a "
    "child with a social worker more exposed to harm. If the pupil is suspended or permanently "
    "excluded, the headteacher must notify the social worker without delay, and the social "
    "worker may attend any governors' meeting about it.",
)
PREVIOUSLY_LOOKED_AFTER = Duty(
    "The pupil was previously looked after",
    "The designated teacher can ask the Virtual School Head for advice and support for this "
    "pupil, and should do so before exclusion is considered.",
)


def extra_duties(pupil: Pupil) -> list[Duty]:
    """The duties that apply to this pupil because of an EHC plan, care or a social worker."""
    duties = []
    if pupil.sen_status is SenStatus.EHC_PLAN:
        duties.append(EHC_PLAN)
    if pupil.looked_after:
        duties.append(LOOKED_AFTER)
    elif pupil.previously_looked_after:
        duties.append(PREVIOUSLY_LOOKED_AFTER)
    if pupil.child_in_need and not pupil.looked_after:
        duties.append(SOCIAL_WORKER)
    return duties
