"""Test set-up: a throwaway database (SQLite, or PostgreSQL with PORTAL_TEST_ENGINE=postgres) before any table is imported."""

from __future__ import annotations

import os
import tempfile
from urllib.parse import urlsplit, urlunsplit

_DATA_DIR = tempfile.mkdtemp(prefix="portal-test-")
ENGINE = os.environ.get("PORTAL_TEST_ENGINE", "sqlite")
# Under pytest-xdist ("gw0", "gw1", ...): each worker process has its own SQLite file (the folder
# above), PostgreSQL database (named after the one given, made by `prepare_test_database`) and Redis
# database (tests/redis_queue.py). Empty when the suite runs in one process.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
os.environ["PORTAL_ENV"] = "test"
os.environ["PORTAL_DATA_DIR"] = _DATA_DIR
os.environ["PORTAL_SECRET_KEY"] = "test-secret-key-that-is-long-enough-0123456789"
os.environ.pop("PORTAL_DEBUG", None)
# In-process tests run many requests at once on a shared machine: a connection may take long to come free.
# The 503 after a short wait is tested on a real server (tests/faults).
os.environ["PORTAL_DB_POOL_TIMEOUT_MS"] = "60000"
# Tests log in as admin everywhere; the two-factor tests switch the requirement on where it is read.
os.environ["PORTAL_TWO_FACTOR_ROLES"] = ""
if ENGINE == "postgres":
    _GIVEN_DATABASE_URL = os.environ["PORTAL_TEST_DATABASE_URL"]
    if WORKER:
        _parts = urlsplit(_GIVEN_DATABASE_URL)
        # Tests that make throwaway databases name them after this one, so theirs differ per worker too.
        os.environ["PORTAL_TEST_DATABASE_URL"] = urlunsplit(_parts._replace(path=f"{_parts.path}_{WORKER}"))
    os.environ["PORTAL_DATABASE_URL"] = os.environ["PORTAL_TEST_DATABASE_URL"]
else:
    os.environ["PORTAL_DATABASE_URL"] = f"sqlite:///{_DATA_DIR}/test.sqlite3"
os.environ["PICCOLO_CONF"] = "portal.db.piccolo_conf"

import pytest  # noqa: E402 (the environment above must be set before anything imports the portal)


async def recreate_database(name: str) -> None:
    """Drop PostgreSQL database ``name`` (its connections too) and make it anew, next to the one given.

    Through the given database, which always exists: a worker's own may not be made yet (a fault
    test that makes a throwaway database can be a worker's first)."""
    import asyncpg

    connection = await asyncpg.connect(_GIVEN_DATABASE_URL)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


async def prepare_test_database() -> None:
    """Under pytest-xdist, (re)make this worker's PostgreSQL database, next to the one given."""
    if ENGINE == "postgres" and WORKER:
        await recreate_database(urlsplit(os.environ["PORTAL_TEST_DATABASE_URL"]).path.lstrip("/"))


pytest_plugins = ["tests.fixtures", "tests.network_worlds"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that uses the database is marked ``db``, so CI can run exactly those on PostgreSQL."""
    for item in items:
        if "db" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.db)
