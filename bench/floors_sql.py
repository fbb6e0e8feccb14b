"""SQL floors: hand-written SQL for the dashboard's aggregates, run on the DB-API connection.

The floor of a page is the least work the database must do for it: the same aggregates
written by hand (one school, the chosen term and the five before it) and executed directly
on the driver's connection, with no ORM, no Python post-processing and no template. Pages
without hand-written SQL use the app's own statements replayed the same way.

The SQL is composed from constant fragments and integer ids read from the database; every
value that varies is a bound parameter (hence the file-wide S608 exemption).
"""
# ruff: noqa: S608

import re
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.engine import Engine

from school_tracker.calendar.terms import Term

ON_ROLL = (
    "(pu.admission_date IS NULL OR pu.admission_date <= {t}.ends) "
    "AND (pu.leaving_date IS NULL OR pu.leaving_date >= {t}.starts)"
)
PART_END = "COALESCE(ip.end_date, ip.withdrawn_on, i.end_date)"
OVERLAPS = "{start} <= t.ends AND ({end} IS NULL OR {end} >= t.starts)"
GROUPS = (
    "1 = 1",
    "pu.sen_status = 'K'",
    "pu.sen_status = 'E'",
    "pu.pupil_premium",
    "pu.eal",
    "pu.looked_after",
    "pu.young_carer",
)
RATE_GROUPS = (
    "pu.sen_status <> 'N'",
    "pu.sen_status = 'N'",
    "pu.pupil_premium",
    "NOT pu.pupil_premium",
)

REACHED = f"""
reached AS (
  SELECT p.mentee_id AS pupil_id, l.priority_id, t.idx, t.starts, t.ends
  FROM mentoring_pairings p JOIN mentoring_pairing_priorities l ON l.record_id = p.id
  JOIN t ON {OVERLAPS.format(start="p.starts_on", end="p.ended_on")}
  WHERE p.school_id = :school
  UNION ALL
  SELECT ip.pupil_id, l.priority_id, t.idx, t.starts, t.ends
  FROM intervention_participants ip JOIN interventions i ON i.id = ip.intervention_id
  JOIN intervention_priorities l ON l.record_id = i.id
  JOIN t ON {OVERLAPS.format(start="ip.start_date", end=PART_END)}
  WHERE i.school_id = :school AND i.status <> 'planned'
  UNION ALL
  SELECT f.pupil_id, l.priority_id, t.idx, t.starts, t.ends
  FROM risk_flags f JOIN risk_flag_priorities l ON l.record_id = f.id
  JOIN t ON {OVERLAPS.format(start="f.raised_on", end="f.closed_on")}
  WHERE f.school_id = :school
  UNION ALL
  SELECT c.pupil_id, l.priority_id, t.idx, t.starts, t.ends
  FROM parent_conversations c JOIN parent_conversation_priorities l ON l.record_id = c.id
  JOIN t ON c.held_on BETWEEN t.starts AND t.ends
  WHERE c.school_id = :school
  UNION ALL
  SELECT g.pupil_id, l.priority_id, t.idx, t.starts, t.ends
  FROM kindness_moment_givers g JOIN kindness_moments k ON k.id = g.moment_id
  JOIN kindness_moment_priorities l ON l.record_id = k.id
  JOIN t ON k.occurred_on BETWEEN t.starts AND t.ends
  WHERE k.school_id = :school
  UNION ALL
  SELECT k.receiver_pupil_id, l.priority_id, t.idx, t.starts, t.ends
  FROM kindness_moments k JOIN kindness_moment_priorities l ON l.record_id = k.id
  JOIN t ON k.occurred_on BETWEEN t.starts AND t.ends
  WHERE k.school_id = :school AND k.receiver_pupil_id IS NOT NULL
)"""


def _distinct(conditions, column: str) -> str:
    return ", ".join(f"COUNT(DISTINCT CASE WHEN {c} THEN {column} END)" for c in conditions)


def _sums(conditions) -> str:
    return ", ".join(f"SUM(CASE WHEN {c} THEN 1 ELSE 0 END)" for c in conditions)


