"""The case file's reads written out as SQL: who stands where on a case, the case row, and its lists in one statement."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from portal.db.engine import as_utc
from portal.db.tables import Participant

# Written out once rather than built with Piccolo on every request: building a select with its
# joins cost about as much CPU as running it (issue #15), and the case page asked for a dozen.
# The placeholders are Piccolo's ``{}`` (``$n`` on PostgreSQL, ``?`` on SQLite).

# Where a user stands on a case in one statement: the case's lead and organisation, whether the
# user is on its team, and the person's newest decision on sharing with the case team.
ACCESS_SQL = """
    SELECT p.lead_counsellor AS lead_counsellor, p.organisation AS organisation,
           p.pseudonymised_at AS pseudonymised_at,
           EXISTS (SELECT 1 FROM case_team_member m WHERE m.participant = p.id AND m."user" = {}) AS on_team,
           (SELECT c.given FROM consent c WHERE c.participant = p.id AND c.scope = 'case_team'
            ORDER BY c.id DESC LIMIT 1) AS team_consent
    FROM participant p WHERE p.id = {}"""

# The derived search columns are left out: nothing that reads the case file shows them.
_NOT_READ = {"name_search", "skill_terms"}
CASE_SQL = (
    "SELECT "
    + ", ".join(
        f'p."{column._meta.db_column_name}" AS "{column._meta.name}"'
        for column in Participant._meta.columns
        if column._meta.name not in _NOT_READ
    )
    + """, o.name AS organisation_name, o.country AS country, u.display_name AS lead_name
    FROM participant p
    LEFT JOIN organisation o ON o.id = p.organisation
    LEFT JOIN portal_user u ON u.id = p.lead_counsellor
    WHERE p.id = {}"""
)

# The case's lists in one statement, each row tagged with its ``kind``. Every branch gives the same
# columns, each of one type throughout (text, integer, timestamp, date), and NULL where the kind has
# none (typed in the first branch: PostgreSQL resolves a UNION's types pair by pair from the left, and
# takes two untyped NULLs for text); :data:`SHAPES` names them per kind. The possible duplicates (same birth year and
# municipality) come along, their initials compared in Python as ``possible_duplicates`` does.
LISTS_SQL = """
    SELECT 'stage' AS kind, s.id AS id, CAST(NULL AS INTEGER) AS num, s.stage AS a, s.note AS b, NULL AS c,
           NULL AS d, u.display_name AS who, NULL AS org, s.changed_at AS at, CAST(NULL AS DATE) AS day1,
           CAST(NULL AS DATE) AS day2
    FROM stage_change s LEFT JOIN portal_user u ON u.id = s.changed_by
    WHERE s.participant = {}
    UNION ALL
    SELECT 'team', t.id, NULL, t.role, NULL, NULL, NULL, u.display_name, o.name, t.added_at, NULL, NULL
    FROM case_team_member t LEFT JOIN portal_user u ON u.id = t."user" LEFT JOIN organisation o ON o.id = u.organisation
    WHERE t.participant = {}
    UNION ALL
    SELECT 'consent', c.id, CASE WHEN c.given THEN 1 ELSE 0 END, c.scope, c.note, NULL, NULL,
           u.display_name, NULL, c.recorded_at, NULL, NULL
    FROM consent c LEFT JOIN portal_user u ON u.id = c.recorded_by
    WHERE c.participant = {}
    UNION ALL
    SELECT 'assessment', a.id, a.points, a.computed_level, a.override_reason, a.override_level, a.answers,
           u.display_name, NULL, a.assessed_at, NULL, NULL
    FROM profiling_assessment a LEFT JOIN portal_user u ON u.id = a.assessed_by
    WHERE a.participant = {}
    UNION ALL
    SELECT 'plan', s.id, s.created_by, s.goal, s.step, NULL, NULL, NULL, NULL, s.created_at, s.due_on, s.done_on
    FROM plan_step s
    WHERE s.participant = {}
    UNION ALL
    SELECT 'note', n.id, NULL, NULL, n.text, NULL, NULL, u.display_name, NULL, n.written_at, NULL, NULL
    FROM case_note n LEFT JOIN portal_user u ON u.id = n.author
    WHERE n.participant = {}
    UNION ALL
    SELECT 'duplicate', d.id, NULL, d.code, d.first_name, d.last_name, NULL, NULL, o.name, NULL, NULL, NULL
    FROM participant p
    JOIN participant d ON d.birth_year = p.birth_year AND d.municipality = p.municipality AND d.id <> p.id
    LEFT JOIN organisation o ON o.id = d.organisation
    WHERE p.id = {}"""


def moment(value: Any) -> dt.datetime | None:
    """A timestamp as PostgreSQL gives it (aware, UTC): SQLite gives text where a statement loses the column's type."""
    if value is None:
        return None
    return as_utc(dt.datetime.fromisoformat(value) if isinstance(value, str) else value)


