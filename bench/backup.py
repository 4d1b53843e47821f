"""Time `portal backup` and `portal restore` on a loaded database, and the backup file's size.

Usage: .venv/bin/python bench/backup.py --database-url postgresql://postgres@127.0.0.1:5432/portal_scale
       [--scratch-url postgresql://…/portal_scale_bench_restore] [--sqlite] [--keep DIR]

The URL may also come from PORTAL_BENCH_DATABASE_URL (or be a sqlite:/// file); without either the
script says so and exits. It runs the real commands in processes of their own, as an operator
would (so each time includes about a second of start-up): a plain backup, an encrypted one
(PORTAL_BACKUP_KEY set), `portal restore --check` of the encrypted file, and a restore of it into a
scratch database — for PostgreSQL one on the same server named <database>_bench_restore (created,
and dropped at the end), for SQLite a file in a temporary folder; --sqlite also restores it into a
SQLite file (the move from PostgreSQL to SQLite). It checks that a backup of the restored database
holds the same rows as the first, and prints one line per step.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PORTAL = str(Path(sys.executable).parent / "portal")
KEY = "bench backup key: not a secret"


def run(url: str, data_dir: Path, *args: str, key: str = "") -> float:
    env = {**os.environ, "PORTAL_DATABASE_URL": url, "PORTAL_DATA_DIR": str(data_dir), "PORTAL_BACKUP_KEY": key}
    env.pop("PORTAL_ENV", None)
    started = time.perf_counter()
    result = subprocess.run([PORTAL, *args], env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if result.returncode:
        sys.exit(f"portal {' '.join(args)} failed: {result.stderr.strip()}")
    return seconds


async def recreate(url: str, drop_only: bool = False) -> None:
    import asyncpg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.endswith("_bench_restore"):
        sys.exit(f"the scratch database must be named *_bench_restore, not {name!r} (it is dropped)")
    connection = await asyncpg.connect(urlunsplit(parts._replace(path="/postgres")))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if not drop_only:
            await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


def rows_of(path: Path) -> dict[str, list]:
    from portal.backup.archive import read_archive

    found: dict[str, list] = {}
    table = ""
    for kind, value in read_archive(path, KEY):
        if kind == "table":
            table = value[0]
            found[table] = []
        elif kind == "rows":
            found[table] += value
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("PORTAL_BENCH_DATABASE_URL"))
    parser.add_argument("--scratch-url", help="PostgreSQL database to restore into (default <database>_bench_restore)")
    parser.add_argument("--sqlite", action="store_true", help="also restore into a SQLite file")
    parser.add_argument("--keep", type=Path, help="keep the backup files in this folder")
    args = parser.parse_args()
    if not args.database_url:
        print("bench/backup.py: no --database-url or PORTAL_BENCH_DATABASE_URL; skipped")
        return
    url = args.database_url
    postgres = url.startswith(("postgresql://", "postgres://"))
    with tempfile.TemporaryDirectory(prefix="portal-backup-bench-") as temporary:
        folder = args.keep or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        data_dir = Path(temporary)
        plain, encrypted, again = folder / "plain.backup", folder / "encrypted.backup", folder / "again.backup"

        seconds = run(url, data_dir, "backup", str(plain))
        print(f"backup (plain)       {seconds:6.1f} s  {plain.stat().st_size / 1e6:7.1f} MB")
        seconds = run(url, data_dir, "backup", str(encrypted), key=KEY)
        print(f"backup (encrypted)   {seconds:6.1f} s  {encrypted.stat().st_size / 1e6:7.1f} MB")
        first = rows_of(encrypted)
        print(f"                     {sum(map(len, first.values())):,} rows in {len(first)} tables")
        seconds = run(url, data_dir, "restore", "--check", str(encrypted), key=KEY)
        print(f"restore --check      {seconds:6.1f} s")

        targets = []
        if postgres:
            parts = urlsplit(url)
            targets.append(args.scratch_url or urlunsplit(parts._replace(path=parts.path + "_bench_restore")))
        if args.sqlite or not postgres:
            targets.append(f"sqlite:///{data_dir / 'restored.sqlite3'}")
        for target in targets:
            if target.startswith("postgres"):
                asyncio.run(recreate(target))
            try:
                seconds = run(target, data_dir, "restore", str(encrypted), key=KEY)
                engine = "PostgreSQL" if target.startswith("postgres") else "SQLite"
                print(f"restore into {engine:<10} {seconds:4.1f} s", end="")
                run(target, data_dir, "backup", str(again), key=KEY)
                same = rows_of(again) == first
                print(f"  (a backup of it holds the same rows: {'yes' if same else 'NO'})")
                if not same:
                    sys.exit(1)
            finally:
                if target.startswith("postgres"):
                    asyncio.run(recreate(target, drop_only=True))


if __name__ == "__main__":
    main()