def _aggregates(priority_ids: list[int]) -> dict[str, str]:
    """Every aggregate the dashboard shows, as SQL (`t` is the terms CTE)."""
    priority_cols = _distinct([f"r.priority_id = {pid}" for pid in priority_ids], "r.pupil_id")
    return {
        "reached": f"""WITH {{t}}, {REACHED}
            SELECT r.idx, {priority_cols}, {_distinct(GROUPS, "r.pupil_id")}
            FROM reached r JOIN pupils pu ON pu.id = r.pupil_id
            WHERE {ON_ROLL.format(t="r")} GROUP BY r.idx""",
        "roll": f"""WITH {{t}} SELECT t.idx, {_sums(GROUPS)}, {_sums(RATE_GROUPS)}
            FROM pupils pu JOIN t ON {ON_ROLL.format(t="t")}
            WHERE pu.school_id = :school GROUP BY t.idx""",
        "interventions": f"""WITH {{t}}
            SELECT t.idx, COUNT(DISTINCT i.id), {_distinct(GROUPS, "ip.pupil_id")}
            FROM intervention_participants ip JOIN interventions i ON i.id = ip.intervention_id
            JOIN t ON i.status <> 'planned'
              AND {OVERLAPS.format(start="ip.start_date", end=PART_END)}
              AND (ip.status = 'taking_part' OR ip.withdrawn_on >= t.starts)
            JOIN pupils pu ON pu.id = ip.pupil_id
            WHERE i.school_id = :school GROUP BY t.idx""",
        "impact": f"""WITH {{t}} SELECT t.idx, ip.impact, COUNT(DISTINCT ip.pupil_id)
            FROM intervention_participants ip JOIN interventions i ON i.id = ip.intervention_id
            JOIN t ON {PART_END} BETWEEN t.starts AND t.ends
            WHERE i.school_id = :school AND ip.impact IS NOT NULL GROUP BY t.idx, ip.impact""",
        "cost": """WITH {t} SELECT t.idx, SUM(i.cost_pence), COUNT(i.id) FROM interventions i
            JOIN t ON i.start_date BETWEEN t.starts AND t.ends
            WHERE i.school_id = :school AND i.status <> 'planned' GROUP BY t.idx""",
        "cost_pupils": """WITH {t} SELECT t.idx, COUNT(DISTINCT ip.pupil_id)
            FROM intervention_participants ip JOIN interventions i ON i.id = ip.intervention_id
            JOIN t ON i.start_date BETWEEN t.starts AND t.ends
            WHERE i.school_id = :school AND i.status <> 'planned' GROUP BY t.idx""",
        "pairs": f"""WITH {{t}} SELECT t.idx, COUNT(p.id), COUNT(DISTINCT p.mentee_id)
            FROM mentoring_pairings p
            JOIN t ON {OVERLAPS.format(start="p.starts_on", end="p.ended_on")}
            WHERE p.school_id = :school GROUP BY t.idx""",
        "sessions": """WITH {t} SELECT t.idx, COUNT(*), SUM(s.minutes) FROM mentoring_sessions s
            JOIN t ON s.held_on BETWEEN t.starts AND t.ends
            WHERE s.school_id = :school GROUP BY t.idx""",
        "risk_levels": """WITH {t} SELECT t.idx, f.level, COUNT(DISTINCT f.pupil_id)
            FROM risk_flags f JOIN t ON f.raised_on <= t.ends
              AND (f.closed_on IS NULL OR f.closed_on > t.ends)
            WHERE f.school_id = :school GROUP BY t.idx, f.level""",
        "risk_flow": f"""WITH {{t}} SELECT t.idx,
              COUNT(DISTINCT CASE WHEN f.raised_on BETWEEN t.starts AND t.ends THEN f.pupil_id END),
              COUNT(DISTINCT CASE WHEN f.closed_on BETWEEN t.starts AND t.ends THEN f.pupil_id END)
            FROM risk_flags f JOIN t ON {OVERLAPS.format(start="f.raised_on", end="f.closed_on")}
            WHERE f.school_id = :school GROUP BY t.idx""",
        "agencies": f"""WITH {{t}} SELECT t.idx, a.name, COUNT(DISTINCT f.pupil_id)
            FROM risk_flags f JOIN risk_flag_agencies fa ON fa.flag_id = f.id
            JOIN agencies a ON a.id = fa.agency_id
            JOIN t ON {OVERLAPS.format(start="f.raised_on", end="f.closed_on")}
            WHERE f.school_id = :school GROUP BY t.idx, a.name""",
        "suspensions": """WITH {t} SELECT t.idx,
              COUNT(CASE WHEN e.kind = 'suspension' THEN 1 END),
              SUM(CASE WHEN e.kind = 'suspension' THEN e.sessions ELSE 0 END),
              COUNT(DISTINCT CASE WHEN e.kind = 'suspension' THEN e.pupil_id END),
              COUNT(CASE WHEN e.kind = 'permanent' THEN 1 END)
            FROM exclusions e JOIN t ON e.start_date BETWEEN t.starts AND t.ends
            WHERE e.school_id = :school AND e.cancelled_on IS NULL GROUP BY t.idx""",
        "reasons": """WITH {t} SELECT t.idx, r.code, COUNT(DISTINCT e.id) FROM exclusions e
            JOIN exclusion_reasons r ON r.id IN (e.reason_1_id, e.reason_2_id, e.reason_3_id)
            JOIN t ON e.start_date BETWEEN t.starts AND t.ends
            WHERE e.school_id = :school AND e.cancelled_on IS NULL GROUP BY t.idx, r.code""",
        "suspended_groups": f"""WITH {{t}} SELECT t.idx, {_distinct(RATE_GROUPS, "e.pupil_id")}
            FROM exclusions e JOIN pupils pu ON pu.id = e.pupil_id
            JOIN t ON e.start_date BETWEEN t.starts AND t.ends
            WHERE e.school_id = :school AND e.cancelled_on IS NULL AND e.kind = 'suspension'
            GROUP BY t.idx""",
        "overdue": """SELECT
              (SELECT COUNT(*) FROM interventions WHERE school_id = :school
                 AND review_date < :as_of AND status IN ('planned', 'active')),
              (SELECT COUNT(*) FROM risk_flags WHERE school_id = :school
                 AND review_on < :as_of AND closed_on IS NULL)""",
        "cpd": """WITH {t} SELECT t.idx, SUM(l.hours_tenths), COUNT(DISTINCT l.staff_id)
            FROM learning_records l JOIN t ON l.held_on BETWEEN t.starts AND t.ends
            WHERE l.school_id = :school GROUP BY t.idx""",
        "families": """WITH {t} SELECT t.idx, COUNT(*), COUNT(DISTINCT c.pupil_id)
            FROM parent_conversations c JOIN t ON c.held_on BETWEEN t.starts AND t.ends
            WHERE c.school_id = :school GROUP BY t.idx""",
        "kindness": """WITH {t} SELECT t.idx, v.value, COUNT(*) FROM kindness_moments k
            JOIN kindness_moment_values v ON v.moment_id = k.id
            JOIN t ON k.occurred_on BETWEEN t.starts AND t.ends
            WHERE k.school_id = :school GROUP BY t.idx, v.value""",
        "moments": """WITH {t} SELECT t.idx, COUNT(*) FROM kindness_moments k
            JOIN t ON k.occurred_on BETWEEN t.starts AND t.ends
            WHERE k.school_id = :school GROUP BY t.idx""",
    }


