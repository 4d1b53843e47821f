"""Where a worker's memory goes once it has loaded the latest network snapshot and shown its pages.

Usage: .venv/bin/python bench/network_memory.py --database-url postgresql://postgres@127.0.0.1:5432/portal_scale
       [--requests 5] [--breakdown] [--tracemalloc]

In one process, through the ASGI app (httpx.ASGITransport, no server), the demo coordinator asks
the network page, an organisation's place in the network (the most tied one: its neighbourhood),
its side panel, the graph API focused on it and the chain between it and another organisation;
after each the process's resident memory (RSS) is printed, and the growth since the app started.
Then each case is asked --requests times more and the p50 latency is printed. --breakdown adds the
size of what the cached snapshot holds (every object reachable from each of its parts, counted
once, in the order listed); --tracemalloc the lines that allocated most of what is still held
(slow: several times the load time). The database must hold a finished snapshot (bench/scale_data.py
computes one); nothing is written but a login session.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def deep_sizes(roots: list[tuple[str, object]]) -> list[tuple[str, int, int]]:
    """(name, bytes, objects) reachable from each root and not from an earlier one; modules, types and functions are not followed."""
    import types

    seen: set[int] = set()
    stop = (types.ModuleType, type, types.FunctionType, types.BuiltinFunctionType, types.MethodType)
    result = []
    for name, root in roots:
        size = count = 0
        stack = [root]
        while stack:
            obj = stack.pop()
            if id(obj) in seen or isinstance(obj, stop):
                continue
            seen.add(id(obj))
            size += sys.getsizeof(obj)
            count += 1
            stack.extend(gc.get_referents(obj))
        result.append((name, size, count))
    return result


async def login(client, username: str, password: str) -> None:
    page = await client.get("/login")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
    answer = await client.post("/login", data={"username": username, "password": password, "_csrf_token": token})
    assert answer.status_code == 303, (answer.status_code, answer.text[:300])


async def main(args: argparse.Namespace) -> None:
    import logging

    import httpx

    if args.tracemalloc:
        import tracemalloc

        tracemalloc.start(8)
    logging.disable(logging.INFO)
    from portal.app import create_app
    from portal.network import services

    app = create_app()
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://bench", timeout=600
    ) as client:
        await login(client, args.user, args.password)
        gc.collect()
        start_rss = rss_mb()
        print(f"after start and login: RSS {start_rss:.0f} MB")
        cases: list[tuple[str, str, dict[str, str]]] = [("network page (full)", "/network/", {})]
        timings: dict[str, list[float]] = {}

        async def ask(name: str, path: str, headers: dict[str, str]) -> None:
            begun = time.perf_counter()
            answer = await client.get(path, headers=headers)
            took = (time.perf_counter() - begun) * 1000
            assert answer.status_code == 200, (path, answer.status_code, answer.text[:300])
            timings.setdefault(name, []).append(took)

        name, path, headers = cases[0]
        await ask(name, path, headers)
        print(f"{name}: first {timings[name][0]:.0f} ms; RSS {rss_mb():.0f} MB (+{rss_mb() - start_rss:.0f})")
        snapshot = services._cache["latest"]
        assert snapshot is not None, "no finished network snapshot in this database"
        hub = max(snapshot.rows.values(), key=lambda row: row["degree"])["id"]
        other = min(snapshot.rows.values(), key=lambda row: (row["betweenness"] > 0, -row["degree"]))["id"]
        htmx = {"HX-Request": "true"}
        cases += [
            ("organisation's place (full)", f"/network/organisations/{hub}", {}),
            ("panel (htmx)", f"/network/panel/{hub}", htmx),
            ("graph API, focus, depth 2", f"/api/v1/network/graph?focus={hub}&depth=2", {}),
            ("graph API, no filter", "/api/v1/network/graph", {}),
            ("path API", f"/api/v1/network/path?source={hub}&target={other}", {}),
            ("suggestions API for the hub", f"/api/v1/network/suggestions?organisation_id={hub}", {}),
        ]
        for name, path, headers in cases[1:]:
            await ask(name, path, headers)
            print(f"{name}: first {timings[name][0]:.0f} ms; RSS {rss_mb():.0f} MB (+{rss_mb() - start_rss:.0f})")
        gc.collect()
        print(f"after gc.collect(): RSS {rss_mb():.0f} MB (+{rss_mb() - start_rss:.0f})")
        for _ in range(args.requests):
            for name, path, headers in cases:
                await ask(name, path, headers)
        print(f"after {args.requests} more rounds: RSS {rss_mb():.0f} MB (+{rss_mb() - start_rss:.0f})")
        print(f"p50 of {args.requests} requests (ms):")
        for name, *_ in cases:
            print(f"  {name:<40} {statistics.median(timings[name][1:]):8.1f}")
        if args.breakdown:
            roots = [(field, getattr(snapshot, field)) for field in vars(snapshot) if not field.startswith("_memo")]
            roots += [(f"memo {key!r}"[:70], value) for key, value in snapshot._memo.items()]
            print("what the snapshot holds (MB, objects):")
            for name, size, count in deep_sizes(roots):
                print(f"  {name:<70} {size / 2**20:8.1f} {count:>10,}")
        if args.tracemalloc:
            import tracemalloc

            current, peak = tracemalloc.get_traced_memory()
            print(f"tracemalloc: {current / 2**20:.0f} MB held, peak {peak / 2**20:.0f} MB; most held by line:")
            for stat in tracemalloc.take_snapshot().statistics("lineno")[:25]:
                print(f"  {stat.size / 2**20:8.1f} MB {stat.count:>9,}  {stat.traceback[0]}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("PORTAL_BENCH_DATABASE_URL"))
    parser.add_argument("--requests", type=int, default=5)
    parser.add_argument("--user", default="coordinator")
    parser.add_argument("--password", default="demo")
    parser.add_argument("--breakdown", action="store_true")
    parser.add_argument("--tracemalloc", action="store_true")
    args = parser.parse_args()
    if not args.database_url:
        parser.error("--database-url (or PORTAL_BENCH_DATABASE_URL) is required")
    os.environ.update(
        PORTAL_ENV="test",
        PORTAL_DATA_DIR=tempfile.mkdtemp(prefix="portal-bench-"),
        PORTAL_SECRET_KEY="bench-secret-key-0123456789abcdef0123",
        PORTAL_DATABASE_URL=args.database_url,
    )
    asyncio.run(main(args))
