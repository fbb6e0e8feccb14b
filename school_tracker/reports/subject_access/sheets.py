"""The sheets of one pupil's file: columns, redaction of other children, and the chronology."""

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any, NamedTuple

from school_tracker.models import (
    Agency,
    Intervention,
    InterventionMode,
    InterventionParticipant,
    KindnessMoment,
    KindPersonKind,
    MentoringPairing,
    MentoringSession,
    MentorKind,
    Priority,
    Pupil,
    RiskFactor,
)
from school_tracker.reports.subject_access.data import PupilFile
from school_tracker.reports.subject_access.exclusion_cases import exclusion_case_sheets
from school_tracker.reports.subject_access.intervention_sessions import (
    attendance_of,
    session_entries,
    session_sheet,
)
from school_tracker.reports.tabular import Col, Getter, attr, label

ANOTHER = "another pupil"
THIS = "this pupil"
WITHHELD = "[withheld: another pupil's words]"
GROUP_WITHHELD = "[withheld: written about the whole group]"


class Entry(NamedTuple):
    """One line of the chronology."""

    on: date
    kind: str
    what: str


CHRONOLOGY = [
    Col("Date", 12, attr("on")),
    Col("Record", 24, attr("kind")),
    Col("What happened", 80, attr("what")),
]


def _codes(items: Iterable[Priority]) -> str:
    return "; ".join(item.code for item in items)


def _names(items: Iterable[Agency | RiskFactor]) -> str:
    return "; ".join(item.name for item in items)


def _day(moment: datetime) -> date:
    return moment.date()


def _legal_hold_fields(pupil: Pupil) -> list[tuple[str, Any]]:
    # A hold changes how long everything in the file is kept (UK GDPR art. 15(1)(d)), so the
    # file says so; the rows appear only once a hold has been placed. The reason is free text
    # like any other here, read by whoever releases the file.
    if pupil.is_under_legal_hold:
        return [
            ("Legal hold", "Yes: kept past the usual retention periods until the hold is lifted"),
            ("Legal hold placed", pupil.legal_hold_set_at),
            ("Legal hold reason", pupil.legal_hold_reason),
        ]
    if pupil.legal_hold_reason:
        return [
            ("Legal hold", "Lifted: the usual retention periods apply"),
            ("Why the legal hold was lifted", pupil.legal_hold_reason),
        ]
    return []


def pupil_fields(pupil: Pupil) -> list[tuple[str, Any]]:
    """The pupil's own details from the roll, and any legal hold on their records."""
    return [
        ("UPN", pupil.upn),
        ("Legal surname", pupil.legal_surname),
        ("Legal forename", pupil.legal_forename),
        ("Preferred forename", pupil.preferred_forename),
        ("Date of birth", pupil.date_of_birth),
        ("Gender", pupil.gender.value),
        ("Year group", pupil.year_group.label),
        ("Registration group", pupil.registration_group),
        ("SEN status", pupil.sen_status.label),
        ("Primary need", pupil.primary_need.value if pupil.primary_need else None),
        ("Pupil premium", pupil.pupil_premium),
        ("Free school meals", pupil.fsm),
        ("English as an additional language", pupil.eal),
        ("Looked after", pupil.looked_after),
        ("Previously looked after", pupil.previously_looked_after),
        ("Child in need", pupil.child_in_need),
        ("Young carer", pupil.young_carer),
        ("Admitted", pupil.admission_date),
        ("Left", pupil.leaving_date),
        *_legal_hold_fields(pupil),
    ]