def _terms_cte(terms: list[Term], dialect: str) -> tuple[str, dict]:
    rows, params = [], {}
    for idx, term in enumerate(terms):
        rows.append(f"({idx}, :s{idx}, :e{idx})")
        # SQLite keeps dates as ISO text; psycopg sends real dates.
        as_value = (lambda d: d.isoformat()) if dialect == "sqlite" else (lambda d: d)
        params[f"s{idx}"], params[f"e{idx}"] = as_value(term.starts_on), as_value(term.ends_on)
    return f"t(idx, starts, ends) AS (VALUES {', '.join(rows)})", params


def dashboard_statements(
    school_id: int, terms: list[Term], as_of: date, priority_ids: list[int], dialect: str
) -> list[tuple[str, str, dict]]:
    """(name, SQL, parameters) for every dashboard aggregate of one school."""
    cte, params = _terms_cte(terms, dialect)
    params = {
        **params,
        "school": school_id,
        "as_of": as_of.isoformat() if dialect == "sqlite" else as_of,
    }
    out = []
    for name, sql in _aggregates(priority_ids).items():
        text = sql.replace("{t}", cte)
        if dialect != "sqlite":
            text = re.sub(r"(?<!:):([a-z_][a-z0-9_]*)", r"%(\1)s", text)
        out.append((name, text, params))
    return out


