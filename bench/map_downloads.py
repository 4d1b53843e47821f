"""The map's markers and the directory downloads against a country-sized database (bench/scale_data.py).

Usage: PORTAL_BENCH_DATABASE_URL=postgresql://... .venv/bin/python bench/map_downloads.py [--requests N]
Prints, per case, the median time of N sequential requests through the ASGI app (no network) and
the size of the answer: the map's JSON must stay small however many organisations match, and the
downloads must not hold a table in memory (the peak resident size is printed at the end).
"""

from __future__ import annotations

import argparse
import asyncio
import os
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
)

import httpx  # noqa: E402 (the environment above must be set first)

from portal.app import create_app  # noqa: E402

CASES = {
    "map points, both countries": "/map/points?bbox=13.3,42.3,19.5,46.9",
    "map points, one town (zoomed in)": "/map/points?bbox=15.84,46.40,15.90,46.44",
    "map points, NGOs in Podravska": "/map/points?bbox=13.3,42.3,19.5,46.9&kind=ngo&region=Podravska",
    "map page (lists)": "/map/",
    "directory CSV, all organisations": "/organisations/export?format=csv",
    "directory XLSX, all organisations": "/organisations/export?format=xlsx",
    "HSDS ZIP (first build)": "/organisations/export.hsds.zip",
}


async def main(requests: int) -> None:
    from portal.db.engine import close_pool, open_pool
    from portal.db.piccolo_conf import DB

    await open_pool(DB)
    transport = httpx.ASGITransport(app=create_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=600) as client:
        for name, path in CASES.items():
            times, size = [], 0
            for _ in range(1 if "HSDS" in name or "XLSX" in name else requests):
                started = time.perf_counter()
                response = await client.get(path)
                times.append(time.perf_counter() - started)
                assert response.status_code == 200, (path, response.status_code)
                size = len(response.content)
            print(f"{name:38} {statistics.median(times) * 1000:9.0f} ms  {size / 1024:9.0f} KB")
    await close_pool(DB)
    print(f"peak resident memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=5)
    asyncio.run(main(parser.parse_args().requests))
