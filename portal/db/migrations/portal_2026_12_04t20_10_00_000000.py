"""An index of the concepts each participant's stored skills name, for the employers' skill filter on PostgreSQL.

The filter finds a concept by its address in the stored JSON, beside the wording in
``skill_terms`` (which has a trigram index). A ``LIKE`` per concept made the database read every
placement and activation case: 0.66 s to count the pool for "welding" at a country's scale
(200,000 participants). ``skill_concepts(skills)`` lists the UUIDs that end the concept addresses
(``/<uuid>"``, as the JSON stores them), and a GIN index of that array answers "holds any of
these concepts" at once: about 2 MB at that scale, built in 9 s. (A trigram index of the whole
JSON, tried first, was 100 MB and took 5 ms per concept.) The function must stay the same as
``portal.employers.profiles.has_any_concept`` expects; SQLite has neither and is left as it is.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-04T20:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Index of the concepts in the participants' skills on PostgreSQL"

FUNCTION = r"""
CREATE OR REPLACE FUNCTION skill_concepts(skills text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(found[1]), '{}')
  FROM regexp_matches(skills, '/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"', 'g') AS found
$$
"""
INDEX = "participant_skill_concepts"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="portal", description=DESCRIPTION)

    async def create_index():
        engine = engine_finder()
        if engine.engine_type != "postgres":
            return
        await engine.run_ddl(FUNCTION)
        await engine.run_ddl(f"CREATE INDEX IF NOT EXISTS {INDEX} ON participant USING gin (skill_concepts(skills))")

    async def drop_index():
        engine = engine_finder()
        if engine.engine_type == "postgres":
            await engine.run_ddl(f"DROP INDEX IF EXISTS {INDEX}")
            await engine.run_ddl("DROP FUNCTION IF EXISTS skill_concepts(text)")

    manager.add_raw(create_index)
    manager.add_raw_backwards(drop_index)
    return manager
