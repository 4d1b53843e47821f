"""Back up the portal's database into a file, and restore one, on SQLite or PostgreSQL alike.

Backup reads every table inside one snapshot (a REPEATABLE READ, READ ONLY transaction on
PostgreSQL; one read transaction on SQLite, which in WAL mode lets the portal go on writing), in
batches by id, writing as it goes. Restore first reads the whole file and checks it (key,
checksum, counts, schema level), then, in one transaction: drops what is there, migrates an empty
schema up to the backup's own migration, loads the rows (building indexes and checking foreign keys
once afterwards, as pg_restore does), moves the id sequences past them, and runs the migrations the
backup had not seen. Any failure rolls all of it back. Tables the portal rebuilds on its own
(``NOT_BACKED_UP``: the indicators' summaries, the export files) are neither backed up nor restored.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.metadata
import io
import time
from pathlib import Path
from typing import Any

from piccolo.apps.migrations.commands.base import BaseMigrationManager
from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import TransactionType
from piccolo.table import sort_table_classes

from portal.backup.archive import (
    FORMAT,
    FORMAT_VERSION,
    ArchiveWriter,
    BackupError,
    portable_type,
    read_archive,
)
from portal.backup.archive import verify as verify_file
from portal.clock import utc_now
from portal.db.piccolo_app import APP_CONFIG

# Rows per read: a few thousand keeps memory flat (a network snapshot row holds megabytes of JSON).
BATCH = 2000
# Bytes of JSON one page of rows may come to before pages shrink.
PAGE_BYTES = 16 << 20
MIGRATION_TABLE = "migration"
# Tables a backup leaves out and a restore leaves empty: what the portal rebuilds on its own. The
# indicators' monthly summaries (and their state row) are rebuilt by the indicator_summary job; with no
# state row the indicators page computes live until then, so a restore never shows stale summaries. The
# export files are one-day copies of public data (or of what their asker may read), built again on request.
NOT_BACKED_UP = frozenset(
    {
        "indicator_stage_month",
        "indicator_first_placement_month",
        "indicator_funnel_month",
        "indicator_step_month",
        "indicator_summary_state",
        "export_file",
    }
)


def portal_version() -> str:
    try:
        return importlib.metadata.version("activation-portal")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def known_migrations() -> list[str]:
    """The migration ids this code ships, oldest first."""
    manager = BaseMigrationManager()
    return manager.get_migration_ids(manager.get_migration_modules(APP_CONFIG.resolved_migrations_folder_path))


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class _Connection:
    """The raw connection of a Piccolo transaction, with the few statements backup and restore need."""

    def __init__(self, engine: Any, transaction: Any) -> None:
        self.postgres = isinstance(engine, PostgresEngine)
        self.engine_name = "postgresql" if self.postgres else "sqlite"
        self.raw = transaction.connection

    def mark(self, number: int) -> str:
        return f"${number}" if self.postgres else "?"

    async def rows(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        if self.postgres:
            return [tuple(record) for record in await self.raw.fetch(sql, *args)]
        async with self.raw.execute(sql, args) as cursor:
            return [tuple(row.values()) if isinstance(row, dict) else tuple(row) for row in await cursor.fetchall()]

    async def execute(self, sql: str) -> None:
        await self.raw.execute(sql)

    async def tables(self) -> list[str]:
        if self.postgres:
            sql = (
                "SELECT table_name FROM information_schema.tables"
                " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
            )
        else:
            sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        return sorted(row[0] for row in await self.rows(sql))

    async def columns(self, table: str) -> list[list[str]]:
        """``[name, portable type]`` per column, in the table's order."""
        if self.postgres:
            found = await self.rows(
                "SELECT column_name, data_type FROM information_schema.columns"
                " WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
                table,
            )
        else:
            found = [(row[1], row[2]) for row in await self.rows(f"PRAGMA table_info({_quote(table)})")]
        return [[name, portable_type(declared)] for name, declared in found]

    async def insert(self, table: str, columns: list[str], rows: list[list[Any]]) -> None:
        if self.postgres:
            await self.raw.copy_records_to_table(table, records=rows, columns=columns)
        else:
            names = ", ".join(_quote(name) for name in columns)
            marks = ", ".join("?" for _ in columns)
            await self.raw.executemany(f"INSERT INTO {_quote(table)} ({names}) VALUES ({marks})", rows)


