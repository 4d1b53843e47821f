"""A trigram index of the participants' stored skills, for the employers' skill filter on PostgreSQL.

The filter finds a concept by its address in the stored JSON (``skills LIKE '%<uuid>"%'``), beside
the wording in ``skill_terms``, which has its own trigram index. Without this one, the ``OR`` of the
two made the database read every placement and activation case: 0.66 s to count the pool for
"welding" at a country's scale (200,000 participants), 52-60 ms with it. It is about 100 MB there
and took 19 s to build. As for the other trigram indexes, pg_trgm may be refused; the filter then
stays correct, only slower. SQLite has no such index and is left as it is.
"""

import logging

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-04T20:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Trigram index of the participants' skills on PostgreSQL"

INDEX = "participant_skills_trgm"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="portal", description=DESCRIPTION)

    async def create_index():
        engine = engine_finder()
        if engine.engine_type != "postgres":
            return
        try:
            await engine.run_ddl("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except Exception as exc:  # a role without the right: the filter stays correct, only slower
            logging.getLogger(__name__).warning("pg_trgm not available (%s): the skill filter scans", exc)
            return
        await engine.run_ddl(f"CREATE INDEX IF NOT EXISTS {INDEX} ON participant USING gin (skills gin_trgm_ops)")

    async def drop_index():
        engine = engine_finder()
        if engine.engine_type == "postgres":
            await engine.run_ddl(f"DROP INDEX IF EXISTS {INDEX}")

    manager.add_raw(create_index)
    manager.add_raw_backwards(drop_index)
    return manager
