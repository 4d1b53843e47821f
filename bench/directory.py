"""Directory latency in-process: full page vs htmx fragment vs API, on the demo network.

Usage: .venv/bin/python bench/directory.py [--requests N]
Set PORTAL_BENCH_DATABASE_URL=postgresql://... to measure PostgreSQL instead of a fresh SQLite file.
Figures are medians of N sequential requests through the ASGI app (no network); compare them as
ratios within one run, since machines here are shared and noisy.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
_data_dir = tempfile.mkdtemp(prefix="portal-bench-")
os.environ.update(
    PORTAL_ENV="test",
    PORTAL_DATA_DIR=_data_dir,
    PORTAL_SECRET_KEY="bench-secret-key-0123456789abcdef0123",
    PORTAL_DATABASE_URL=os.environ.get("PORTAL_BENCH_DATABASE_URL", f"sqlite:///{_data_dir}/bench.sqlite3"),
)

import httpx

from portal.app import create_app
from portal.db.migrate import migrate_database
from portal.demo.loader import load_demo

CASES = {
    "directory page (full)": ("/organisations/?q=ptuj", {}),
    "search fragment (htmx)": ("/organisations/?q=ptuj", {"HX-Request": "true"}),
    "filtered page 2 (full)": ("/organisations/?country=SI&kind=ngo&page=2", {}),
    "API list, 20 per page": ("/api/v1/organisations?q=zadruga", {}),
    "organisation page": ("/organisations/1", {}),
}


async def main(requests: int) -> None:
    import logging

    logging.disable(logging.INFO)
    await migrate_database()
    await load_demo()
    from portal.db.engine import open_pool
    from portal.db.piccolo_conf import DB

    await open_pool(DB)  # as `portal serve` does at start-up
    app = create_app()
    medians = {}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
        for name, (path, headers) in CASES.items():
            await client.get(path, headers=headers)  # warm caches and templates
            timings = []
            for _ in range(requests):
                start = time.perf_counter()
                response = await client.get(path, headers=headers)
                timings.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, (path, response.status_code)
            medians[name] = statistics.median(timings)
    engine = os.environ["PORTAL_DATABASE_URL"].split(":", 1)[0]
    print(f"engine: {engine}; {requests} requests per case; median milliseconds per request")
    for name, value in medians.items():
        print(f"  {name:<26} {value:7.2f} ms")
    base = medians["directory page (full)"]
    print(f"  fragment / full page ratio: {medians['search fragment (htmx)'] / base:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    asyncio.run(main(parser.parse_args().requests))
