"""Test set-up: a throwaway database (SQLite, or PostgreSQL with PORTAL_TEST_ENGINE=postgres) before any table is imported."""

from __future__ import annotations

import os
import tempfile

_DATA_DIR = tempfile.mkdtemp(prefix="portal-test-")
ENGINE = os.environ.get("PORTAL_TEST_ENGINE", "sqlite")
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
    os.environ["PORTAL_DATABASE_URL"] = os.environ["PORTAL_TEST_DATABASE_URL"]
else:
    os.environ["PORTAL_DATABASE_URL"] = f"sqlite:///{_DATA_DIR}/test.sqlite3"
os.environ["PICCOLO_CONF"] = "portal.db.piccolo_conf"

import pytest  # noqa: E402 (the environment above must be set before anything imports the portal)

pytest_plugins = ["tests.fixtures", "tests.network_worlds"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that uses the database is marked ``db``, so CI can run exactly those on PostgreSQL."""
    for item in items:
        if "db" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.db)
