"""The reads every page makes at a country's scale are served by the indexes made for them (expressions match)."""

from __future__ import annotations

import contextlib
import sqlite3
from typing import Any

from portal.db.piccolo_conf import DB
from portal.db.tables import Notification, Organisation
from portal.notifications import services as notifications
from portal.organisations import services as directory
from tests.conftest import ENGINE


async def _plan(query: Any) -> str:
    """The query plan of a Piccolo query; on PostgreSQL with table scans discouraged, as on a big table."""
    sql, args = query.querystrings[0].compile_string(engine_type=DB.engine_type)
    if ENGINE == "postgres":
        async with DB.pool.acquire() as connection, connection.transaction():
            await connection.execute("SET LOCAL enable_seqscan = off")
            return "\n".join(row[0] for row in await connection.fetch("EXPLAIN " + sql, *args))
    with contextlib.closing(sqlite3.connect(DB.path)) as connection:
        return "\n".join(row[3] for row in connection.execute("EXPLAIN QUERY PLAN " + sql, args))


async def test_the_directory_walks_its_order_index(db):
    query = directory._in_directory_order(
        Organisation.select(Organisation.id, Organisation.name), searching=False
    ).limit(20)
    assert "organisation_order_key" in await _plan(query)


async def test_the_unread_badge_counts_from_the_partial_index(db):
    query = Notification.count().where((Notification.user == 1) & notifications._UNREAD)
    assert "notification_user_unread" in await _plan(query)
