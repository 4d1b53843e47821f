"""`portal network import` killed with SIGKILL while it writes leaves nothing behind; run again, it finishes."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PORTAL = str(Path(sys.executable).parent / "portal")
sys.path.insert(0, str(ROOT / "bench"))
from network_import import write_pair  # noqa: E402 (the bench's generator of a large spreadsheet)


def _counts(database: Path) -> tuple[int, int]:
    with sqlite3.connect(database) as connection:
        return (
            connection.execute("SELECT count(*) FROM organisation").fetchone()[0],
            connection.execute("SELECT count(*) FROM relationship").fetchone()[0],
        )


def test_a_killed_import_leaves_nothing_and_a_second_run_adds_everything():
    work = Path(tempfile.mkdtemp(prefix="portal-import-kill-"))
    elements, connections = write_pair(work, 6000, 12000)
    database = work / "import.sqlite3"
    env = {
        **os.environ,
        "PORTAL_ENV": "test",
        "PORTAL_DATA_DIR": str(work),
        "PORTAL_DATABASE_URL": f"sqlite:///{database}",
        "PORTAL_NETWORK_RECOMPUTE": "manual",
    }
    env.pop("PICCOLO_CONF", None)
    subprocess.run([PORTAL, "migrate"], env=env, cwd=ROOT, check=True, capture_output=True)
    importing = subprocess.Popen(
        [PORTAL, "network", "import", f"{elements},{connections}"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    for line in importing.stderr:
        if line.startswith("organisations written"):  # the first batch is in the open transaction
            os.kill(importing.pid, signal.SIGKILL)
            break
        assert time.monotonic() < deadline, "the import never started writing"
    importing.wait(timeout=30)
    assert importing.returncode == -signal.SIGKILL
    assert _counts(database) == (0, 0)

    again = subprocess.run(
        [PORTAL, "network", "import", f"{elements},{connections}"], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert again.returncode == 1  # the generator's few bad rows are reported, the good ones stored
    organisations, relationships = _counts(database)
    assert organisations > 5900 and relationships > 11800
    assert f"organisations: {organisations} added" in again.stdout
