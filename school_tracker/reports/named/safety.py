"""Named-export sheets for exclusion risk and suspensions (see `named_sheets` for the rules)."""

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from school_tracker.models import (
    Exclusion,
    ExclusionReason,
    Pupil,
    RiskAction,
    RiskFlag,
    RiskLevelChange,
    RiskStatusChange,
    User,
)
from school_tracker.models.exclusion import exclusion_priorities
from school_tracker.models.risk import (
    Agency,
    RiskFactor,
    risk_flag_agencies,
    risk_flag_factors,
    risk_flag_priorities,
    risk_flag_staff,
)
from school_tracker.reports.named.sheets import (
    CREATED,
    PRIORITIES,
    PUPIL,
    SCHOOL,
    SheetQuery,
    base,
    overlaps,
    priorities,
    pupil_columns,
    within,
)
from school_tracker.reports.tabular import Col, aggregate, attr, joined, label


def _flag_in_period(p: sa.Subquery) -> sa.ColumnElement[bool]:
    return overlaps(p, RiskFlag.raised_on, RiskFlag.closed_on)


def risk_flags(p: sa.Subquery) -> SheetQuery:
    """Exclusion-risk flags open at some point in the period."""
    raiser = aliased(User)
    rf = RiskFlag
    staff = aliased(User)
    stmt = (
        base(rf, p, _flag_in_period(p))
        .join(Pupil, Pupil.id == rf.pupil_id)
        .join(raiser, raiser.id == rf.raised_by_id)
        .add_columns(
            rf.id,
            *pupil_columns(Pupil),
            rf.raised_on,
            raiser.full_name.label("raised_by"),
            rf.level,
            rf.status,
            rf.review_on,
            aggregate(
                RiskFactor.name,
                risk_flag_factors.join(RiskFactor),
                risk_flag_factors.c.flag_id == rf.id,
            ).label("factors"),
            aggregate(
                Agency.name, risk_flag_agencies.join(Agency), risk_flag_agencies.c.flag_id == rf.id
            ).label("agencies"),
            rf.protective_factors,
            rf.agency_notes,
            aggregate(
                staff.full_name, risk_flag_staff.join(staff), risk_flag_staff.c.flag_id == rf.id
            ).label("named_staff"),
            priorities(risk_flag_priorities, rf.id),
            rf.outcome,
            rf.closed_on,
        )
        .order_by(rf.school_id, rf.raised_on, rf.id)
    )
    cols = [
        SCHOOL,
        Col("Flag", 8, attr("id"), text=False),
        *PUPIL,
        Col("Raised on", 12, attr("raised_on")),
        Col("Raised by", 22, attr("raised_by")),
        Col("Level now", 9, label("level")),
        Col("Status", 11, label("status")),
        Col("Review on", 12, attr("review_on")),
        Col("Risk factors", 34, joined("factors")),
        Col("Agencies involved", 34, joined("agencies")),
        Col("Protective factors", 40, attr("protective_factors")),
        Col("Agency notes", 40, attr("agency_notes")),
        Col("Staff named on the flag", 30, joined("named_staff")),
        PRIORITIES,
        Col("Outcome", 20, label("outcome")),
        Col("Closed on", 12, attr("closed_on")),
    ]
    return SheetQuery("Risk flags", cols, stmt)


def _flag_children(
    model: type[Any],  # a table of the flag's children, with a flag_id column
    p: sa.Subquery,
    *columns: sa.SQLColumnExpression[Any],
    order: Iterable[sa.SQLColumnExpression[Any]],
) -> sa.Select:
    return (
        base(RiskFlag, p, _flag_in_period(p))
        .join(model, model.flag_id == RiskFlag.id)
        .join(Pupil, Pupil.id == RiskFlag.pupil_id)
        .add_columns(model.flag_id, *pupil_columns(Pupil), *columns)
        .order_by(RiskFlag.school_id, RiskFlag.raised_on, RiskFlag.id, *order)
    )


FLAG = [SCHOOL, Col("Flag", 8, attr("flag_id"), text=False), *PUPIL]


def risk_level_changes(p: sa.Subquery) -> SheetQuery:
    """Every level each flag in the period has had (the first row is the level when raised)."""
    by = aliased(User)
    lc = RiskLevelChange
    stmt = _flag_children(
        lc,
        p,
        lc.changed_at,
        lc.level,
        by.full_name.label("changed_by"),
        lc.reason,
        order=(lc.changed_at, lc.id),
    ).join(by, by.id == lc.changed_by_id)
    cols = [
        *FLAG,
        Col("Changed at", 17, attr("changed_at")),
        Col("Level", 9, label("level")),
        Col("Changed by", 22, attr("changed_by")),
        Col("Reason", 40, attr("reason")),
    ]
    return SheetQuery("Risk level changes", cols, stmt)