def _dump_order(tables: list[str]) -> list[str]:
    """Parents before children (foreign keys), as the code's tables say; tables it does not know last."""
    ordered = [table._meta.tablename for table in sort_table_classes(APP_CONFIG.table_classes)]
    return [name for name in ordered if name in tables] + sorted(set(tables) - set(ordered))


async def _applied_migrations(connection: _Connection, tables: list[str]) -> list[str]:
    if MIGRATION_TABLE not in tables:
        return []
    mark = connection.mark(1)
    rows = await connection.rows(f"SELECT name FROM {MIGRATION_TABLE} WHERE app_name = {mark} ORDER BY name", "portal")
    return [row[0] for row in rows]


async def backup(path: Path, key: str = "", batch: int = BATCH) -> dict[str, Any]:
    """Write the whole database to ``path`` (encrypted when ``key`` is given); return the manifest."""
    from portal.db.piccolo_conf import DB

    started = time.monotonic()
    # SQLite: a deferred transaction's first read fixes the snapshot every later read sees.
    async with DB.transaction() as transaction:
        connection = _Connection(DB, transaction)
        if connection.postgres:
            await connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        tables = await connection.tables()
        migrations = await _applied_migrations(connection, tables)
        if not migrations:
            raise BackupError("the database has no portal schema yet (run `portal migrate`): nothing to back up")
        layout: list[dict[str, Any]] = []
        for table in _dump_order([name for name in tables if name != MIGRATION_TABLE and name not in NOT_BACKED_UP]):
            columns = await connection.columns(table)
            if "id" not in [name for name, _ in columns]:
                raise BackupError(f"table {table} has no id column; the backup reads tables in id order")
            layout.append({"name": table, "columns": columns})
        header = {
            "kind": "header",
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "portal_version": portal_version(),
            "engine": connection.engine_name,
            "created_at": utc_now().isoformat(),
            "last_migration": migrations[-1],
            "migrations": migrations,
            "encrypted": bool(key),
            "tables": layout,
        }
        writer = ArchiveWriter(path, key)
        try:
            writer.write(header)
            counts: dict[str, int] = {}
            for entry in layout:
                table, columns = entry["name"], entry["columns"]
                counts[table] = await _dump_table(connection, writer, table, columns, batch)
            manifest = writer.finish({**header, "row_counts": counts})
        except BaseException:
            writer.abort()
            raise
    manifest["seconds"] = round(time.monotonic() - started, 2)
    return manifest


