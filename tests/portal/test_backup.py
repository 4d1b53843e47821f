"""`portal backup` and `portal restore`: round trips on both engines, refusals, and all-or-nothing restores."""

from __future__ import annotations

import asyncio
import contextvars
import dataclasses
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from piccolo.columns import column_types as ct
from piccolo.engine.postgres import PostgresEngine

from portal.backup import service
from portal.backup.archive import BackupError, read_archive
from portal.db.piccolo_app import APP_CONFIG
from portal.db.tables import Organisation, Participant
from portal.demo.loader import load_demo

KEY = "correct horse battery staple"
TABLES = APP_CONFIG.table_classes
OLDER_MIGRATION = "2026-11-23T19:25:00:000000"  # before participant.skill_terms (added, then filled)


def _sample(column: Any, n: int, nulls: bool) -> Any:
    """A value that tests the round trip: microseconds and a leap day, 0.1 + 0.2, quotes, newlines, emoji."""
    if nulls and column._meta.null:
        return None
    if isinstance(column, ct.Boolean):
        return n % 2 == 1
    if isinstance(column, ct.Timestamptz):
        return dt.datetime(2024, 2, 29, 23, 59, 58, 123456 + n, tzinfo=dt.UTC)
    if isinstance(column, ct.Date):
        return dt.date(2024, 2, 29) + dt.timedelta(days=n)
    if isinstance(column, ct.DoublePrecision):
        return 0.1 + 0.2 + n
    if isinstance(column, ct.Integer):
        return 2**31 - 1 - n
    if isinstance(column, ct.Varchar):
        return f"{n}ščž✓ \"q\" 'a'"[: column.length]
    if isinstance(column, ct.Bytea):
        return bytes(range(256)) * 2 + bytes([n % 256])
    if isinstance(column, ct.Text):
        return f'Šđ "json": {{"a": [1, 2]}}\\ \n\t✓ 😀 {n}'
    raise AssertionError(f"no sample for {column}")


async def _fill_every_table(numbers: range = range(2)) -> None:
    """Rows in every table: one with values in every column, one with NULL wherever allowed.

    Each row refers to the newest row of its parents (filled just before it), so rows stay distinct
    under unique constraints that span foreign keys.
    """
    for n in numbers:
        for table in service.sort_table_classes(TABLES):
            values = {}
            for column in table._meta.non_default_columns:
                if isinstance(column, ct.ForeignKey):
                    parent = column._foreign_key_meta.resolved_references
                    values[column] = (await parent.select(parent.id).order_by(parent.id, ascending=False).first())["id"]
                else:
                    values[column] = _sample(column, n + 1000 * len(values), nulls=n % 2 == 1)
            await table.insert(table(**{column._meta.name: value for column, value in values.items()}))


async def _schema() -> tuple[list[Any], list[Any]]:
    """Every index and foreign key, as the database describes them (a restore rebuilds them after the load)."""
    from portal.db.piccolo_conf import DB

    if isinstance(DB, PostgresEngine):
        indexes = await Organisation.raw("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'")
        keys = await Organisation.raw(
            "SELECT conrelid::regclass::text AS t, conname, pg_get_constraintdef(oid) AS d FROM pg_constraint"
            " WHERE contype = 'f'"
        )
    else:
        indexes = await Organisation.raw("SELECT name, sql FROM sqlite_master WHERE type = 'index'")
        keys = []
        for table in TABLES:
            keys += await Organisation.raw(f"PRAGMA foreign_key_list({table._meta.tablename})")
    return sorted(map(str, indexes)), sorted(map(str, keys))


async def _snapshot() -> dict[str, list[dict[str, Any]]]:
    return {table._meta.tablename: await table.select().order_by(table.id) for table in TABLES}