def risk_status_changes(p: sa.Subquery) -> SheetQuery:
    """Every move between open, monitoring and closed of each flag in the period."""
    by = aliased(User)
    sc = RiskStatusChange
    stmt = _flag_children(
        sc,
        p,
        sc.changed_at,
        sc.from_status,
        sc.to_status,
        sc.outcome,
        by.full_name.label("changed_by"),
        sc.reason,
        order=(sc.changed_at, sc.id),
    ).join(by, by.id == sc.changed_by_id)
    cols = [
        *FLAG,
        Col("Changed at", 17, attr("changed_at")),
        Col("From", 11, label("from_status")),
        Col("To", 11, label("to_status")),
        Col("Outcome", 20, label("outcome")),
        Col("Changed by", 22, attr("changed_by")),
        Col("Reason", 40, attr("reason")),
    ]
    return SheetQuery("Risk status changes", cols, stmt)


def risk_actions(p: sa.Subquery) -> SheetQuery:
    """The actions agreed on each flag in the period."""
    owner, done_by = aliased(User), aliased(User)
    ra = RiskAction
    stmt = (
        _flag_children(
            ra,
            p,
            ra.description,
            owner.full_name.label("owner"),
            ra.due_on,
            ra.done_on,
            done_by.full_name.label("done_by"),
            order=(ra.due_on, ra.id),
        )
        .join(owner, owner.id == ra.owner_id)
        .outerjoin(done_by, done_by.id == ra.done_by_id)
    )
    cols = [
        *FLAG,
        Col("Action", 40, attr("description")),
        Col("Owner", 22, attr("owner")),
        Col("Due", 12, attr("due_on")),
        Col("Done on", 12, attr("done_on")),
        Col("Done by", 22, attr("done_by")),
    ]
    return SheetQuery("Risk actions", cols, stmt)


def exclusions(p: sa.Subquery) -> SheetQuery:
    """Suspensions and permanent exclusions starting in the period (cancelled ones marked)."""
    ex = Exclusion
    reasons = [aliased(ExclusionReason) for _ in range(3)]
    creator = aliased(User)
    stmt = (
        base(ex, p, within(p, ex.start_date))
        .join(Pupil, Pupil.id == ex.pupil_id)
        .join(reasons[0], reasons[0].id == ex.reason_1_id)
        .outerjoin(reasons[1], reasons[1].id == ex.reason_2_id)
        .outerjoin(reasons[2], reasons[2].id == ex.reason_3_id)
        .outerjoin(creator, creator.id == ex.created_by_id)
        .add_columns(
            ex.id,
            *pupil_columns(Pupil),
            ex.kind,
            ex.start_date,
            ex.sessions,
            *[(r.code + " " + r.description).label(f"reason_{n}") for n, r in enumerate(reasons)],
            ex.parents_notified_on,
            ex.la_notified_on,
            ex.social_worker_notified_on,
            ex.cancelled_on,
            ex.cancel_reason,
            priorities(exclusion_priorities, ex.id),
            creator.full_name.label("created_by"),
            ex.created_at,
        )
        .order_by(ex.school_id, ex.start_date, ex.id)
    )
    cols = [
        SCHOOL,
        Col("Record", 8, attr("id"), text=False),
        *PUPIL,
        Col("Type", 18, label("kind")),
        Col("Start date", 12, attr("start_date")),
        Col("Sessions", 9, attr("sessions"), text=False),
        Col("Days", 7, lambda row: (row.sessions or 0) / 2, text=False, number_format="0.0"),
        *[Col(f"Reason {n + 1}", 30, attr(f"reason_{n}")) for n in range(3)],
        Col("Parents told on", 12, attr("parents_notified_on")),
        Col("LA told on", 12, attr("la_notified_on")),
        Col("Social worker / VSH told on", 12, attr("social_worker_notified_on")),
        Col("Cancelled on", 12, attr("cancelled_on")),
        Col("Why cancelled", 30, attr("cancel_reason")),
        PRIORITIES,
        *CREATED,
    ]
    return SheetQuery("Suspensions and exclusions", cols, stmt)