class Redactor:
    """Who is who in one pupil's file: this pupil, another pupil, or a named adult."""

    def __init__(self, data: PupilFile):
        self.data = data
        self.pupil_id = data.pupil.id
        self.pairings = {pairing.id: pairing for pairing in data.pairings}

    def is_mentee(self, pairing: MentoringPairing) -> bool:
        return pairing.mentee_id == self.pupil_id

    def role(self, pairing: MentoringPairing) -> str:
        return "Mentee" if self.is_mentee(pairing) else "Peer mentor"

    def mentor(self, pairing: MentoringPairing) -> str:
        if not self.is_mentee(pairing):
            return THIS
        if pairing.mentor_kind is MentorKind.STAFF:
            return self.data.name(pairing.mentor_user_id)
        if pairing.mentor_kind is MentorKind.PEER:
            return ANOTHER
        relationship = (
            pairing.mentor_relationship.label.lower() if pairing.mentor_relationship else ""
        )
        return f"{pairing.mentor_name} ({relationship})"

    def own(
        self, pairing: MentoringPairing, text: str | None, *, mentees_words: bool
    ) -> str | None:
        """Text said by the mentee or the mentor, withheld when that person is another pupil."""
        if text is None or text == "":
            return text
        other_is_pupil = (
            not self.is_mentee(pairing)
            if mentees_words
            else self.is_mentee(pairing) and pairing.mentor_kind is MentorKind.PEER
        )
        return WITHHELD if other_is_pupil else text

    def person(self, pupil_id: int | None, name: str | None) -> str:
        if pupil_id is None:
            return name or ""
        return THIS if pupil_id == self.pupil_id else ANOTHER

    def giver(self, moment: KindnessMoment) -> str:
        if moment.giver_kind is not KindPersonKind.PUPIL:
            return f"{moment.giver_name} ({moment.giver_kind.label.lower()})"
        text = self.pupils(moment.giver_pupil_ids)
        if moment.giver_group:
            text += f", given by registration group {moment.giver_group}"
        return text

    def pupils(self, pupil_ids: Iterable[int]) -> str:
        """Several pupils, none but this one named: "this pupil and 27 other pupils"."""
        ids = list(pupil_ids)
        others = len([pupil_id for pupil_id in ids if pupil_id != self.pupil_id])
        parts = [THIS] if self.pupil_id in ids else []
        if others:
            parts.append(ANOTHER if others == 1 else f"{others} other pupils")
        return " and ".join(parts)


def _group_text(
    getter: Callable[[Intervention], str | None],
) -> Callable[[InterventionParticipant], str | None]:
    def get(part: InterventionParticipant) -> str | None:
        text = getter(part.intervention)
        if text and part.intervention.mode is InterventionMode.GROUP:
            return GROUP_WITHHELD
        return text

    return get


def _mentoring(r: Redactor) -> list[tuple[str, list[Col], list]]:
    def session_pairing(session: MentoringSession) -> MentoringPairing:
        return r.pairings[session.pairing_id]

    pairings = [
        Col("Pairing", 9, attr("id"), text=False),
        Col("This pupil was", 12, r.role),
        Col("Mentor", 26, r.mentor),
        Col("Mentee", 14, lambda p: THIS if r.is_mentee(p) else ANOTHER),
        Col("Mentee's goals", 40, lambda p: r.own(p, p.mentee_goals, mentees_words=True)),
        Col("Mentor's goals", 40, lambda p: r.own(p, p.mentor_goals, mentees_words=False)),
        Col("AfA priorities", 14, lambda p: _codes(p.priorities)),
        Col("Starts", 12, attr("starts_on")),
        Col("Planned end", 12, attr("planned_end_on")),
        Col("Frequency", 14, label("frequency")),
        Col("Status", 10, label("status")),
        Col("Ended on", 12, attr("ended_on")),
        Col("Outcome", 20, label("outcome")),
        Col("Outcome notes", 40, lambda p: r.own(p, p.outcome_notes, mentees_words=True)),
    ]
    sessions = [
        Col("Pairing", 9, attr("pairing_id"), text=False),
        Col("This pupil was", 12, lambda s: r.role(session_pairing(s))),
        Col("Held on", 12, attr("held_on")),
        Col("Minutes", 9, attr("minutes"), text=False),
        Col(
            "What we did", 40, lambda s: r.own(session_pairing(s), s.activities, mentees_words=True)
        ),
        Col(
            "Mentee's voice",
            40,
            lambda s: r.own(session_pairing(s), s.mentee_voice, mentees_words=True),
        ),
        Col(
            "Mentor's reflection",
            40,
            lambda s: r.own(session_pairing(s), s.mentor_reflection, mentees_words=False),
        ),
        Col(
            "Wellbeing at start (1-5)",
            12,
            lambda s: r.own(session_pairing(s), s.wellbeing_start, mentees_words=True),
            text=False,
        ),
        Col(
            "Wellbeing at end (1-5)",
            12,
            lambda s: r.own(session_pairing(s), s.wellbeing_end, mentees_words=True),
            text=False,
        ),
        Col("Logged by", 22, lambda s: r.data.name(s.created_by_id)),
    ]
    return [
        ("Mentoring", pairings, r.data.pairings),
        ("Mentoring sessions", sessions, r.data.sessions),
    ]


