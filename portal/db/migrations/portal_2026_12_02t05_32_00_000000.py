"""Trigram indexes for the "contains" searches on PostgreSQL (directory, opportunities, skills in the pool).

The searches are ``LIKE '%word%'``, which a B-tree cannot serve: without these, each search
reads the whole table. ``pg_trgm`` ships with PostgreSQL and is a trusted extension, so a
database owner may create it; where that is refused the searches still work, only slower, and
the migration says so instead of failing. SQLite has no such index and is left as it is.
"""

import logging

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-02T05:32:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Trigram indexes for contains-searches on PostgreSQL"

INDEXES = {
    "organisation_search_trgm": "organisation USING gin (search_text gin_trgm_ops)",
    "opportunity_search_trgm": "opportunity USING gin (search_text gin_trgm_ops)",
    "participant_skill_terms_trgm": "participant USING gin (skill_terms gin_trgm_ops)",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="portal", description=DESCRIPTION)

    async def create_indexes():
        engine = engine_finder()
        if engine.engine_type != "postgres":
            return
        try:
            await engine.run_ddl("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except Exception as exc:  # a role without the right: searches stay correct, only slower
            logging.getLogger(__name__).warning("pg_trgm not available (%s): contains-searches scan", exc)
            return
        for name, target in INDEXES.items():
            await engine.run_ddl(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")

    async def drop_indexes():
        engine = engine_finder()
        if engine.engine_type == "postgres":
            for name in INDEXES:
                await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
