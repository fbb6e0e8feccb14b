"""A group whose attendance has both parts: register sessions and a count from before them."""

from datetime import timedelta

from school_tracker.calendar.terms import school_today
from school_tracker.extensions import db
from school_tracker.interventions import participants
from school_tracker.interventions.register import RegisterRow, record_session
from school_tracker.models import Intervention, Role, User
from tests.factories.interventions import make_intervention

TODAY = school_today()


def attendance_world(app, make_school, make_user, make_pupil) -> dict:
    """A group of three (20 sessions planned): Ann had 4 sessions counted before the register;
    two register sessions (Ann present at both, Ben absent from one, Cal at both); Dee joins
    afterwards and has nothing recorded."""
    school = make_school()
    lead = make_user(Role.STAFF, school=school, full_name="Lena Lead")
    pupils = [
        make_pupil(school, legal_forename=name, legal_surname="Pupil")
        for name in ("Ann", "Ben", "Cal")
    ]
    late = make_pupil(school, legal_forename="Dee", legal_surname="Pupil")
    ident = make_intervention(app, school, lead, pupils)
    with app.app_context():
        record = db.session.get(Intervention, ident)
        by = db.session.get(User, lead.id)
        ann, ben, cal = record.participants
        ann.sessions_before_register = 4  # as migration 0014 carries a typed count forward
        for days_ago, ben_present in ((3, True), (2, False)):
            record_session(
                record,
                held_on=TODAY - timedelta(days=days_ago),
                minutes=30,
                note="",
                rows=[
                    RegisterRow(ann.id, True),
                    RegisterRow(ben.id, ben_present, "Dentist" if not ben_present else None),
                    RegisterRow(cal.id, True),
                ],
                by=by,
                today=TODAY,
            )
        participants.add_participant(
            record, late.id, start_date=TODAY, baseline_score=None, by=by, today=TODAY
        )
        db.session.commit()
        parts = {p.pupil.legal_forename: p.id for p in record.participants}
    return {"id": ident, "lead": lead, "parts": parts}