def _interventions(r: Redactor) -> list[tuple[str, list[Col], list]]:
    attendance = attendance_of(r.data)

    def iv(name: str) -> Getter:
        return lambda part: getattr(part.intervention, name)

    cols = [
        Col("Intervention", 11, lambda part: part.intervention_id, text=False),
        Col("Type", 24, lambda part: part.intervention.type.name),
        Col("Individual or group", 12, lambda part: part.intervention.mode.label),
        Col("Lead", 22, lambda part: r.data.name(part.intervention.lead_id)),
        Col("Intervention status", 12, lambda part: part.intervention.status.label),
        Col("AfA priorities", 14, lambda part: _codes(part.intervention.priorities)),
        Col("Intervention start", 12, iv("start_date")),
        Col("Review", 12, iv("review_date")),
        Col("Intervention end", 12, iv("end_date")),
        Col("Measure", 20, iv("measure")),
        Col("Intended outcome", 36, iv("intended_outcome")),
        Col("This pupil from", 12, attr("start_date")),
        Col("This pupil to", 12, attr("end_date")),
        Col("Taking part", 12, label("status")),
        Col("Withdrawn on", 12, attr("withdrawn_on")),
        Col("Why withdrawn", 30, attr("withdrawn_reason")),
        Col("Baseline score", 10, attr("baseline_score"), text=False),
        Col("Exit score", 10, attr("exit_score"), text=False),
        Col("Sessions attended", 10, lambda part: attendance[part.id].attended, text=False),
        Col("Present on the register", 10, lambda part: attendance[part.id].present, text=False),
        Col("Counted before the register", 10, attr("sessions_before_register"), text=False),
        Col("Impact (-2 to +2)", 10, attr("impact"), text=False),
        Col("Pupil voice", 40, _group_text(lambda i: i.pupil_voice)),
        Col("Parent voice", 40, _group_text(lambda i: i.parent_voice)),
        Col("Notes", 40, _group_text(lambda i: i.notes)),
        Col("Why it stopped", 30, _group_text(lambda i: i.stop_reason)),
    ]
    return [
        ("Interventions", cols, r.data.participations),
        session_sheet(r.data, GROUP_WITHHELD),
    ]


def _risk(r: Redactor) -> list[tuple[str, list[Col], list]]:
    flags = [
        Col("Flag", 8, attr("id"), text=False),
        Col("Raised on", 12, attr("raised_on")),
        Col("Raised by", 22, lambda f: r.data.name(f.raised_by_id)),
        Col("Level now", 9, label("level")),
        Col("Status", 11, label("status")),
        Col("Review on", 12, attr("review_on")),
        Col("Risk factors", 34, lambda f: _names(f.risk_factors)),
        Col("Agencies involved", 34, lambda f: _names(f.agencies)),
        Col("Protective factors", 40, attr("protective_factors")),
        Col("Agency notes", 40, attr("agency_notes")),
        Col("Staff named on the flag", 30, lambda f: "; ".join(u.full_name for u in f.named_staff)),
        Col("AfA priorities", 14, lambda f: _codes(f.priorities)),
        Col("Outcome", 20, label("outcome")),
        Col("Closed on", 12, attr("closed_on")),
    ]
    flag_id = Col("Flag", 8, lambda pair: pair[0].id, text=False)

    def of(name: str) -> Getter:
        return lambda pair: getattr(pair[1], name)

    def enum(name: str) -> Getter:
        return lambda pair: getattr(pair[1], name) and getattr(pair[1], name).label

    def by(name: str) -> Getter:
        return lambda pair: r.data.name(getattr(pair[1], name))

    levels = [
        flag_id,
        Col("Changed at", 17, of("changed_at")),
        Col("Level", 9, enum("level")),
        Col("Changed by", 22, by("changed_by_id")),
        Col("Reason", 40, of("reason")),
    ]
    statuses = [
        flag_id,
        Col("Changed at", 17, of("changed_at")),
        Col("From", 11, enum("from_status")),
        Col("To", 11, enum("to_status")),
        Col("Outcome", 20, enum("outcome")),
        Col("Changed by", 22, by("changed_by_id")),
        Col("Reason", 40, of("reason")),
    ]
    actions = [
        flag_id,
        Col("Action", 40, of("description")),
        Col("Owner", 22, by("owner_id")),
        Col("Due", 12, of("due_on")),
        Col("Done on", 12, of("done_on")),
        Col("Done by", 22, by("done_by_id")),
    ]
    fl = r.data.flags
    return [
        ("Risk flags", flags, fl),
        ("Risk level changes", levels, [(f, c) for f in fl for c in f.level_history]),
        ("Risk status changes", statuses, [(f, c) for f in fl for c in f.status_history]),
        ("Risk actions", actions, [(f, a) for f in fl for a in f.actions]),
    ]


