"""The map's markers and the directory downloads against a country-sized database (bench/scale_data.py).

Usage: PORTAL_BENCH_DATABASE_URL=postgresql://... .venv/bin/python bench/map_downloads.py [--requests N]
Prints, per case, the median time of N sequential requests through the ASGI app (no network) and
the size of the answer: the map's JSON must stay small however many organisations match, and the
downloads must not hold a table in memory (the peak resident size is printed at the end). Then, as
the demo coordinator, each export built by a job (HSDS, the network's files): how long the request
that asks for it takes, how long until its page shows the link (the job runs as a task of this
process, PORTAL_JOBS=background), and the download of the stored file.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
_data_dir = tempfile.mkdtemp(prefix="portal-bench-")
if not os.environ.get("PORTAL_BENCH_DATABASE_URL"):
    sys.exit("set PORTAL_BENCH_DATABASE_URL to a database loaded by bench/scale_data.py")
os.environ.update(
    PORTAL_ENV="test",
    PORTAL_DATA_DIR=_data_dir,
    PORTAL_SECRET_KEY="bench-secret-key-0123456789abcdef0123",
    PORTAL_DATABASE_URL=os.environ["PORTAL_BENCH_DATABASE_URL"],
    PORTAL_JOBS="background",  # asking for an export returns at once; its job runs as a task here
)

import httpx

from portal.app import create_app

CASES = {
    "map points, both countries": "/map/points?bbox=13.3,42.3,19.5,46.9",
    "map points, one town (zoomed in)": "/map/points?bbox=15.84,46.40,15.90,46.44",
    "map points, NGOs in Podravska": "/map/points?bbox=13.3,42.3,19.5,46.9&kind=ngo&region=Podravska",
    "map page (lists)": "/map/",
    "directory CSV, all organisations": "/organisations/export?format=csv",
    "directory XLSX, all organisations": "/organisations/export?format=xlsx",
}
EXPORTS = (("hsds", "zip"), ("network", "graphml"), ("network", "xlsx"))


async def main(requests: int, only_exports: bool) -> None:
    from portal.db.engine import close_pool, open_pool
    from portal.db.piccolo_conf import DB

    await open_pool(DB)
    transport = httpx.ASGITransport(app=create_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=600) as client:
        for name, path in () if only_exports else CASES.items():
            times, size = [], 0
            for _ in range(1 if "HSDS" in name or "XLSX" in name else requests):
                started = time.perf_counter()
                response = await client.get(path)
                times.append(time.perf_counter() - started)
                assert response.status_code == 200, (path, response.status_code)
                size = len(response.content)
            print(f"{name:38} {statistics.median(times) * 1000:9.0f} ms  {size / 1024:9.0f} KB")
        await exports(client)
    await close_pool(DB)
    print(f"peak resident memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


async def exports(client: httpx.AsyncClient) -> None:
    def token(html: str) -> str:
        return re.search(r'name="_csrf_token" value="([^"]+)"', html).group(1)

    login = await client.post(
        "/login",
        data={"username": "coordinator", "password": "demo", "_csrf_token": token((await client.get("/login")).text)},
    )
    assert login.status_code == 303, login.status_code
    for kind, format_ in EXPORTS:
        started = time.perf_counter()
        form = {"kind": kind, "format": format_, "_csrf_token": token((await client.get("/exports/")).text)}
        asked = await client.post("/exports", data=form)
        ask_ms = (time.perf_counter() - started) * 1000
        assert asked.status_code == 303, asked.status_code
        page = asked.headers["location"]
        while "Being built" in (shown := (await client.get(page)).text):
            await asyncio.sleep(0.1)
        if "/download" not in shown:
            failed = re.search(r'role="alert">([^<]*)<', shown)
            print(
                f"export {kind} {format_}: failed after {(time.perf_counter() - started):.1f} s: {failed and failed[1]}"
            )
            continue
        ready_ms = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        download = await client.get(f"{page}/download")
        assert download.status_code == 200, download.status_code
        name = f"export {kind} {format_}"
        print(
            f"{name:24} ask {ask_ms:6.0f} ms, link after {ready_ms:7.0f} ms, "
            f"download {(time.perf_counter() - started) * 1000:6.0f} ms  {len(download.content) / 1024:9.0f} KB"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=5)
    parser.add_argument("--only-exports", action="store_true", help="only the exports built by a job")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.requests, arguments.only_exports))