def _kept(snapshot: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """The tables a backup holds (not those the portal rebuilds: summaries, export files)."""
    return {name: rows for name, rows in snapshot.items() if name not in service.NOT_BACKED_UP}


def _rows(path: Path, key: str = "") -> dict[str, list[list[Any]]]:
    found: dict[str, list[list[Any]]] = {}
    table = ""
    for kind, value in read_archive(path, key):
        if kind == "table":
            table = value[0]
            found[table] = []
        elif kind == "rows":
            found[table] += value
    return found


def _damaged(path: Path, tmp_path: Path, name: str, change: Any) -> Path:
    data = bytearray(path.read_bytes())
    change(data)
    copy = tmp_path / name
    copy.write_bytes(bytes(data))
    return copy


async def test_a_populated_database_round_trips_exactly_and_restores_all_or_nothing(db, tmp_path, monkeypatch):
    """The demo network plus tricky values in every table: backup, change, restore, compare row by row."""
    await load_demo()
    await _fill_every_table()
    before, schema = await _snapshot(), await _schema()
    assert all(before.values()), [name for name, rows in before.items() if not rows]
    path = tmp_path / "portal.backup"
    manifest = await service.backup(path, KEY, batch=500)  # small batches: many keyset pages
    assert manifest["row_counts"] == {name: len(rows) for name, rows in _kept(before).items()}
    assert service.NOT_BACKED_UP and not service.NOT_BACKED_UP & set(_rows(path, KEY))
    assert manifest["last_migration"] == service.known_migrations()[-1] and manifest["encrypted"]
    assert oct(path.stat().st_mode & 0o777) == "0o600" and not path.with_name("portal.backup.partial").exists()

    # The database changes after the backup; a restore without --force refuses and changes nothing.
    await Organisation.update({Organisation.name: "changed after the backup"}, force=True)
    await Participant.delete().where(Participant.id == before["participant"][0]["id"])
    changed = await _snapshot()
    with pytest.raises(BackupError, match="not empty.*--force"):
        await service.restore(path, KEY)
    assert await _snapshot() == changed

    # Damaged, cut short, wrong key, no key: refused before anything is touched.
    middle = len(path.read_bytes()) // 2
    flipped = _damaged(path, tmp_path, "flipped", lambda data: data.__setitem__(middle, data[middle] ^ 1))
    cut = _damaged(path, tmp_path, "cut", lambda data: data.__delitem__(slice(-100, None)))
    for bad, key, message in [
        (flipped, KEY, "damaged or was altered"),
        (cut, KEY, "cut short"),
        (path, "not the key", "wrong backup key"),
        (path, "", "encrypted: set PORTAL_BACKUP_KEY"),
    ]:
        with pytest.raises(BackupError, match=message):
            await service.restore(bad, key, force=True)
        assert await _snapshot() == changed

    # A failure half-way through loading rolls back everything, the dropped tables included.
    original_insert, calls = service._Connection.insert, []

    async def failing_insert(self, table, columns, rows):
        calls.append(table)
        if len(calls) == 3:
            raise OSError("disk full")
        await original_insert(self, table, columns, rows)

    monkeypatch.setattr(service._Connection, "insert", failing_insert)
    with pytest.raises(BackupError, match="disk full.*rolled back"):
        await service.restore(path, KEY, force=True)
    assert await _snapshot() == changed
    monkeypatch.undo()

    restored = await service.restore(path, KEY, force=True)
    assert restored["migrated_to"] == manifest["last_migration"]
    after = await _snapshot()
    for name in before:
        # The summaries and their state row (which the restore's own inserts would have marked stale, or
        # not) are gone: the indicators compute live until the summary job rebuilds them.
        assert after[name] == ([] if name in service.NOT_BACKED_UP else before[name]), name
    assert await _schema() == schema and len(schema[0]) > 50 and len(schema[1]) > 40
    with pytest.raises(Exception, match="(?i)foreign key"):  # the rebuilt foreign keys hold
        await Participant.update({Participant.organisation: 2**31 - 1}, force=True)

    # Every id sequence continues after the restored rows: new rows in every table get new ids.
    await _fill_every_table(range(2, 3))
    for table in TABLES:
        ids = [row["id"] for row in await table.select(table.id)]
        kept = _kept(before).get(table._meta.tablename, [])
        assert len(ids) == len(set(ids)) == len(kept) + 1
        assert not kept or max(ids) > max(row["id"] for row in kept)


async def test_backup_reads_one_snapshot_while_the_portal_writes(db, tmp_path, monkeypatch, make_org):
    for n in range(5):
        await make_org(name=f"Before {n}")
    original, written = service._dump_table, []

    async def dump_then_write(connection, writer, table, columns, batch):
        count = await original(connection, writer, table, columns, batch)
        if not written:
            # Another request, on its own connection (outside the backup's transaction), adds an organisation.
            task = asyncio.get_running_loop().create_task(make_org(name="During"), context=contextvars.Context())
            written.append(await task)
        return count

    monkeypatch.setattr(service, "_dump_table", dump_then_write)
    manifest = await service.backup(tmp_path / "b", batch=2)
    assert written and await Organisation.count() == 6
    assert manifest["row_counts"]["organisation"] == 5
    assert "During" not in str(_rows(tmp_path / "b")["organisation"])


async def test_a_restore_leaves_the_rebuilt_tables_empty_even_from_a_backup_that_holds_them(db, tmp_path, monkeypatch):
    """A backup made before those tables were left out still holds summaries: a restore must not load them
    (their state row would let the page read summaries the restored histories never produced)."""
    from portal.indicators import monthly

    await load_demo()
    await monthly.refresh()
    assert await monthly.fresh_boundary() is not None
    monkeypatch.setattr(service, "NOT_BACKED_UP", frozenset())
    path = tmp_path / "older.backup"
    manifest = await service.backup(path)
    assert manifest["row_counts"]["indicator_summary_state"] == 1
    monkeypatch.undo()
    await service.restore(path, force=True)
    assert await monthly.state() is None and await monthly.fresh_boundary() is None
    for table in TABLES:
        if table._meta.tablename in service.NOT_BACKED_UP:
            assert await table.count() == 0, table._meta.tablename
    assert await Participant.count() > 0


async def test_a_backup_from_a_newer_schema_is_refused(db, tmp_path, monkeypatch, make_org):
    await make_org()
    path = tmp_path / "b"
    await service.backup(path)
    before = await _snapshot()
    await Organisation.delete(force=True)
    known = service.known_migrations()
    monkeypatch.setattr(service, "known_migrations", lambda: known[:-1])
    with pytest.raises(BackupError, match="newer schema"):
        await service.restore(path)
    assert await Organisation.count() == 0
    monkeypatch.undo()
    await service.restore(path)
    assert await _snapshot() == before


async def _rebuild(migration_id: str = "all") -> None:
    """Drop every table and migrate an empty schema up to ``migration_id``."""
    from portal.db.piccolo_conf import DB

    async with DB.transaction() as transaction:
        connection = service._Connection(DB, transaction)
        if not connection.postgres:
            await connection.execute("PRAGMA defer_foreign_keys = ON")
        await service._drop(connection, await connection.tables())
        await service._migrate(migration_id)


async def test_a_backup_from_an_older_schema_is_restored_at_its_level_then_migrated(db, tmp_path):
    from portal.skills.entries import skill_terms

    skills = '[{"uri": "", "label": "Šivanje oblačil"}, {"uri": "", "label": "Cooking"}]'
    try:
        await _rebuild(OLDER_MIGRATION)
        await Organisation.raw("INSERT INTO organisation (name, slug) VALUES ('Old', 'old')")
        await Organisation.raw(
            "INSERT INTO portal_user (username, organisation) SELECT 'old-user', id FROM organisation"
        )
        await Organisation.raw(
            "INSERT INTO participant (code, organisation, lead_counsellor, skills)"
            " SELECT 'P-OLD', organisation, id, {} FROM portal_user",
            skills,
        )
        path = tmp_path / "old.backup"
        manifest = await service.backup(path)
        assert manifest["last_migration"] == OLDER_MIGRATION
        assert "skill_terms" not in str(manifest["tables"])
    finally:
        await _rebuild()
    await service.restore(path)
    row = await Participant.select(Participant.code, Participant.skill_terms).order_by(Participant.id).first()
    assert row == {"code": "P-OLD", "skill_terms": skill_terms(skills)} and row["skill_terms"]
    from piccolo.apps.migrations.tables import Migration

    assert sorted(await Migration.get_migrations_which_ran("portal")) == service.known_migrations()


def _portal(tmp_path: Path, database_url: str, *args: str) -> str:
    """Run the `portal` command in a process of its own, against ``database_url``."""
    env = {
        **os.environ,
        "PORTAL_DATABASE_URL": database_url,
        "PORTAL_DATA_DIR": str(tmp_path),
        "PORTAL_BACKUP_KEY": KEY,
    }
    result = subprocess.run(
        [str(Path(sys.executable).parent / "portal"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


async def test_a_backup_moves_between_engines_unchanged(db, tmp_path, make_user):
    """This engine -> a fresh SQLite file -> back: the rows are the same, and so is the database."""
    await make_user("ana", "counsellor")
    await _fill_every_table()
    before = await _snapshot()
    first, second = tmp_path / "first.backup", tmp_path / "second.backup"
    await service.backup(first, KEY)
    other = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    output = await asyncio.to_thread(_portal, tmp_path, other, "restore", str(first))
    assert "restored" in output and "encrypted" in output
    await asyncio.to_thread(_portal, tmp_path, other, "backup", str(second))
    assert _rows(second, KEY) == _rows(first, KEY)
    await Organisation.update({Organisation.name: "changed"}, force=True)
    await service.restore(second, KEY, force=True)
    assert _kept(await _snapshot()) == _kept(before)


def test_the_commands_back_up_check_and_restore(command_db, tmp_path, monkeypatch):
    # A sync test: the commands run their own event loop, as they do from the shell.
    from portal.cli import main
    from portal.organisations import services
    from portal.settings import get_settings
    from tests.fixtures import ORG_DEFAULTS

    asyncio.run(services.create_organisation(dict(ORG_DEFAULTS)))
    settings = get_settings()
    monkeypatch.setattr("portal.cli.get_settings", lambda: settings)
    runner = CliRunner()
    path = tmp_path / "cli.backup"
    result = runner.invoke(main, ["backup", str(path)])
    assert result.exit_code == 0 and "NOT encrypted" in result.output, result.output
    result = runner.invoke(main, ["restore", "--check", str(path)])
    assert result.exit_code == 0 and "backup is sound" in result.output
    result = runner.invoke(main, ["restore", str(path)])
    assert result.exit_code == 1 and "not empty" in result.output and "nothing was changed" in result.output
    monkeypatch.setattr("portal.cli.get_settings", lambda: dataclasses.replace(settings, backup_key=KEY))
    result = runner.invoke(main, ["restore", "--force", str(path)])
    assert result.exit_code == 0 and "EVERY ROW" in result.output and "restored" in result.output, result.output
    encrypted = tmp_path / "encrypted.backup"
    assert runner.invoke(main, ["backup", str(encrypted)]).exit_code == 0
    monkeypatch.setattr("portal.cli.get_settings", lambda: dataclasses.replace(settings, backup_key="wrong"))
    result = runner.invoke(main, ["restore", "--force", str(encrypted)])
    assert result.exit_code == 1 and "wrong backup key" in result.output
    assert Organisation.count().run_sync() == 1


async def test_pages_shrink_for_big_rows_and_grow_for_small_ones(db, tmp_path, monkeypatch, make_org):
    for n in range(40):
        await make_org(name=f"Organisation {n}", description="x" * (5000 if n < 20 else 10))
    limits: list[int] = []
    original = service._Connection.rows

    async def spy(self, sql, *args):
        if 'FROM "organisation"' in sql:
            limits.append(int(sql.rsplit("LIMIT ", 1)[1]))
        return await original(self, sql, *args)

    monkeypatch.setattr(service._Connection, "rows", spy)
    monkeypatch.setattr(service, "PAGE_BYTES", 12_000)
    manifest = await service.backup(tmp_path / "b", batch=8)
    assert manifest["row_counts"]["organisation"] == 40
    assert [row[0] for row in _rows(tmp_path / "b")["organisation"]] == sorted(
        row["id"] for row in await Organisation.select(Organisation.id)
    )
    assert limits[0] == 8 and min(limits) == 1 and limits[-1] > 1, limits


def test_encryption_spans_chunks_and_notices_every_tampering():
    """Several 1 MiB chunks: read back whole; a wrong key, swapped, dropped or cut chunks all fail."""
    import io
    import struct

    from portal.backup.crypto import CHUNK, MAGIC, CryptoError, DecryptingReader, EncryptingWriter

    plain = os.urandom(CHUNK // 2) * 7  # 3.5 chunks
    sink = io.BytesIO()
    writer = EncryptingWriter(sink, KEY)
    for start in range(0, len(plain), 100_000):
        writer.write(plain[start : start + 100_000])
    writer.close()
    sealed = sink.getvalue()
    assert plain[:1000] not in sealed
    assert DecryptingReader(io.BytesIO(sealed), KEY).read() == plain
    reader = DecryptingReader(io.BytesIO(sealed), KEY)
    assert b"".join(iter(lambda: reader.read(65536), b"")) == plain

    header = len(MAGIC) + 3 + 16 + 7 + 32
    chunks, at = [], header
    while at < len(sealed):
        length = struct.unpack(">BI", sealed[at : at + 5])[1]
        chunks.append(sealed[at : at + 5 + length])
        at += 5 + length
    assert len(chunks) == 4
    swapped = sealed[:header] + chunks[1] + chunks[0] + b"".join(chunks[2:])
    dropped = sealed[:header] + b"".join(chunks[:-1])
    for bad, message in [
        (swapped, "damaged or was altered"),
        (dropped, "cut short"),
        (sealed + b"x", "data after its final chunk"),
        (sealed[:-10], "cut short"),
    ]:
        with pytest.raises(CryptoError, match=message):
            DecryptingReader(io.BytesIO(bad), KEY).read()
    with pytest.raises(CryptoError, match="wrong backup key"):
        DecryptingReader(io.BytesIO(sealed), KEY + "!")