def _others(r: Redactor) -> list[tuple[str, list[Col], list]]:
    exclusions = [
        Col("Record", 8, attr("id"), text=False),
        Col("Type", 18, label("kind")),
        Col("Start date", 12, attr("start_date")),
        Col("Sessions", 9, attr("sessions"), text=False),
        Col("Days", 7, lambda e: e.days, text=False),
        Col("Reasons", 40, lambda e: "; ".join(reason.label for reason in e.reasons)),
        Col("Parents told on", 12, attr("parents_notified_on")),
        Col("LA told on", 12, attr("la_notified_on")),
        Col("Social worker / VSH told on", 12, attr("social_worker_notified_on")),
        Col("Cancelled on", 12, attr("cancelled_on")),
        Col("Why cancelled", 30, attr("cancel_reason")),
        Col("Recorded by", 22, lambda e: r.data.name(e.created_by_id)),
    ]
    conversations = [
        Col("Record", 8, attr("id"), text=False),
        Col("Held on", 12, attr("held_on")),
        Col("Parent or carer", 22, attr("carer_name")),
        Col("Relationship", 14, label("carer_relationship")),
        Col("Led by", 22, lambda c: r.data.name(c.led_by_id)),
        Col("What the family said", 40, attr("family_said")),
        Col("What the school said", 40, attr("school_said")),
        Col("Agreed actions", 40, attr("agreed_actions")),
        Col("Follow up on", 12, attr("follow_up_on")),
        Col("Follow-up done on", 12, attr("follow_up_done_on")),
        Col("AfA priorities", 14, lambda c: _codes(c.priorities)),
    ]
    kindness = [
        Col("Moment", 8, attr("id"), text=False),
        Col("Date", 12, attr("occurred_on")),
        Col("Who was kind", 26, r.giver),
        Col("To whom", 26, lambda m: r.person(m.receiver_pupil_id, m.receiver_name)),
        Col("What happened", 40, attr("description")),
        Col("Values shown", 28, lambda m: "; ".join(v.label for v in m.values)),
        Col("Hidden from the wall", 10, attr("hidden"), text=False),
        Col("Why hidden", 30, attr("hidden_reason")),
        Col("Recorded by", 22, lambda m: r.data.name(m.created_by_id)),
    ]
    return [
        ("Suspensions and exclusions", exclusions, r.data.exclusions),
        *exclusion_case_sheets(r.data),
        ("Parent conversations", conversations, r.data.conversations),
        ("Agency involvement", _involvement_cols(r), r.data.involvements),
        ("Kindness moments", kindness, r.data.moments),
    ]


