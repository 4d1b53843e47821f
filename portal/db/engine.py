"""Build the Piccolo engine that PORTAL_DATABASE_URL names."""

from __future__ import annotations

import datetime as dt

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

# Seconds a SQLite writer waits for a lock before giving up; generous because
# several requests may write at once and WAL lets only one writer in.
SQLITE_BUSY_TIMEOUT = 30


def make_engine(database_url: str) -> Engine:
    """Return a SQLite or PostgreSQL engine for ``database_url``."""
    if database_url.startswith("sqlite:///"):
        return SQLiteEngine(path=database_url.removeprefix("sqlite:///"), timeout=SQLITE_BUSY_TIMEOUT)
    return PostgresEngine(config={"dsn": database_url})


async def prepare_sqlite(engine: Engine) -> None:
    """Switch a SQLite file to WAL so readers never wait for the writer (persists in the file)."""
    if isinstance(engine, SQLiteEngine):
        await engine.run_ddl("PRAGMA journal_mode=WAL")


async def open_pool(engine: Engine) -> None:
    """A PostgreSQL pool for the serving process: a new connection per query costs more than the query."""
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool()


async def close_pool(engine: Engine) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.close_connection_pool()


def as_utc(value: dt.datetime) -> dt.datetime:
    """A stored timestamp with its zone: SQLite hands back naive datetimes, which are UTC here."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
