"""Indexes for the employers' skill filter on PostgreSQL: of the pool's stages only, the vocabulary's wording, consent read from the index.

Measured for "welding" at a country's scale (200,000 participants) the filter spent 26 ms in the
database a request:

- the vocabulary's concepts for the words: 7 ms reading all 9,105 labels (``LIKE '%weld%'``);
  a trigram index of ``skill.search_text`` finds them in 0.2 ms;
- the participants: the skill indexes were of every participant, so PostgreSQL also marked the
  100,000 placement and activation cases in the stage index (5 ms) to AND them. Partial indexes
  of the rows that can be in the pool (stage placement or activation, not pseudonymised, the
  conditions ``portal.employers.pool.pool_condition`` states plainly) replace the whole-table
  ones: nothing else filters by them;
- the consent in force, a row's newest decision: the consent row was read for its ``given``;
  ``INCLUDE (given)`` answers from the index (6 to 3 µs a person, 1,661 people for "welding").
  It replaces the index of the same key.

SQLite has none of these indexes and is left as it is; without ``pg_trgm`` the trigram indexes
are skipped, as in migration 2026-12-02T05:32, and the searches stay correct, only slower.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-04T22:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Skill filter indexes of the pool's rows, vocabulary trigrams, consent with its decision"

# The stage as text, not a varchar compared with varchar constants: PostgreSQL writes that one back
# with casts that read differently once parsed again, and a restore (portal.backup) rebuilds the
# indexes from their written definitions. It is still the predicate pool_condition's plain IN implies.
POOL_ROWS = "stage::text IN ('placement', 'activation') AND pseudonymised_at IS NULL"
# name -> (definition, the index it replaces, that index's definition)
REPLACED = {
    "participant_pool_skill_concepts": (
        f"participant USING gin (skill_concepts(skills)) WHERE {POOL_ROWS}",
        "participant_skill_concepts",
        "participant USING gin (skill_concepts(skills))",
    ),
    "consent_participant_scope_given": (
        "consent (participant, scope, id) INCLUDE (given)",
        "consent_participant_scope",
        "consent (participant, scope, id)",
    ),
}
TRIGRAM_REPLACED = {
    "participant_pool_skill_terms_trgm": (
        f"participant USING gin (skill_terms gin_trgm_ops) WHERE {POOL_ROWS}",
        "participant_skill_terms_trgm",
        "participant USING gin (skill_terms gin_trgm_ops)",
    ),
}
TRIGRAM_NEW = {"skill_search_trgm": "skill USING gin (search_text gin_trgm_ops)"}


async def _postgres_indexes():
    """The engine and the indexes to replace and to add, or None on SQLite (nothing to do)."""
    engine = engine_finder()
    if engine.engine_type != "postgres":
        return None
    if await engine.run_ddl("SELECT 1 AS found FROM pg_extension WHERE extname = 'pg_trgm'"):
        return engine, {**REPLACED, **TRIGRAM_REPLACED}, TRIGRAM_NEW
    return engine, dict(REPLACED), {}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="portal", description=DESCRIPTION)

    async def create_indexes():
        found = await _postgres_indexes()
        if found is None:
            return
        engine, replaced, new = found
        for name, target in new.items():
            await engine.run_ddl(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")
        for name, (target, old, _) in replaced.items():
            await engine.run_ddl(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")
            await engine.run_ddl(f"DROP INDEX IF EXISTS {old}")

    async def drop_indexes():
        found = await _postgres_indexes()
        if found is None:
            return
        engine, replaced, _ = found
        for name, (_, old, old_target) in replaced.items():
            await engine.run_ddl(f"CREATE INDEX IF NOT EXISTS {old} ON {old_target}")
            await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")
        for name in TRIGRAM_NEW:
            await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
