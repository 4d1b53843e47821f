"""The reads every page makes at a country's scale can be served by the indexes made for them (expressions match)."""

from __future__ import annotations

import contextlib
import sqlite3
from typing import Any

import pytest

from portal.db.piccolo_conf import DB
from portal.db.tables import Notification, Organisation, Participant
from portal.employers import pool, profiles
from portal.notifications import services as notifications
from portal.organisations import services as directory
from portal.skills import services as skills
from tests.conftest import ENGINE


async def _plan_with(query: Any, index: str) -> str:
    """The query plan of a Piccolo query when ``index`` is the only index of its table the database may use.

    SQLite: forced with ``INDEXED BY``, which fails when the index cannot serve the query. PostgreSQL:
    the table's other indexes dropped and table scans discouraged, in a transaction rolled back.
    On a test's tiny tables a planner may otherwise pick any of them."""
    table = query.table._meta.tablename
    sql, args = query.querystrings[0].compile_string(engine_type=DB.engine_type)
    if ENGINE == "postgres":
        async with DB.pool.acquire() as connection:
            transaction = connection.transaction()
            await transaction.start()
            try:
                await connection.execute("SET LOCAL enable_seqscan = off")
                others = await connection.fetch(
                    "SELECT i.indexname FROM pg_indexes i WHERE i.tablename = $1 AND i.indexname <> $2 "
                    "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
                    table,
                    index,
                )
                for row in others:
                    await connection.execute(f'DROP INDEX "{row["indexname"]}"')
                return "\n".join(row[0] for row in await connection.fetch("EXPLAIN " + sql, *args))
            finally:
                await transaction.rollback()
    forced = sql.replace(f'FROM "{table}"', f'FROM "{table}" INDEXED BY {index}', 1)
    with contextlib.closing(sqlite3.connect(DB.path)) as connection:
        try:
            return "\n".join(row[3] for row in connection.execute("EXPLAIN QUERY PLAN " + forced, args))
        except sqlite3.OperationalError as error:  # "no query solution": the index cannot serve it
            return str(error)


async def test_the_directory_walks_its_order_index(db):
    query = directory._in_directory_order(Organisation.select(Organisation.id, Organisation.name), searching=False)
    plan = await _plan_with(query.limit(20), "organisation_order_key")
    assert "organisation_order_key" in plan and "TEMP B-TREE" not in plan and "Sort" not in plan


async def test_the_unread_badge_counts_from_the_partial_index(db):
    query = Notification.count().where((Notification.user == 1) & notifications._UNREAD)
    assert "notification_user_unread" in await _plan_with(query, "notification_user_unread")


_POSTGRES_ONLY = pytest.mark.skipif(ENGINE != "postgres", reason="SQLite has no such index: the filter reads the table")


@_POSTGRES_ONLY
async def test_the_pool_finds_concepts_through_the_partial_index_of_the_pools_skills(db):
    welding = "http://data.europa.eu/esco/skill/14b4a40e-da80-452a-86d6-88a959052219"
    query = Participant.select(Participant.id).where(pool.pool_condition(), profiles.has_any_concept([welding]))
    plan = await _plan_with(query, "participant_pool_skill_concepts")
    # The pool condition implies the index's predicate: without that, PostgreSQL cannot use it.
    assert "participant_pool_skill_concepts" in plan


@_POSTGRES_ONLY
async def test_the_pool_finds_wording_through_the_partial_trigram_index(db):
    query = Participant.select(Participant.id).where(pool.pool_condition(), Participant.skill_terms.like("%welding%"))
    assert "participant_pool_skill_terms_trgm" in await _plan_with(query, "participant_pool_skill_terms_trgm")


@_POSTGRES_ONLY
async def test_the_vocabulary_is_searched_through_its_trigram_index(db):
    query = skills._candidates_query("varjenje", skills._CANDIDATES)
    assert "skill_search_trgm" in await _plan_with(query, "skill_search_trgm")


@_POSTGRES_ONLY
async def test_the_consent_in_force_is_read_from_the_index_alone(db):
    query = Participant.select(Participant.id).where(pool.consent_in_force("employer_profile"))
    plan = await _plan_with(query, "participant_pkey")  # the subquery's table keeps its indexes
    assert "Index Only Scan Backward using consent_participant_scope_given" in plan