async def _dump_table(
    connection: _Connection, writer: ArchiveWriter, table: str, columns: list[list[str]], batch: int
) -> int:
    names = ", ".join(_quote(name) for name, _ in columns)
    position = [name for name, _ in columns].index("id")
    writer.write({"kind": "table", "name": table})
    count, last = 0, None
    # Pages start small and grow up to `batch` rows while they stay light, and shrink when rows are
    # big (a network snapshot is megabytes of JSON), so memory stays flat whatever the table.
    limit = min(batch, 100)
    while True:
        # Keyset paging: each page starts after the last id seen, so no page re-reads the table.
        after = "" if last is None else f"WHERE id > {connection.mark(1)} "
        query = f"SELECT {names} FROM {_quote(table)} {after}ORDER BY id LIMIT {limit}"
        rows = await (connection.rows(query) if last is None else connection.rows(query, last))
        try:
            size = writer.write_rows(rows)
        except BackupError as exc:
            raise BackupError(f"table {table}, ids {rows[0][position]} to {rows[-1][position]}: {exc}") from None
        count += len(rows)
        if len(rows) < limit:
            break
        last = rows[-1][position]
        if size > PAGE_BYTES:
            limit = max(1, limit // 2)
        elif size < PAGE_BYTES // 4:
            limit = min(batch, limit * 2)
    writer.write({"kind": "end", "name": table, "rows": count})
    return count


def check(path: Path, key: str = "") -> dict[str, Any]:
    """Read and check the whole file without touching the database; return its manifest."""
    return verify_file(path, key)


def _refuse_newer(manifest: dict[str, Any]) -> None:
    known = set(known_migrations())
    unknown = [name for name in manifest["migrations"] if name not in known]
    if unknown:
        raise BackupError(
            f"the backup comes from a newer schema (migration {unknown[-1]} is unknown to this portal, "
            f"version {portal_version()}; the backup was made by {manifest.get('portal_version')}): "
            "install that version or a later one, then restore"
        )


async def _migrate(migration_id: str = "all") -> None:
    # Piccolo prints its progress; the restore command reports on its own.
    with contextlib.redirect_stdout(io.StringIO()):
        result = await run_forwards(app_name="portal", migration_id=migration_id)
    if not result.success:
        raise BackupError(f"migration to {migration_id} failed: {result.message}")


async def restore(path: Path, key: str = "", force: bool = False) -> dict[str, Any]:
    """Replace the database's contents with the backup in ``path``; all or nothing. Returns the manifest."""
    from portal.db.engine import prepare_sqlite
    from portal.db.piccolo_conf import DB

    started = time.monotonic()
    manifest = await asyncio.to_thread(verify_file, path, key)  # a wrong key or a damaged file stops here
    _refuse_newer(manifest)
    await prepare_sqlite(DB)
    try:
        await _replace(DB, path, key, manifest, force)
    except BackupError:
        raise
    except Exception as exc:  # a database error mid-way: the transaction was rolled back
        raise BackupError(f"{exc.__class__.__name__}: {exc} (rolled back)") from exc
    manifest["seconds"] = round(time.monotonic() - started, 2)
    manifest["migrated_to"] = known_migrations()[-1]
    return manifest


async def _replace(DB: Any, path: Path, key: str, manifest: dict[str, Any], force: bool) -> None:
    options = {} if isinstance(DB, PostgresEngine) else {"transaction_type": TransactionType.exclusive}
    async with DB.transaction(**options) as transaction:
        connection = _Connection(DB, transaction)
        if not connection.postgres:
            # Foreign keys are checked at commit, so tables can be dropped and filled in any order.
            await connection.execute("PRAGMA defer_foreign_keys = ON")
        existing = await connection.tables()
        holding = [
            table
            for table in existing
            if table != MIGRATION_TABLE
            and table not in NOT_BACKED_UP
            and await connection.rows(f"SELECT 1 FROM {_quote(table)} LIMIT 1")
        ]
        if holding and not force:
            raise BackupError(
                f"the database is not empty ({len(holding)} tables hold rows, e.g. {', '.join(holding[:3])}): "
                "nothing was restored. `portal restore --force` DELETES EVERYTHING in it and puts the backup in its place"
            )
        await _drop(connection, existing)
        await _migrate(manifest["last_migration"])
        await _check_columns(connection, manifest)
        rebuild = await _set_aside(connection)
        await _load(connection, path, key)
        for statement in rebuild:
            await connection.execute(statement)
        if connection.postgres:
            await _move_sequences(connection)
        await _migrate("all")
        await _empty_rebuilt_tables(connection)
        if not connection.postgres:
            broken = await connection.rows("PRAGMA foreign_key_check")
            if broken:
                raise BackupError(
                    f"{len(broken)} rows refer to rows that are not in the backup (e.g. in {broken[0][0]})"
                )


async def _empty_rebuilt_tables(connection: _Connection) -> None:
    """Leave the tables the portal rebuilds empty, whatever a migration or an older backup put in them
    (an older backup's summaries would be read as fresh: their state row counted changes the restore
    never made), in the restore's transaction."""
    present = set(await connection.tables())
    for table in sorted(NOT_BACKED_UP & present):
        await connection.execute(f"DELETE FROM {_quote(table)}")


async def _drop(connection: _Connection, tables: list[str]) -> None:
    if not tables:
        return
    if connection.postgres:
        await connection.execute(f"DROP TABLE {', '.join(_quote(name) for name in tables)} CASCADE")
    else:
        # Children first: dropping a table deletes its rows, which must not leave a child pointing at nothing.
        for table in reversed(_dump_order(tables)):
            await connection.execute(f"DROP TABLE {_quote(table)}")


async def _check_columns(connection: _Connection, manifest: dict[str, Any]) -> None:
    """After migrating to the backup's level, every table and column of the backup must be there."""
    present = set(await connection.tables())
    for entry in manifest["tables"]:
        if entry["name"] not in present:
            raise BackupError(f"table {entry['name']} is in the backup but not in the schema at its migration")
        have = {name for name, _ in await connection.columns(entry["name"])}
        missing = [name for name, _ in entry["columns"] if name not in have]
        if missing:
            raise BackupError(
                f"table {entry['name']}: columns {', '.join(missing)} are not in the schema at its migration"
            )


async def _set_aside(connection: _Connection) -> list[str]:
    """Drop the indexes no constraint needs, and on PostgreSQL the foreign keys; return what rebuilds them.

    As pg_restore does: building an index over loaded rows, and checking a foreign key over a whole
    table at once, are several times faster than doing both row by row (the trigram indexes most
    of all). Primary keys and unique constraints stay. On SQLite foreign keys are deferred instead,
    and checked before the commit.
    """
    rebuild: list[str] = []
    if connection.postgres:
        foreign_keys = await connection.rows(
            "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c"
            " JOIN pg_namespace space ON space.oid = c.connamespace"
            " WHERE space.nspname = current_schema() AND c.contype = 'f'"
        )
        for table, name, definition in foreign_keys:
            await connection.execute(f"ALTER TABLE {table} DROP CONSTRAINT {_quote(name)}")
            rebuild.append(f"ALTER TABLE {table} ADD CONSTRAINT {_quote(name)} {definition}")
        indexes = await connection.rows(
            "SELECT index.relname, pg_get_indexdef(index.oid) FROM pg_index entry"
            " JOIN pg_class index ON index.oid = entry.indexrelid"
            " JOIN pg_class tab ON tab.oid = entry.indrelid"
            " JOIN pg_namespace space ON space.oid = tab.relnamespace"
            " WHERE space.nspname = current_schema()"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = entry.indexrelid)"
        )
    else:  # the indexes SQLite makes for constraints have no SQL of their own
        indexes = await connection.rows("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
    for name, definition in indexes:
        await connection.execute(f"DROP INDEX {_quote(name)}")
        rebuild.insert(0, definition)  # indexes first: the foreign keys' checks may use them
    return rebuild


async def _load(connection: _Connection, path: Path, key: str) -> None:
    # read_archive names the table before its rows.
    table, names = "", []
    with contextlib.closing(read_archive(path, key)) as events:
        for kind, value in events:
            if kind == "table":
                table, columns = value
                names = [name for name, _ in columns]
            elif kind == "rows" and table not in NOT_BACKED_UP:  # backups made before they were left out
                await connection.insert(table, names, value)


async def _move_sequences(connection: _Connection) -> None:
    """Each id sequence continues after the largest restored id, so the next insert cannot collide."""
    for table in await connection.tables():
        sequence = (await connection.rows("SELECT pg_get_serial_sequence($1, 'id')", _quote(table)))[0][0]
        if sequence:
            await connection.rows(
                f"SELECT setval($1, COALESCE((SELECT MAX(id) FROM {_quote(table)}), 0) + 1, false)", sequence
            )
