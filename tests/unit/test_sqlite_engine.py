"""The SQLite engine keeps a few connections open and reuses them, in order and after errors."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from portal.db.engine import ReusingSQLiteEngine


@pytest.fixture
def engine(tmp_path):
    return ReusingSQLiteEngine(path=str(tmp_path / "reuse.sqlite3"), connections=2)


async def test_statements_share_a_few_connections_and_survive_a_failed_one(engine, monkeypatch):
    opened = []
    connect = ReusingSQLiteEngine.get_connection

    async def counted(self):
        opened.append(1)
        return await connect(self)

    monkeypatch.setattr(ReusingSQLiteEngine, "get_connection", counted)
    await engine._run_in_new_connection("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)")

    async def insert(n: int) -> None:
        await engine._run_in_new_connection("INSERT INTO t (v) VALUES (?)", [f"v{n}"])

    await asyncio.gather(*(insert(n) for n in range(50)))
    with pytest.raises(sqlite3.IntegrityError):
        await insert(0)  # a duplicate: refused, and the connection goes on serving
    rows = await engine._run_in_new_connection("SELECT count(*) AS n FROM t")
    assert rows == [{"n": 50}]
    assert len(opened) <= 2  # 52 statements, at most two connections
    await engine.close_connections()


async def test_each_statement_commits_by_itself(engine, tmp_path):
    await engine._run_in_new_connection("CREATE TABLE t (v TEXT)")
    await engine._run_in_new_connection("INSERT INTO t VALUES ('kept')")
    other = sqlite3.connect(tmp_path / "reuse.sqlite3")  # another process's view
    assert other.execute("SELECT v FROM t").fetchall() == [("kept",)]
    other.close()
    await engine.close_connections()
