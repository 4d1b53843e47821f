"""Build the Piccolo engine that PORTAL_DATABASE_URL names."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from portal.settings import get_settings

# Seconds a SQLite writer waits for a lock before giving up; generous because
# several requests may write at once and WAL lets only one writer in.
SQLITE_BUSY_TIMEOUT = 30
# Long-lived SQLite connections per event loop: a few, so a slow read does not hold up the rest.
SQLITE_CONNECTIONS = 4


@dataclass
class _Connections:
    slots: asyncio.Semaphore
    idle: list[Any] = field(default_factory=list)


class ReusingSQLiteEngine(SQLiteEngine):
    """Piccolo's SQLite engine, keeping a few connections open instead of opening one per statement.

    Piccolo opens a connection (and aiosqlite a thread) for every statement outside a
    transaction, which capped a simple page near 170 requests a second here. Statements outside
    a transaction run in autocommit mode (Piccolo's ``isolation_level=None``), so a connection
    carries nothing from one statement to the next and can be reused; transactions still get a
    connection of their own from Piccolo. Connections belong to the event loop that opened them
    (tests run many loops): those of a closed loop are stopped when the next loop asks.
    """

    def __init__(self, *args: Any, connections: int = SQLITE_CONNECTIONS, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._size = connections
        self._by_loop: dict[asyncio.AbstractEventLoop, _Connections] = {}

    def _connections(self) -> _Connections:
        loop = asyncio.get_running_loop()
        found = self._by_loop.get(loop)
        if found is None:
            for other in [other for other in self._by_loop if other.is_closed()]:
                for connection in self._by_loop.pop(other).idle:
                    connection.stop()  # no loop to await it on: the worker thread closes and ends
            found = self._by_loop[loop] = _Connections(asyncio.Semaphore(self._size))
        return found

    async def get_connection(self) -> Any:
        import aiosqlite
        from piccolo.engine.sqlite import dict_factory

        connection = aiosqlite.connect(**self.connection_kwargs)
        # aiosqlite's worker thread is not a daemon: one left open (a test's loop that ended, a
        # server killed mid-request) would keep the interpreter from exiting. Idle connections
        # hold no uncommitted work (autocommit), so ending with them is safe.
        connection._thread.daemon = True
        await connection
        # aiosqlite types row_factory as a class; sqlite3 takes any callable, as Piccolo's own engine does.
        connection.row_factory = dict_factory  # type: ignore[assignment]
        await connection.execute("PRAGMA foreign_keys = 1")
        return connection

    async def _run_in_new_connection(
        self, query: str, args: list[Any] | None = None, query_type: str = "generic", table: Any = None
    ) -> Any:
        connections = self._connections()
        async with connections.slots:
            connection = connections.idle.pop() if connections.idle else await self.get_connection()
            try:
                async with connection.execute(query, args or []) as cursor:
                    rows = await cursor.fetchall()
            except asyncio.CancelledError:
                connection.stop()  # it may be mid-statement: never hand it out again
                raise
            except BaseException:
                connections.idle.append(connection)  # autocommit: a failed statement leaves nothing open
                raise
            connections.idle.append(connection)
            return rows

    async def close_connections(self) -> None:
        """Close this loop's connections (at shutdown)."""
        found = self._by_loop.pop(asyncio.get_running_loop(), None)
        for connection in found.idle if found else []:
            await connection.close()


def make_engine(database_url: str) -> Engine:
    """Return a SQLite or PostgreSQL engine for ``database_url``."""
    if database_url.startswith("sqlite:///"):
        return ReusingSQLiteEngine(path=database_url.removeprefix("sqlite:///"), timeout=SQLITE_BUSY_TIMEOUT)
    # No JIT: it compiled for 0.35 s of a 1.3 s pool count at a country's scale, and this
    # application's statements are short ones that never win that time back.
    return PostgresEngine(config={"dsn": database_url, "server_settings": {"jit": "off"}})


async def prepare_sqlite(engine: Engine) -> None:
    """Switch a SQLite file to WAL so readers never wait for the writer (persists in the file)."""
    if isinstance(engine, SQLiteEngine):
        await engine.run_ddl("PRAGMA journal_mode=WAL")


class PoolWithTimeout:
    """An asyncpg pool whose ``acquire()`` waits a bounded time: Piccolo calls it with no timeout of its own."""

    def __init__(self, pool: Any, timeout: float) -> None:
        self._pool = pool
        self._timeout = timeout

    def acquire(self, *, timeout: float | None = None) -> Any:
        return self._pool.acquire(timeout=timeout if timeout is not None else self._timeout)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._pool, name)


async def _keep_session(connection: Any) -> None:
    """What a connection going back to the pool needs beyond asyncpg's rollback of an open transaction: nothing.

    asyncpg's default also sends ``pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL``, a
    round trip that doubled the cost of a short statement. The portal leaves no session state to
    undo: its locks are transaction-scoped (``pg_advisory_xact_lock``), its settings ``SET LOCAL`` or
    per transaction, and it declares no cursors and listens to nothing outside a transaction.
    """


async def open_pool(engine: Engine) -> None:
    """A bounded PostgreSQL pool for the serving process: a new connection per query costs more than the query.

    It opens no connection up front (min_size 0), so the server starts while the database is down and
    serves 503s until it is back; and a request waits at most PORTAL_DB_POOL_TIMEOUT_MS for a
    connection, then is answered 503, instead of queueing without end.
    """
    if isinstance(engine, PostgresEngine) and engine.pool is None:  # already open: nothing to do
        settings = get_settings()
        await engine.start_connection_pool(min_size=0, max_size=settings.db_pool_size, reset=_keep_session)
        engine.pool = PoolWithTimeout(engine.pool, settings.db_pool_timeout)


async def close_pool(engine: Engine) -> None:
    if isinstance(engine, PostgresEngine) and engine.pool is not None:
        await engine.close_connection_pool()
    elif isinstance(engine, ReusingSQLiteEngine):
        await engine.close_connections()


def as_utc(value: dt.datetime) -> dt.datetime:
    """A stored timestamp with its zone: SQLite hands back naive datetimes, which are UTC here."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def like_literal(text: str) -> str:
    """``text`` without LIKE's wildcards and escape, so a typed word is matched as it is."""
    return re.sub(r"[%_\\]", " ", text).strip()


def contains_ignoring_case(column: Any, text: str) -> Any:
    """``column`` holds ``text`` in any letter case: ILIKE on PostgreSQL, LIKE on SQLite (where LIKE already ignores it)."""
    pattern = f"%{like_literal(text)}%"
    engine = column._meta.table._meta.db
    return column.ilike(pattern) if isinstance(engine, PostgresEngine) else column.like(pattern)
