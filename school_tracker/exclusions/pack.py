"""The graduated-response pack: what the school did for a pupil before the decision, in date order.

Read from the models directly (features don't import each other), always inside the case's
school: an earlier school's records never cross, and everything here is what that school's
leaders see on the pupil's page. Panel governors get this one document and nothing else named.
"""

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import selectinload

from school_tracker.audit import record_audit
from school_tracker.calendar.terms import school_today
from school_tracker.exclusions import reinstatement
from school_tracker.extensions import db
from school_tracker.models import (
    AgencyInvolvement,
    Exclusion,
    InterventionParticipant,
    MentoringPairing,
    ParentConversation,
    ReinstatementReview,
    RiskFlag,
    Role,
    User,
)
from school_tracker.records.attendance import attendance_by_participant
from school_tracker.templating import date_uk

ENTITY = "graduated_response_pack"
IMPACT_WORDS = {-2: "much worse", -1: "worse", 0: "no change", 1: "better", 2: "much better"}


@dataclass
class PackEntry:
    """One dated thing the school did, with the lines that describe it."""

    on: date
    kind: str
    title: str
    lines: list[str] = field(default_factory=list)


def get_review_for_pack_or_404(review_id: int, *, user: User) -> ReinstatementReview:
    """The review if this user may have its pack: leaders of the school, or its panel governors
    while the case is open and for 30 days after the decision. Another school's: 404; a governor
    not on the panel (or after the 30 days): 403."""
    review = db.session.scalar(
        sa.select(ReinstatementReview).where(
            ReinstatementReview.id == review_id,
            ReinstatementReview.school_id == user.school_id,
        )
    )
    if review is None:
        abort(404)
    if user.role is Role.LEADER:
        return review
    on_panel = any(member.id == user.id for member in review.panel)
    if user.role is Role.GOVERNOR and on_panel and reinstatement.pack_open_to_panel(review):
        return review
    abort(403)


def audit_pack(review: ReinstatementReview, user: User, action: str) -> None:
    """Each view and download shows on the pupil's "who has accessed this record"."""
    record_audit(
        user, action, ENTITY, review.id, school_id=review.school_id, pupil_id=review.pupil_id
    )


def _interventions(pupil_id: int, school_id: int, until: date) -> list[PackEntry]:
    places = list(
        db.session.scalars(
            sa.select(InterventionParticipant)
            .where(InterventionParticipant.pupil_id == pupil_id)
            .options(selectinload(InterventionParticipant.intervention))
        )
    )
    attendance = attendance_by_participant(places)
    found = []
    for place in places:
        work = place.intervention
        if work.school_id != school_id or place.start_date > until:
            continue
        lines = [f"Intended outcome: {work.intended_outcome}" if work.intended_outcome else ""]
        attended = attendance[place.id]
        planned = work.planned_sessions
        if attended.recorded or planned is not None:
            lines.append(
                f"Sessions attended: {attended.attended if attended.recorded else 'not recorded'}"
                f"{f' of {planned} planned' if planned else ''}"
                f"{f' ({attended.parts})' if attended.recorded else ''}"
            )
        if place.baseline_score is not None or place.exit_score is not None:
            lines.append(f"Score: {place.baseline_score} at the start, {place.exit_score} at exit")
        if place.impact is not None:
            lines.append(f"Outcome: {IMPACT_WORDS.get(place.impact, place.impact)}")
        ended = f"; ended {date_uk(place.end_date)}" if place.end_date else ""
        lines.append(f"Status: {place.status.label.lower()}{ended}")
        if work.pupil_voice:
            lines.append(f"Pupil's voice: {work.pupil_voice}")
        if work.parent_voice:
            lines.append(f"Parents' voice: {work.parent_voice}")
        found.append(PackEntry(place.start_date, "Intervention", work.type.name, _kept(lines)))
    return found


def _mentoring(pupil_id: int, school_id: int, until: date) -> list[PackEntry]:
    pairings = db.session.scalars(
        sa.select(MentoringPairing).where(
            MentoringPairing.mentee_id == pupil_id,
            MentoringPairing.school_id == school_id,
            MentoringPairing.starts_on <= until,
        )
    )
    found = []
    for pairing in pairings:
        lines = [f"Goals: {pairing.mentee_goals}", f"Status: {pairing.status.label}"]
        if pairing.outcome is not None:
            lines.append(f"Outcome: {pairing.outcome.label}")
        for meeting in sorted(pairing.sessions, key=lambda s: s.held_on):
            if meeting.held_on > until:
                continue
            voice = f" Mentee said: {meeting.mentee_voice}" if meeting.mentee_voice else ""
            held = f"{date_uk(meeting.held_on)}, {meeting.minutes} minutes"
            lines.append(f"{held}: {meeting.activities}.{voice}")
        mentor = f"with a {pairing.mentor_kind.value.replace('_', ' ')} mentor"
        found.append(PackEntry(pairing.starts_on, "Mentoring", mentor, lines))
    return found


