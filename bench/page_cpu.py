"""CPU one request of a page costs, in the portal's process and in PostgreSQL, served in-process without a server.

Usage: .venv/bin/python bench/page_cpu.py --database-url postgresql://postgres@127.0.0.1:5432/portal_scale
       [--pages employer-candidates-fit,opportunity-candidates] [--requests 300] [--warm 20]

bench/pages.py measures what a user waits, under load; on 2 shared cores that moves with whatever
else runs. This prints what a request costs, which moves less: the median CPU time of the portal's
process per request (``time.process_time``: every thread of the process, so it first waits for the
start-up work, the suggestions index, to finish) and its median wall time, and the PostgreSQL
backends' CPU per request (the mean, from /proc: every PostgreSQL process on this machine, so only
when the database runs here, and other work on it counts too). The page names and the ids they
use are bench/pages.py's; the app runs with production settings behind httpx's ASGI transport (no
server, no HTTP parsing), logged in through the login form as bench/pages.py does.

Run it from the checkout to measure (or with PYTHONPATH set to one), e.g. a `git archive` of an
older commit, one after the other, to compare.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import re
import secrets
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def _bench_pages() -> Any:
    """bench/pages.py as a module: its page table and the ids its paths name."""
    spec = importlib.util.spec_from_file_location("bench_pages", HERE / "pages.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def postgres_cpu_seconds() -> float:
    """The CPU time of every process on this machine whose name starts with "postgres", in seconds."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # the process ended meanwhile
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        if name.startswith("postgres"):
            fields = text[text.rindex(")") + 2 :].split()
            ticks += int(fields[11]) + int(fields[12])  # utime and stime
    return ticks / os.sysconf("SC_CLK_TCK")


@dataclass
class Cost:
    page: str
    cpu_ms: float  # median, this process
    wall_ms: float  # median
    postgres_ms: float | None  # mean, PostgreSQL's processes


async def cost(client: Any, page: str, path: str, headers: dict[str, str], requests: int, warm: int) -> Cost:
    """What ``requests`` GETs of ``path`` cost each, after ``warm`` unmeasured ones; a non-200 answer stops it."""
    for _ in range(warm):
        answer = await client.get(path, headers=headers)
        if answer.status_code != 200:
            raise SystemExit(f"{page}: {path} answered {answer.status_code}")
    cpu: list[float] = []
    wall: list[float] = []
    local = Path("/proc").is_dir()
    postgres_before = postgres_cpu_seconds() if local else 0.0
    for _ in range(requests):
        started, used = time.perf_counter(), time.process_time()
        answer = await client.get(path, headers=headers)
        cpu.append(time.process_time() - used)
        wall.append(time.perf_counter() - started)
        if answer.status_code != 200:
            raise SystemExit(f"{page}: {path} answered {answer.status_code}")
    postgres = (postgres_cpu_seconds() - postgres_before) / requests * 1000 if local else None
    return Cost(page, statistics.median(cpu) * 1000, statistics.median(wall) * 1000, postgres)


async def run(args: argparse.Namespace) -> None:
    pages = _bench_pages()
    chosen = [p.strip() for p in args.pages.split(",")] if args.pages else list(pages.PAGES)
    unknown = [p for p in chosen if p not in pages.PAGES]
    if unknown:
        raise SystemExit(f"page_cpu: unknown page(s) {', '.join(unknown)}; bench/pages.py --list shows them")
    found = await pages.targets(args.database_url)
    # Before the portal is imported: its settings are read once.
    os.environ.update(
        PORTAL_ENV="production",
        PORTAL_SECRET_KEY=secrets.token_urlsafe(48),
        PORTAL_DATABASE_URL=args.database_url,
        PORTAL_DATA_DIR=tempfile.mkdtemp(prefix="portal-page-cpu-"),
        PORTAL_HOST="127.0.0.1",
        PORTAL_TWO_FACTOR_ROLES="",  # the demo admin has no authenticator
    )
    import httpx

    from portal.app import create_app
    from portal.matching_service import live_index, training

    app = create_app()
    costs: list[Cost] = []
    async with app.lifespan():
        # The start-up work runs in this process's threads: its CPU would count as the pages'.
        await live_index.current(await training.current_scoring(), wait=600)
        clients: dict[str | None, httpx.AsyncClient] = {}
        try:
            for page in chosen:
                user, template, fragment = pages.PAGES[page]
                if user not in clients:
                    # https: production cookies are Secure.
                    transport = httpx.ASGITransport(app=app)
                    clients[user] = httpx.AsyncClient(transport=transport, base_url="https://127.0.0.1")
                    if user is not None:
                        await _log_in(clients[user], user, pages.DEMO_PASSWORD)
                path = template.format(**{k: v for k, v in found.items() if k != "size"})
                headers = {"HX-Request": "true"} if fragment else {}
                costs.append(await cost(clients[user], page, path, headers, args.requests, args.warm))
                print(f"  {page:<30} done", flush=True)
        finally:
            for client in clients.values():
                await client.aclose()
    print(f"\n{'page':<30} {'CPU ms':>8} {'wall ms':>8} {'PostgreSQL ms':>14}   (median, median, mean per request)")
    for c in costs:
        postgres = "-" if c.postgres_ms is None else f"{c.postgres_ms:.2f}"
        print(f"{c.page:<30} {c.cpu_ms:>8.2f} {c.wall_ms:>8.2f} {postgres:>14}")


async def _log_in(client: Any, username: str, password: str) -> None:
    form = await client.get("/login")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', form.text)
    if token is None:
        raise SystemExit("page_cpu: the login page has no CSRF token")
    answer = await client.post(
        "/login", data={"_csrf_token": token[1], "username": username, "password": password, "next": "/"}
    )
    if answer.status_code != 303:
        raise SystemExit(f"page_cpu: logging in as {username} answered {answer.status_code}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("PORTAL_BENCH_DATABASE_URL", ""))
    parser.add_argument("--pages", default="employer-candidates-fit,opportunity-candidates")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--warm", type=int, default=20)
    args = parser.parse_args()
    if not args.database_url:
        print(
            "page_cpu: skipped; give --database-url or set PORTAL_BENCH_DATABASE_URL (load it with bench/scale_data.py)"
        )
        return
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
