"""The public HSDS copy becomes system-owned, one build of it at a time, and export bytes are stored uncompressed.

- ``export_file.requested_by`` may be NULL: the public directory copy (kind ``hsds-public``) is
  built by the scheduled job ``public_hsds`` for no one in particular (portal.downloads.exports),
  so it no longer disappears with the coordinator who asked for it.
- A unique partial index allows one ``running`` public build at a time, so the schedule of several
  web processes (or a coordinator's button at the same moment) never builds it twice.
- PostgreSQL: ``content`` uses STORAGE EXTERNAL (out of line, not compressed). The download reads
  it 1 MB at a time with ``substr``; on a compressed value each piece decompresses the value from
  its start, which made a 50 MB download quadratic. The files are ZIPs or already small, so
  compression saved little. Rows written before keep their compressed form until rewritten (they
  expire within a day). SQLite has no such setting.

SQLite cannot drop a NOT NULL constraint: the (transient) table is rebuilt with its rows.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-03T08:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "System-owned public HSDS copy; export bytes stored uncompressed on PostgreSQL"

ONE_PUBLIC_BUILD = (
    "CREATE UNIQUE INDEX IF NOT EXISTS export_file_one_public_build ON export_file (kind) "
    "WHERE kind = 'hsds-public' AND status = 'running'"
)

# Before, two coordinators could each start a public build, and a build whose process died stayed
# "running" until it expired: all but the newest such row are marked failed, or the index cannot be made.
ONE_RUNNING_LEFT = (
    "UPDATE export_file SET status = 'failed', error = 'stopped: superseded by a newer build' "
    "WHERE kind = 'hsds-public' AND status = 'running' "
    "AND id < (SELECT MAX(id) FROM export_file WHERE kind = 'hsds-public' AND status = 'running')"
)

POSTGRES = [
    "ALTER TABLE export_file ALTER COLUMN requested_by DROP NOT NULL",
    "ALTER TABLE export_file ALTER COLUMN content SET STORAGE EXTERNAL",
    ONE_RUNNING_LEFT,
    ONE_PUBLIC_BUILD,
]
POSTGRES_BACK = [
    "DROP INDEX IF EXISTS export_file_one_public_build",
    "ALTER TABLE export_file ALTER COLUMN content SET STORAGE EXTENDED",
    "DELETE FROM export_file WHERE requested_by IS NULL",
    "ALTER TABLE export_file ALTER COLUMN requested_by SET NOT NULL",
]

_SQLITE_TABLE = (
    'CREATE TABLE "export_file_new" ("id" INTEGER PRIMARY KEY NOT NULL, '
    '"requested_by" INTEGER{not_null} REFERENCES "portal_user" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, '
    "\"kind\" VARCHAR(20) NOT NULL DEFAULT '', \"format\" VARCHAR(10) NOT NULL DEFAULT '', "
    "\"status\" VARCHAR(10) NOT NULL DEFAULT 'running', \"error\" TEXT NOT NULL DEFAULT '', "
    '"created_at" TIMESTAMPTZ NOT NULL DEFAULT null, "finished_at" TIMESTAMPTZ DEFAULT null, '
    '"expires_at" TIMESTAMPTZ NOT NULL DEFAULT null, "filename" VARCHAR(100) NOT NULL DEFAULT \'\', '
    '"size" INTEGER NOT NULL DEFAULT 0, "content" BLOB DEFAULT null)'
)
_COLUMNS = "id, requested_by, kind, format, status, error, created_at, finished_at, expires_at, filename, size, content"


def _sqlite_rebuild(not_null: bool) -> list[str]:
    keep = "WHERE requested_by IS NOT NULL" if not_null else ""
    return [
        _SQLITE_TABLE.format(not_null=" NOT NULL" if not_null else ""),
        f"INSERT INTO export_file_new ({_COLUMNS}) SELECT {_COLUMNS} FROM export_file {keep}",
        "DROP TABLE export_file",
        "ALTER TABLE export_file_new RENAME TO export_file",
        'CREATE INDEX IF NOT EXISTS export_file_requested_by ON "export_file" ("requested_by")',
        'CREATE INDEX IF NOT EXISTS export_file_expires_at ON "export_file" ("expires_at")',
    ]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="portal", description=DESCRIPTION)

    async def run(postgres: list[str], sqlite: list[str]) -> None:
        engine = engine_finder()
        for statement in postgres if engine.engine_type == "postgres" else sqlite:
            await engine.run_ddl(statement)

    async def change():
        await run(POSTGRES, [*_sqlite_rebuild(not_null=False), ONE_RUNNING_LEFT, ONE_PUBLIC_BUILD])

    async def change_back():
        await run(POSTGRES_BACK, _sqlite_rebuild(not_null=True))

    manager.add_raw(change)
    manager.add_raw_backwards(change_back)
    return manager