def run_statements(engine: Engine, statements: list[tuple[str, str, dict]]) -> dict[str, list]:
    """Execute on one raw DB-API connection, fetching every row; returns rows by name."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        results = {}
        for name, sql, params in statements:
            cursor.execute(sql, params)
            results[name] = cursor.fetchall()
        cursor.close()
        raw.rollback()
        return results
    finally:
        raw.close()


_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")
_WRITES = ("INSERT", "UPDATE", "DELETE")


def replay(engine: Engine, statements: list[tuple[str, object, bool]]) -> None:
    """Run a page's captured statements again on a raw connection, then roll back."""
    texts = [statement.lstrip().upper() for statement, _, _ in statements]
    writes = any(text.startswith(_WRITES) for text in texts)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if engine.dialect.name == "sqlite":  # the app's connections run in autocommit mode
            cursor.execute("BEGIN IMMEDIATE" if writes else "BEGIN")
        for (statement, parameters, many), text in zip(statements, texts, strict=True):
            if text.startswith(_CONTROL):
                continue
            if many:
                cursor.executemany(statement, parameters)
            else:
                cursor.execute(statement, parameters)
            if cursor.description is not None:
                cursor.fetchall()
        if engine.dialect.name == "sqlite":
            cursor.execute("ROLLBACK")
        else:
            raw.rollback()
        cursor.close()
    finally:
        raw.close()


def _sql(engine: Engine, text: str) -> str:
    return text if engine.dialect.name == "sqlite" else text.replace("?", "%s")


def _values(engine: Engine, *values):
    """Dates as ISO text for SQLite (as SQLAlchemy stores them), as they are for psycopg."""
    if engine.dialect.name != "sqlite":
        return values
    return tuple(
        v.isoformat(" ") if isinstance(v, datetime) else v.isoformat() if isinstance(v, date) else v
        for v in values
    )


def insert_intervention(
    engine: Engine, school_id: int, type_id: int, lead_id: int, pupil_id: int, priority_ids
) -> None:
    """The least SQL that logging one individual intervention needs, rolled back: the
    intervention, its pupil, its priorities and two audit entries."""
    now = datetime.now(UTC).replace(tzinfo=None)
    start = date.today()
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if engine.dialect.name == "sqlite":
            cursor.execute("BEGIN IMMEDIATE")
        cursor.execute(
            _sql(
                engine,
                "INSERT INTO interventions (school_id, created_by_id, updated_by_id, created_at, "
                "updated_at, version_id, type_id, mode, lead_id, intended_outcome, "
                "planned_sessions, frequency, cost_pence, funding_stream, start_date, "
                "review_date, status, pupil_voice, parent_voice, notes) VALUES "
                "(?, ?, ?, ?, ?, 1, ?, 'individual', ?, ?, 12, 'weekly', 12000, "
                "'pupil_premium', ?, ?, 'planned', ?, '', '') RETURNING id",
            ),
            _values(
                engine,
                school_id,
                lead_id,
                lead_id,
                now,
                now,
                type_id,
                lead_id,
                "Reads with more confidence.",
                start,
                start + timedelta(days=42),
                "I want to read.",
            ),
        )
        record_id = cursor.fetchone()[0]
        cursor.execute(
            _sql(
                engine,
                "INSERT INTO intervention_participants (intervention_id, pupil_id, start_date, "
                "status, created_by_id, created_at, updated_at, version_id) "
                "VALUES (?, ?, ?, 'taking_part', ?, ?, ?, 1)",
            ),
            _values(engine, record_id, pupil_id, start, lead_id, now, now),
        )
        cursor.executemany(
            _sql(
                engine, "INSERT INTO intervention_priorities (record_id, priority_id) VALUES (?, ?)"
            ),
            [(record_id, pid) for pid in priority_ids],
        )
        cursor.executemany(
            _sql(
                engine,
                "INSERT INTO audit_entries (at, school_id, actor_id, action, entity_type, "
                "entity_id, pupil_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
            ),
            [
                _values(engine, now, school_id, lead_id, "create", "intervention", record_id, None),
                _values(
                    engine,
                    now,
                    school_id,
                    lead_id,
                    "add_participant",
                    "intervention_participant",
                    record_id,
                    pupil_id,
                ),
            ],
        )
        if engine.dialect.name == "sqlite":
            cursor.execute("ROLLBACK")
        else:
            raw.rollback()
        cursor.close()
    finally:
        raw.close()
