"""A web worker starts without what only a rare download or a job needs, and hands freed memory back while it serves."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_app_starts_without_the_pdf_and_spreadsheet_libraries_the_migration_tooling_or_scikit_learn():
    # black and piccolo.conf.apps: only migrations need them; scikit-learn (some 40 MB): only
    # training and evaluating weights (matching.learning, matching.evaluation), in a job.
    rare = ("fpdf", "openpyxl", "piccolo.conf.apps", "black", "sklearn")
    script = (
        "import sys; import portal.cli; from portal.app import create_app; create_app(); "
        f"print(sorted(m for m in sys.modules if m in {rare!r}))"
    )
    env = {**os.environ, "PORTAL_DATA_DIR": tempfile.mkdtemp(prefix="portal-start-"), "PORTAL_ENV": "test"}
    env.pop("PICCOLO_CONF", None)
    found = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert found.stdout.strip() == "[]", found.stderr


async def test_free_memory_is_released_now_and_then_until_stopped(monkeypatch):
    import asyncio

    from portal import memory

    released: list[int] = []
    monkeypatch.setattr(memory, "release_free_memory", lambda: released.append(1) or True)
    releasing = memory.PeriodicRelease(every=0.01)
    releasing.start()
    running = releasing._task
    releasing.start()
    assert releasing._task is running  # once started, starting again adds no second loop
    for _ in range(200):
        if len(released) >= 3:
            break
        await asyncio.sleep(0.01)
    await releasing.stop()
    count = len(released)
    assert count >= 3
    await asyncio.sleep(0.05)
    assert len(released) == count  # stopped: no more releases
