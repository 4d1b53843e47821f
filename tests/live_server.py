"""A real portal process on a free loopback port, with its own migrated demo database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
PORTAL = str(Path(sys.executable).parent / "portal")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_portal(extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """Migrate a fresh SQLite file, load the demo data, serve it (with ``extra_env``); yield the base URL."""
    data_dir = tempfile.mkdtemp(prefix="portal-live-")
    port = _free_port()
    env = {
        **os.environ,
        "PORTAL_ENV": "test",
        "PORTAL_DATA_DIR": data_dir,
        "PORTAL_DATABASE_URL": f"sqlite:///{data_dir}/live.sqlite3",
        "PORTAL_SECRET_KEY": "live-server-secret-key-0123456789abcdef",
        "PORTAL_PUBLIC_URL": f"http://127.0.0.1:{port}",
        **(extra_env or {}),
    }
    env.pop("PICCOLO_CONF", None)
    for command in (["migrate"], ["demo"]):
        subprocess.run([PORTAL, *command], env=env, cwd=ROOT, check=True, capture_output=True)
    log = open(Path(data_dir) / "server.log", "w")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [PORTAL, "serve", "--host", "127.0.0.1", "--port", str(port)], env=env, cwd=ROOT, stdout=log, stderr=log
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base_url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"portal did not start; see {data_dir}/server.log")
            time.sleep(0.2)
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
