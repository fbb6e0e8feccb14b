"""Issue 14: the cost of raising a flag that names 3 staff, with e-mail off and on.

With e-mail on, the only extra work in the request is three outbox rows (no SMTP is spoken:
the sender does that later), so the difference between the two lines is the outbox insert.
"""

from collections.abc import Iterator
from datetime import timedelta

import sqlalchemy as sa

from bench.measure import repeat
from bench.scenarios import LARGEST, MS, PAGE_RUNS, Bench, Result
from school_tracker.calendar.terms import school_today
from school_tracker.extensions import db
from school_tracker.models import Pupil, RiskLevel, Role, User
from school_tracker.risk import services as risk_services

SERVICE_TARGET = 100 * MS


def _people(bench: Bench) -> tuple[int, list[int], Iterator[int]]:
    school_id = bench.school_ids[LARGEST]
    with bench.app.app_context():
        leader = db.session.scalar(
            sa.select(User.id).where(User.email == f"leader@{LARGEST}.school")
        )
        staff = db.session.scalars(
            sa.select(User.id)
            .where(User.school_id == school_id, User.role == Role.STAFF, User.active.is_(True))
            .order_by(User.id)
            .limit(3)
        ).all()
        pupils = db.session.scalars(
            sa.select(Pupil.id)
            .where(Pupil.school_id == school_id, Pupil.leaving_date.is_(None))
            .order_by(Pupil.id.desc())
            .limit(200)
        ).all()
    if leader is None or len(staff) != 3:
        raise RuntimeError(f"{LARGEST} needs a leader and three staff for this bench")
    return leader, list(staff), iter(pupils)


def _raise_one(leader_id: int, staff: list[int], pupil_id: int) -> None:
    today = school_today()
    risk_services.raise_flag(
        db.session.get_one(Pupil, pupil_id),
        by=db.session.get_one(User, leader_id),
        raised_on=today,
        level=RiskLevel.MEDIUM,
        details=risk_services.FlagDetails(
            review_on=today + timedelta(days=28),
            risk_factor_ids=[],
            protective_factors="bench",
            agency_ids=[],
            agency_notes="",
            named_staff_ids=staff,
        ),
    )
    db.session.commit()


def raise_flag_with_and_without_mail(bench: Bench) -> list[Result]:
    """The service and its commit, as the page runs them, on one app with MAIL_SERVER unset
    and set (nothing listens: raising a flag never talks to the mail server)."""
    leader_id, staff, pupils = _people(bench)
    timings = {}
    for mail_server in (None, "127.0.0.1"):
        bench.app.config["MAIL_SERVER"] = mail_server
        with bench.app.app_context():
            timings[mail_server] = repeat(
                lambda: _raise_one(leader_id, staff, next(pupils)), PAGE_RUNS, warmup=2
            )
            db.session.remove()
    bench.app.config["MAIL_SERVER"] = None
    off, on = timings[None], timings["127.0.0.1"]
    return [
        Result(
            "flag_mail_off",
            "Raise a flag naming 3 staff, e-mail off (service + commit)",
            off,
            None,
            SERVICE_TARGET,
            "≤ 100 ms (as a page)",
            None,
            "",
        ),
        Result(
            "flag_mail_on",
            "Raise a flag naming 3 staff, e-mail on (+3 outbox rows)",
            on,
            None,
            SERVICE_TARGET,
            "≤ 100 ms; the difference is the outbox insert",
            off,
            "the same with e-mail off",
        ),
    ]