def _risk_flags(pupil_id: int, school_id: int, until: date) -> list[PackEntry]:
    flags = db.session.scalars(
        sa.select(RiskFlag).where(
            RiskFlag.pupil_id == pupil_id,
            RiskFlag.school_id == school_id,
            RiskFlag.raised_on <= until,
        )
    )
    found = []
    for flag in flags:
        lines = [
            f"Level: {flag.level.label}; status: {flag.status.label}",
            "Risk factors: " + (", ".join(f.name for f in flag.risk_factors) or "none recorded"),
        ]
        if flag.agencies:
            lines.append("Agencies involved: " + ", ".join(a.name for a in flag.agencies))
        for change in flag.level_history:
            if change.changed_at.date() > until:
                continue
            lines.append(f"{date_uk(change.changed_at.date())}: level {change.level.label}")
        for action in flag.actions:
            done = f"done {date_uk(action.done_on)}" if action.done_on else "not done"
            lines.append(f"Action: {action.description} (due {date_uk(action.due_on)}, {done})")
        found.append(PackEntry(flag.raised_on, "Risk flag", f"{flag.level.label} risk", lines))
        if flag.agencies:
            # Which agencies, not the leaders-only notes about them (R21).
            names = ", ".join(a.name for a in flag.agencies)
            found.append(
                PackEntry(
                    flag.raised_on,
                    "Agency involvement",
                    names,
                    ["Recorded on the risk flag raised this day."],
                )
            )
    return found


def _involvements(pupil_id: int, school_id: int, until: date) -> list[PackEntry]:
    rows = db.session.scalars(
        sa.select(AgencyInvolvement).where(
            AgencyInvolvement.pupil_id == pupil_id,
            AgencyInvolvement.school_id == school_id,
            AgencyInvolvement.referred_on <= until,
        )
    )
    found = []
    for row in rows:
        lines = [f"Referred by {row.referred_by.full_name}; status: {row.status.label}"]
        if row.professional_role:
            lines.append(f"Professional: {row.professional_role}")
        if row.next_step:
            when = f" (by {date_uk(row.next_step_on)})" if row.next_step_on else ""
            lines.append(f"Next step: {row.next_step}{when}")
        if row.outcome_notes:
            lines.append(f"Outcome: {row.outcome_notes}")
        found.append(PackEntry(row.referred_on, "Agency involvement", row.agency.name, lines))
    return found


def _conversations(pupil_id: int, school_id: int, until: date) -> list[PackEntry]:
    talks = db.session.scalars(
        sa.select(ParentConversation).where(
            ParentConversation.pupil_id == pupil_id,
            ParentConversation.school_id == school_id,
            ParentConversation.held_on <= until,
        )
    )
    return [
        PackEntry(
            talk.held_on,
            "Parent conversation",
            f"With {talk.carer_name}",
            _kept(
                [
                    f"The family said: {talk.family_said}" if talk.family_said else "",
                    f"The school said: {talk.school_said}" if talk.school_said else "",
                    f"Agreed: {talk.agreed_actions}" if talk.agreed_actions else "",
                ]
            ),
        )
        for talk in talks
    ]


def _earlier_exclusions(exclusion: Exclusion) -> list[PackEntry]:
    earlier = db.session.scalars(
        sa.select(Exclusion).where(
            Exclusion.pupil_id == exclusion.pupil_id,
            Exclusion.school_id == exclusion.school_id,
            Exclusion.start_date <= exclusion.start_date,
            Exclusion.id != exclusion.id,
        )
    )
    return [
        PackEntry(
            earlier.start_date,
            "Earlier suspension" if earlier.sessions else "Earlier exclusion",
            f"{earlier.kind.label}, {earlier.days:g} days"
            if earlier.sessions
            else earlier.kind.label,
            [
                "Reasons: " + "; ".join(reason.label for reason in earlier.reasons),
                *([f"Cancelled {date_uk(earlier.cancelled_on)}"] if earlier.cancelled_on else []),
            ],
        )
        for earlier in earlier
    ]


def _kept(lines: list[str]) -> list[str]:
    return [line for line in lines if line]


def pack_entries(review: ReinstatementReview) -> list[PackEntry]:
    """Every record kind the pack gathers, dated up to the exclusion, oldest first."""
    exclusion = review.exclusion
    args = (review.pupil_id, review.school_id, exclusion.start_date)
    entries = [
        *_interventions(*args),
        *_mentoring(*args),
        *_risk_flags(*args),
        *_involvements(*args),
        *_conversations(*args),
        *_earlier_exclusions(exclusion),
    ]
    return sorted(entries, key=lambda entry: (entry.on, entry.kind, entry.title))


def pack_filename(review: ReinstatementReview) -> str:
    """No name in the file name: it may sit in a downloads folder."""
    return f"graduated-response-pack-{review.id}-{school_today().isoformat()}.pdf"