def _involvement_cols(r: Redactor) -> list[Col]:
    """Referrals to agencies (issue 16 item 5), with the professional and what came of them."""
    return [
        Col("Record", 8, attr("id"), text=False),
        Col("Agency", 28, lambda i: i.agency.name),
        Col("Referred on", 12, attr("referred_on")),
        Col("Referred by", 22, lambda i: r.data.name(i.referred_by_id)),
        Col("Status", 12, label("status")),
        Col("Professional's role", 24, attr("professional_role")),
        Col("Professional's contact", 28, attr("professional_contact")),
        Col("Next step", 36, attr("next_step")),
        Col("Next step by", 12, attr("next_step_on")),
        Col("Outcome", 36, attr("outcome_notes")),
        Col("Ended on", 12, attr("ended_on")),
    ]


def record_sheets(data: PupilFile) -> list[tuple[str, list[Col], list]]:
    """(title, columns, rows) for every record sheet, in docs/design.md section 5's order."""
    r = Redactor(data)
    return [*_mentoring(r), *_interventions(r), *_risk(r), *_others(r)]


def access_cols(data: PupilFile) -> list[Col]:
    """Who viewed, changed or exported this pupil's records (never what they contained)."""
    return [
        Col("When", 17, attr("at")),
        Col("Who", 24, lambda e: data.name(e.actor_id) if e.actor_id else "the system"),
        Col("Action", 16, attr("action")),
        Col("Record type", 22, attr("entity_type")),
        Col("Record", 9, attr("entity_id"), text=False),
    ]


def transfer_cols(data: PupilFile) -> list[Col]:
    """Where this pupil's file was sent when they left, and whether receipt was confirmed."""
    return [
        Col("Sent", 17, attr("created_at")),
        Col("Sent to", 30, attr("sent_to")),
        Col("Sent by", 24, lambda t: data.name(t.created_by_id)),
        Col("Receipt confirmed", 17, attr("receipt_confirmed_at")),
        Col("Confirmed by", 24, lambda t: data.name(t.receipt_confirmed_by_id)),
    ]


def chronology(data: PupilFile) -> list[Entry]:
    """Every dated entry in the file, oldest first (the pupil page's timeline, and more)."""
    r = Redactor(data)
    entries = [
        Entry(
            p.starts_on,
            "Mentoring",
            f"Pairing started; this pupil was the {r.role(p).lower()}; mentor: {r.mentor(p)}",
        )
        for p in data.pairings
    ]
    entries += [
        Entry(s.held_on, "Mentoring session", f"Session of {s.minutes} minutes")
        for s in data.sessions
    ]
    entries += [
        Entry(
            part.start_date,
            "Intervention",
            f"{part.intervention.type.name} ({part.intervention.mode.label.lower()})",
        )
        for part in data.participations
    ]
    entries += [Entry(*entry) for entry in session_entries(data)]
    for flag in data.flags:
        entries.append(Entry(flag.raised_on, "Exclusion risk", f"Flag raised: {flag.level.label}"))
        entries += [
            Entry(_day(c.changed_at), "Risk level change", f"Level: {c.level.label}")
            for c in flag.level_history
        ]
        entries += [
            Entry(
                _day(c.changed_at),
                "Risk status change",
                f"{c.from_status.label} to {c.to_status.label}"
                + (f" ({c.outcome.label})" if c.outcome else ""),
            )
            for c in flag.status_history
        ]
        entries += [
            Entry(_day(a.created_at), "Risk action", f"Action agreed, due {a.due_on:%d/%m/%Y}")
            for a in flag.actions
        ]
    entries += [
        Entry(
            e.start_date, e.kind.label, f"{e.days:g} days" if e.sessions else "Permanent exclusion"
        )
        for e in data.exclusions
    ]
    entries += [
        Entry(
            c.held_on,
            "Parent/carer conversation",
            f"Conversation with {c.carer_relationship.label.lower()}",
        )
        for c in data.conversations
    ]
    entries += [
        Entry(i.referred_on, "Agency involvement", f"Referral to {i.agency.name}")
        for i in data.involvements
    ]
    entries += [
        Entry(
            m.occurred_on,
            "Kindness",
            "Was kind" if data.pupil.id in m.giver_pupil_ids else "Was shown kindness",
        )
        for m in data.moments
    ]
    return sorted(entries, key=lambda entry: (entry.on, entry.kind))
