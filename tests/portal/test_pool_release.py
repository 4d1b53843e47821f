"""A connection back in the PostgreSQL pool carries nothing to the next user, though the pool skips asyncpg's reset query."""

from __future__ import annotations

import asyncio

import pytest

from portal.db.piccolo_conf import DB
from portal.db.tables import AuditEvent
from tests.conftest import ENGINE

pytestmark = pytest.mark.skipif(ENGINE != "postgres", reason="the pool is PostgreSQL's")


async def test_work_left_in_a_transaction_is_rolled_back_when_the_connection_goes_back(db):
    # Silence asyncpg's warning about the open transaction: that is what this test does on purpose.
    loop = asyncio.get_running_loop()
    handler = loop.get_exception_handler()
    loop.set_exception_handler(lambda loop, context: None)
    try:
        async with DB.pool.acquire() as connection:
            await connection.execute("BEGIN")
            await connection.execute(
                "INSERT INTO audit_event (at, username, action, record_type, record_id, detail, address) "
                "VALUES (now(), 'left', 'read', 'participant', 1, '', '')"
            )
    finally:
        loop.set_exception_handler(handler)
    assert await AuditEvent.count() == 0
    async with DB.pool.acquire() as connection:
        assert not connection.is_in_transaction()


async def test_a_transaction_scoped_setting_and_lock_end_with_the_transaction(db):
    async with DB.pool.acquire() as connection, connection.transaction():
        await connection.execute("SET LOCAL statement_timeout = '1234ms'")
        await connection.execute("SELECT pg_advisory_xact_lock(4242)")
    async with DB.pool.acquire() as connection:
        assert await connection.fetchval("SHOW statement_timeout") != "1234ms"
        assert await connection.fetchval("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'") == 0
