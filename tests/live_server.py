"""A real portal process on a free loopback port, with its own copy of a migrated demo database."""

from __future__ import annotations

import os
import shutil
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


# The migrated demo database, made once per test session: migrating and loading the demo took about
# half a minute for each of the four live portals a run starts.
_demo_template: list[Path] = []


def _copy_demo_database(env: dict[str, str]) -> None:
    """Put a migrated SQLite database with the demo data where ``env``'s PORTAL_DATABASE_URL names."""
    target = Path(env["PORTAL_DATABASE_URL"].removeprefix("sqlite:///"))
    if not _demo_template:
        folder = Path(tempfile.mkdtemp(prefix="portal-live-demo-"))
        template_env = {
            **env,
            "PORTAL_DATA_DIR": str(folder),
            "PORTAL_DATABASE_URL": f"sqlite:///{folder}/live.sqlite3",
        }
        for command in (["migrate"], ["demo"]):
            subprocess.run([PORTAL, *command], env=template_env, cwd=ROOT, check=True, capture_output=True)
        _demo_template.append(folder / "live.sqlite3")
    source = _demo_template[0]
    # The write-ahead log too, should the last process have left one unmerged.
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{source}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", f"{target}{suffix}")


@contextmanager
def running_portal(extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """Serve a fresh copy of the migrated demo database (with ``extra_env``); yield the base URL."""
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
    _copy_demo_database(env)
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
