"""The portal leaves no session state on a PostgreSQL connection: the pool hands connections on without a reset query."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# What a connection would carry to its next user if the portal did it: a session setting, a session-level
# advisory lock, a LISTEN, a cursor kept past its transaction (portal/db/engine.py, _keep_session).
# SQL keywords are written in capitals here; a statement starts a string or follows a ";".
SESSION_STATE = re.compile(
    r"""(^|["';]\s*)(SET\s+(?!LOCAL\b|TRANSACTION\b|CONSTRAINTS\b)|LISTEN\s|DECLARE\s.*\bWITH\s+HOLD\b)"""
    r"""|pg_advisory_lock|pg_try_advisory_lock\b|set_config\([^)]*,\s*false"""
)


def test_no_code_leaves_session_state_on_a_pooled_connection():
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted((ROOT / "portal").rglob("*.py"))
        if "migrations" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if SESSION_STATE.search(line)
    ]
    assert found == []


def test_the_check_finds_what_it_looks_for():
    for statement in (
        '"SET statement_timeout = 0"',
        "SELECT pg_advisory_lock(1)",
        '"LISTEN jobs"',
        "'BEGIN; SET search_path TO x'",
    ):
        assert SESSION_STATE.search(statement), statement
    for statement in (
        '"SET LOCAL statement_timeout = 0"',
        "pg_advisory_xact_lock(1)",
        '"UPDATE t SET a = 1"',
        "set KEY to it",
    ):
        assert not SESSION_STATE.search(statement), statement
