"""Fill participant.name_search for existing cases.

Separate from the column's migration because Piccolo runs raw steps before a migration's own.
Pseudonymised cases have empty names, so their folded name stays empty and no search finds them.
No index of its own: the caseload always narrows to the user's cases first (by lead_counsellor,
indexed), and at 200,000 cases on PostgreSQL a name search of one counsellor's 60 took 0.2 ms.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-02T10:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "Folded names filled in"
_BATCH = 2000


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="portal", description=DESCRIPTION)

    async def fill():
        from portal.cases.names import name_search
        from portal.db.tables import Participant

        last = 0
        while True:  # in batches: a country's cases do not fit one statement's memory
            rows = await Participant.raw(
                "SELECT id, first_name, last_name FROM participant WHERE id > {} ORDER BY id LIMIT {}", last, _BATCH
            )
            if not rows:
                break
            async with engine_finder().transaction():  # one commit per batch, not per row
                for row in rows:
                    await Participant.raw(
                        "UPDATE participant SET name_search = {} WHERE id = {}",
                        name_search(row["first_name"], row["last_name"]),
                        row["id"],
                    )
            last = rows[-1]["id"]

    manager.add_raw(fill)
    return manager