def day(value: Any) -> dt.date | None:
    """A date as PostgreSQL gives it: SQLite gives text where a statement loses the column's type."""
    if value is None:
        return None
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def _text(value: Any) -> Any:
    return value


def _number(value: Any) -> Any:
    return None if value is None else int(value)


def _flag(value: Any) -> bool:
    return bool(value)  # SQLite answers 0 or 1


# kind -> {key in the case file: (column of LISTS_SQL, conversion)}; the keys are those the Piccolo
# selects this replaces gave, so the templates and the other readers of the case file are unchanged.
_Shape = dict[str, tuple[str, Callable[[Any], Any]]]
SHAPES: dict[str, _Shape] = {
    "stage": {"stage": ("a", _text), "note": ("b", _text), "changed_at": ("at", moment), "by": ("who", _text)},
    "team": {
        "id": ("id", _number),
        "role": ("a", _text),
        "added_at": ("at", moment),
        "name": ("who", _text),
        "organisation_name": ("org", _text),
    },
    "consent": {
        "scope": ("a", _text),
        "given": ("num", _flag),
        "note": ("b", _text),
        "recorded_at": ("at", moment),
        "by": ("who", _text),
    },
    "assessment": {
        "id": ("id", _number),
        "answers": ("d", json.loads),
        "points": ("num", _number),
        "computed_level": ("a", _text),
        "override_level": ("c", _text),
        "override_reason": ("b", _text),
        "assessed_at": ("at", moment),
        "by": ("who", _text),
    },
    "plan": {
        "id": ("id", _number),
        "goal": ("a", _text),
        "step": ("b", _text),
        "due_on": ("day1", day),
        "done_on": ("day2", day),
        "created_by": ("num", _number),
        "created_at": ("at", moment),
    },
    "note": {"text": ("b", _text), "written_at": ("at", moment), "by": ("who", _text)},
    "duplicate": {
        "id": ("id", _number),
        "code": ("a", _text),
        "first_name": ("b", _text),
        "last_name": ("c", _text),
        "organisation_name": ("org", _text),
    },
}


def _plan_order(row: dict[str, Any]) -> tuple[bool, dt.date, int]:
    # By due date, steps without one last, then as written: the same on both engines (an ORDER BY
    # due_on put the undated first on SQLite and last on PostgreSQL).
    return (row["due_on"] is None, row["due_on"] or dt.date.min, row["id"])


def lists_of(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The rows of :data:`LISTS_SQL` as one list per kind, each in the order the case page shows it:
    history oldest first, consents, assessments and notes newest first, the plan by due date."""
    found: dict[str, list[tuple[int, dict[str, Any]]]] = {kind: [] for kind in SHAPES}
    for row in rows:
        shape = SHAPES[row["kind"]]
        found[row["kind"]].append(
            (int(row["id"]), {key: convert(row[column]) for key, (column, convert) in shape.items()})
        )
    newest_first = {"consent", "assessment", "note"}
    lists = {
        kind: [row for _, row in sorted(entries, key=lambda entry: entry[0], reverse=kind in newest_first)]
        for kind, entries in found.items()
    }
    lists["plan"].sort(key=_plan_order)
    return lists


async def access_row(user_id: int, participant_id: int) -> dict[str, Any] | None:
    """What :func:`portal.cases.services.access_for` decides on, in one statement; None without such a case."""
    rows = await Participant.raw(ACCESS_SQL, user_id, participant_id)
    if not rows:
        return None
    row = rows[0]
    consent = row["team_consent"]
    return {
        "lead_counsellor": row["lead_counsellor"],
        "organisation": row["organisation"],
        "pseudonymised_at": moment(row["pseudonymised_at"]),
        "on_team": bool(row["on_team"]),
        "team_consent": None if consent is None else bool(consent),
    }


async def case_row(participant_id: int) -> dict[str, Any] | None:
    rows = await Participant.raw(CASE_SQL, participant_id)
    return rows[0] if rows else None


async def case_lists(participant_id: int) -> dict[str, list[dict[str, Any]]]:
    """The case's stage history, team, consent history, assessments, plan, notes and possible duplicates."""
    return lists_of(await Participant.raw(LISTS_SQL, *([participant_id] * 7)))
