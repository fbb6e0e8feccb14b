"""What each figure means, shown on the dashboard and in the workbook's Notes sheet."""

DEFINITIONS: dict[str, str] = {
    "reached": (
        "A pupil is reached in a term if, while on roll in that term, they were the mentee "
        "in a mentoring pairing running in the term; took part in an intervention (not merely "
        "planned) during their own dates; had an exclusion-risk flag open during the term; had "
        "a family structured conversation in the term; or gave or received a recorded kindness "
        "moment in the term. A pupil is counted once per priority however many records reach "
        "them, so the priorities do not add up to 'any priority'. P3 (teachers as professional "
        "learners) counts staff, not pupils: see staff professional learning."
    ),
    "groups": (
        "On roll: admitted on or before the last day of the term and not left before its "
        "first day. Groups use each pupil's current record (SEN status, pupil premium, EAL, "
        "looked after, young carer), so a pupil who joins a group later counts in it for "
        "earlier terms too."
    ),
    "gap": (
        "Share reached = pupils in the group reached in the term ÷ pupils in the group on "
        "roll in the term. Gap = the group's share minus the share for all pupils, in "
        "percentage points: a positive gap means the group is reached more than pupils overall."
    ),
    "interventions": (
        "An intervention is running in a term if it is active, completed or stopped and a "
        "pupil's own dates in it overlap the term. Pupils withdrawn before the term are not "
        "counted."
    ),
    "impact": (
        "For pupils whose part in an intervention ended in the term (their end date, their "
        "withdrawal, or the intervention's end), the impact the lead recorded from −2 to +2. "
        "Pupils with no impact recorded are left out."
    ),
    "cost": (
        "Cost of the interventions that started in the term (not planned ones), and the "
        "pupils taking part in them. Cost per pupil = total cost ÷ pupils."
    ),
    "mentoring": (
        "A pairing is running if it started on or before the last day of the term and had not "
        "ended before its first day (paused pairings still count). Sessions and hours count "
        "the sessions held in the term."
    ),
    "risk_levels": (
        "Pupils with an exclusion-risk flag raised on or before the last day of the term and "
        "not closed by then, by the flag's current level."
    ),
    "risk_flow": "Pupils with a flag raised in the term, and with a flag closed in the term.",
    "agencies": "Pupils an agency works with in the term: ticked on an open flag or referred.",
    "suspensions": (
        "Suspensions and permanent exclusions starting in the term, excluding any cancelled. "
        "One school day is two sessions."
    ),
    "reasons": "Each suspension or exclusion counts once under each of its (up to three) DfE "
    "reasons, so the reasons add up to more than the total.",
    "suspension_rates": (
        "Pupils in the group suspended at least once in the term ÷ pupils in the group on roll "
        "in the term. SEND means SEN support or an EHC plan."
    ),
    "cpd": (
        "P3 counts people who learn: hours of professional learning recorded in the term, and "
        "the staff with any recorded."
    ),
    "families": "Structured conversations with parents and carers held in the term.",
    "kindness": (
        "Kindness moments that happened in the term, by the values they showed; a moment can "
        "show several values, so values add up to more than the moments."
    ),
    "impact_by_type": (
        "Pupils whose part in an intervention (not planned) ended in the term: their own end "
        "date, their withdrawal, or the intervention's end. Each intervention's cost is shared "
        "equally among all its places, withdrawn pupils' included; cost per pupil with "
        "positive impact = the cost ÷ the pupils whose recorded impact was +1 or +2. Averages "
        "over too few pupils are not shown, because one child would move them too far."
    ),
    "impact_taking_part": (
        "Sessions planned are the plan's; sessions attended are the register sessions each "
        "pupil was marked present at, plus any count typed before the register existed. "
        "Attendance = sessions attended ÷ sessions planned, for places with both (a place "
        "with no register line and no earlier count is left out). Progress = exit score "
        "minus baseline score, averaged, in the measure's own units, only when every scored "
        "place in the row uses the same measure."
    ),
    "impact_mentoring": (
        "Mentees with a session held in the term. Wellbeing runs from 1 to 5: the change is "
        "the rating at the end of the pairing's last rated session (up to the term's end) "
        "minus the rating at the start of its first, for pairings with two sessions or more."
    ),
    "spend": (
        "The cost of interventions (not planned) by the funding stream paying for them, in the "
        "term each started, for the academic year of the chosen term. With a year-group or "
        "pupil-group filter, each intervention counts only its cost shared over the filtered "
        "pupils' places."
    ),
    "spend_pupils": (
        "Pupils with a place in an intervention paid for by each stream and started in the "
        "academic year. A pupil supported by two streams counts once in each, and once in all "
        "streams."
    ),
}

SUPPRESSION_NOTE = (
    "[c] means a count from 1 to {threshold} is hidden so no child can be identified; another "
    "number in the same row or column may be hidden too, so the hidden one can't be worked "
    "out from a total. Percentages are shown only when the group has more than {threshold} "
    "pupils. 0 means none."
)
