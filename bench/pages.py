"""Latency, throughput and memory of the portal's main pages under `portal serve` on a loaded database, against a bare Litestar hello-world.

Usage: .venv/bin/python bench/pages.py --database-url postgresql://postgres@127.0.0.1:5432/portal_scale
       [--requests 200] [--seconds 20] [--timeout 30] [--first-timeout 120] [--drain 120]
       [--pages case,suggestions,...] [--concurrency 1,16] [--workers 1] [--source DIR] [--cache-dir DIR] [--list]

Load the database with bench/scale_data.py first (the URL may also come from PORTAL_BENCH_DATABASE_URL;
without either the script says so and exits). It serves the database with the real server (`portal
serve`; one uvicorn worker unless --workers, which portal serve has since 4da6922) on a free loopback
port, with
PORTAL_ENV=production and an explicit secret; production marks cookies Secure, which a browser sends
to http://127.0.0.1 as a secure context, so this client sends them itself. It logs in as the demo
users through the login form (CSRF token and cookie, as a browser does), then asks each page once
cold (what is built on first use, such as the suggestions index; up to --first-timeout) and then
with 1 and with 16 connections, each level ending after --requests requests or --seconds seconds,
whichever comes first; a request that takes longer than --timeout counts as an error at that time.
Between levels it waits until the server is idle again (at most --drain seconds, else it restarts
it), so one page's backlog is not measured as the next page's latency. It prints p50/p95 latency,
req/s (answers below 400) and that as a share of a bare Litestar hello-world on the same server
and arguments (measured before and after the pages; the share is of their mean), the response
size, errors by status (a 500 is an error, not a crash) and the server's RSS after each page: all its
processes, and the largest one (with --workers, a worker's: the per-worker figure). With the directory
fragment it also serves that fragment's three SQL statements alone on a bare app (statements_app), the
row "directory-search, SQL alone": how much of hello-world's rate the database work alone leaves.

A sqlite:/// URL serves a SQLite file instead (`portal migrate` and `portal demo` with
PORTAL_DATABASE_URL set to it; bench/scale_data.py loads PostgreSQL only), e.g. to compare the
directory fragment's share of hello-world on both engines.

The load comes from a small HTTP/1.1 keep-alive client on asyncio streams rather than httpx:
against hello-world on one connection httpx took 1.1 ms of client CPU per request here, this
client 0.07 ms, and on 2 shared cores the client's CPU is taken from the server. httpx does the
logins. --source serves another checkout of the code (e.g. `git archive` of an older commit); the
text model cache (--cache-dir) is filled before the server starts.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEMO_PASSWORD = "demo"
CONNECT_WAIT = 180.0  # seconds for the server to answer /health after start
# After a level, the server may still be working on requests the client gave up on: wait until
# /health answers within IDLE_MS again, at most --drain seconds, else restart it, so one page's
# backlog is never measured as the next page's latency.
IDLE_MS = 300
# With the directory fragment, the row of its three statements alone on a bare app (statements_app).
STATEMENTS_ALONE = "directory-search, SQL alone"
HELLO_REQUESTS = 3000  # hello-world answers in well under a millisecond: more requests for a steady rate

# name -> (demo user or None for anonymous, path, htmx fragment?). {case}, {org}, {opp}, {fit} are
# looked up in the database: the demo counsellor's case with the most referrals, the organisation
# with the most ties, the demo enterprise's first open place, the demo employer's first opening.
PAGES: dict[str, tuple[str | None, str, bool]] = {
    "directory-search": ("coordinator", "/organisations/?q=cakovec", True),
    "organisations": ("coordinator", "/organisations/", False),
    "organisations-filtered-p40": ("coordinator", "/organisations/?country=HR&kind=employer&page=40", False),
    "organisation": ("coordinator", "/organisations/{org}", False),
    "opportunities": ("counsellor", "/opportunities/", False),
    "opportunities-filtered-p200": ("counsellor", "/opportunities/?country=SI&kind=work_trial&page=200", False),
    "caseload": ("counsellor", "/cases/", False),
    "case": ("counsellor", "/cases/{case}", False),
    "suggestions": ("counsellor", "/cases/{case}/placements", True),
    "opportunity-candidates": ("enterprise", "/opportunities/{opp}/candidates", True),
    "employer-candidates": ("employer", "/employers/candidates", False),
    "employer-candidates-fit": ("employer", "/employers/candidates?fit={fit}", False),
    "employer-candidates-skill": ("employer", "/employers/candidates?skill=welding", False),
    "network": ("coordinator", "/network/", False),
    "referral-inbox": ("enterprise", "/referrals/inbox", False),
    "notifications": ("counsellor", "/notifications/", False),
    "introductions": ("counsellor", "/introductions/", False),
    "audit": ("admin", "/audit/", False),
    "skills-suggest": ("counsellor", "/skills/suggest?q=kuhanje", True),
    "api-organisations": (None, "/api/v1/organisations?q=zadruga", False),
}


# --- a small HTTP/1.1 client -------------------------------------------------------------------


class Connection:
    """One keep-alive connection that sends GETs and reads whole responses (Content-Length or chunked)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, request: bytes) -> tuple[int, int]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port, limit=1 << 20)
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        size = 0
        if "content-length" in headers:
            size = int(headers["content-length"])
            await self.reader.readexactly(size)
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            while True:
                length = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                await self.reader.readexactly(length + 2)
                size += length
                if length == 0:
                    break
        else:
            size = len(await self.reader.read())
            self.close()
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, size

    def close(self) -> None:
        if self.writer is not None:
            self.writer.transport.abort()
        self.reader = self.writer = None


def http_request(path: str, port: int, cookie: str, htmx: bool) -> bytes:
    lines = [
        f"GET {path} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "User-Agent: portal-bench",
        "Accept: text/html,application/json",
        "Accept-Language: sl,en;q=0.8",
    ]
    if cookie:
        lines.append(f"Cookie: {cookie}")
    if htmx:
        lines += ["HX-Request: true", "HX-Current-URL: http://127.0.0.1/"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


@dataclass
class Level:
    """The responses of one load level: (seconds, status or 'timeout'/'connection', bytes)."""

    concurrency: int
    results: list[tuple[float, int | str, int]] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def ok(self) -> int:
        return sum(1 for _, status, _ in self.results if isinstance(status, int) and status < 400)

    def percentile(self, share: float) -> float:
        times = sorted(seconds for seconds, _, _ in self.results)
        if not times:
            return float("nan")
        return times[min(len(times) - 1, round(share * (len(times) - 1)))] * 1000

    @property
    def rate(self) -> float:
        return self.ok / self.elapsed if self.elapsed else 0.0

    def errors(self) -> Counter:
        return Counter(status for _, status, _ in self.results if not (isinstance(status, int) and status < 400))


async def run_level(
    port: int, request: bytes, concurrency: int, requests: int, seconds: float, timeout: float
) -> Level:
    """``concurrency`` connections asking in a loop until ``requests`` were sent or ``seconds`` passed."""
    level = Level(concurrency)
    deadline = time.monotonic() + seconds
    sent = 0

    async def worker() -> None:
        nonlocal sent
        connection = Connection(port)
        while sent < requests and time.monotonic() < deadline:
            sent += 1
            started = time.perf_counter()
            try:
                status, size = await asyncio.wait_for(connection.get(request), timeout)
            except TimeoutError:
                connection.close()  # the server may still be working on it; a new connection goes on
                status, size = "timeout", 0
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError, IndexError):
                connection.close()
                status, size = "connection", 0
            level.results.append((time.perf_counter() - started, status, size))
        connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    level.elapsed = time.perf_counter() - started
    return level


# --- the servers -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A server in its own process group, its output in a log file."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], cwd: Path, log: Path) -> None:
        self.name, self.argv, self.env, self.cwd, self.log = name, argv, env, cwd, log
        self.port = int(argv[argv.index("--port") + 1])
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                self.argv, env=self.env, cwd=self.cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    async def ready(self) -> None:
        deadline = time.monotonic() + CONNECT_WAIT
        request = http_request("/health", self.port, "", False)
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}; see {self.log}")
            try:
                status, _ = await asyncio.wait_for(Connection(self.port).get(request), 5)
                if status == 200:
                    return
            except (OSError, TimeoutError, asyncio.IncompleteReadError):
                pass
            await asyncio.sleep(0.3)
        raise RuntimeError(f"{self.name} did not answer /health within {CONNECT_WAIT:.0f} s; see {self.log}")

    async def drain(self, limit: float) -> float | None:
        """Seconds until the server was idle again, or None when it was still busy after ``limit``."""
        started = time.monotonic()
        request = http_request("/health", self.port, "", False)
        while time.monotonic() - started < limit and self.alive():
            connection = Connection(self.port)
            asked = time.perf_counter()
            try:
                await asyncio.wait_for(connection.get(request), max(1.0, limit - (time.monotonic() - started)))
            except (OSError, TimeoutError, asyncio.IncompleteReadError):
                return None
            finally:
                connection.close()
            if (time.perf_counter() - asked) * 1000 < IDLE_MS:
                return time.monotonic() - started
            await asyncio.sleep(0.5)
        return None

    async def restart(self) -> None:
        self.stop()
        self.start()
        await self.ready()

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def rss_mb(self) -> float:
        """Resident memory of the server's processes (with --workers, the supervisor and its workers), from /proc."""
        sizes = self.rss_each_mb()
        return sum(sizes) if sizes else float("nan")

    def _processes(self) -> Iterator[tuple[Path, list[str]]]:
        """Each of the server's processes (its process group, from /proc) and the fields of its stat after the name."""
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                # The process group is the fifth field, after the parenthesised command name.
                if int(fields[2]) == self.process.pid:
                    yield entry, fields
            except (OSError, ValueError, IndexError):
                continue

    def rss_each_mb(self) -> list[float]:
        """Resident memory of each of the server's processes, from /proc (largest first)."""
        sizes = []
        for entry, _ in self._processes():
            try:
                match = re.search(r"^VmRSS:\s+(\d+) kB", (entry / "status").read_text(), re.M)
            except OSError:  # it ended meanwhile
                continue
            if match:
                sizes.append(int(match[1]) / 1024)
        return sorted(sizes, reverse=True)

    def cpu_seconds(self) -> float:
        """CPU time the server's processes have used so far (user and system), from /proc."""
        ticks = sum(int(fields[11]) + int(fields[12]) for _, fields in self._processes())  # utime, stime
        return ticks / os.sysconf("SC_CLK_TCK")

    async def quiet(self, limit: float) -> float | None:
        """Seconds until the server used under a tenth of a core for a second, or None after ``limit``.

        A portal that answers /health may still be doing its start-up work in a thread (the
        suggestions index takes seconds at a country's scale): measured meanwhile, the first pages
        would pay for it.
        """
        started = time.monotonic()
        while time.monotonic() - started < limit and self.alive():
            before = self.cpu_seconds()
            await asyncio.sleep(1.0)
            if self.cpu_seconds() - before < 0.1:
                return time.monotonic() - started
        return None

    def stop(self) -> None:
        if not self.alive():
            return
        os.killpg(self.process.pid, signal.SIGINT)  # uvicorn's graceful shutdown
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def hello_app() -> Any:
    from litestar import Litestar, get

    @get("/", sync_to_thread=False)
    def hello() -> str:
        return "Hello, world!"

    @get("/health", sync_to_thread=False)
    def health() -> str:
        return "ok"

    return Litestar(route_handlers=[hello, health])


def statements_app() -> Any:
    """The directory fragment's database work and nothing else, on a bare app: a bound on its share of hello-world.

    The three statements the fragment sends (the session's lookup, here of a token no session has,
    which costs the same index probe; the search's count; its first page), through the portal's own
    pool and Piccolo as the portal opens them, and a fixed answer: no middleware, no template.
    """
    from litestar import Litestar, get

    from portal.auth.sessions import user_for_token
    from portal.db.engine import open_pool, prepare_sqlite
    from portal.db.piccolo_conf import DB
    from portal.organisations import services
    from portal.organisations.params import Filter

    token = secrets.token_urlsafe(32)

    @get("/", signature_namespace={"Filter": Filter})  # the annotation is a string (future annotations)
    async def statements(q: Filter = "") -> str:
        await user_for_token(token)
        page = await services.search_organisations(services.DirectoryFilters(q=q))
        return f"{page.total}"

    @get("/health", sync_to_thread=False)
    def health() -> str:
        return "ok"

    async def start() -> None:
        await prepare_sqlite(DB)
        await open_pool(DB)

    return Litestar(route_handlers=[statements, health], on_startup=[start])


# Reference apps by name: what --reference serves.
REFERENCES = {"hello": hello_app, "statements": statements_app}


def serve_hello(port: int, workers: int, reference: str = "hello") -> None:
    """A reference app under uvicorn.run with the arguments `portal serve` passes."""
    import uvicorn

    # Worker processes import the app by name (this file's folder is on the path they inherit).
    app = REFERENCES[reference]() if workers == 1 else f"pages:{REFERENCES[reference].__name__}"
    uvicorn.run(
        app, factory=workers > 1, host="127.0.0.1", port=port, reload=False, workers=workers, proxy_headers=False
    )


# --- logging in ----------------------------------------------------------------------------------


def _set_cookies(response: Any) -> dict[str, str]:
    cookies = {}
    for header in response.headers.get_list("set-cookie"):
        name, _, rest = header.partition("=")
        cookies[name.strip()] = rest.split(";", 1)[0]
    return cookies


async def login(port: int, username: str) -> str:
    """Log in through the form as a browser would; return the Cookie header for the session.

    Cookies are kept by hand: in production they are Secure, and httpx (rightly, for a real
    network) keeps those off plain http, where a browser talking to 127.0.0.1 still sends them.
    """
    import httpx

    base = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=base, timeout=60, follow_redirects=False) as client:
        form = await client.get("/login", headers={"Accept-Language": "sl"})
        cookies = _set_cookies(form)
        match = re.search(r'name="_csrf_token" value="([^"]+)"', form.text)
        if form.status_code != 200 or not match:
            raise RuntimeError(f"no login form with a CSRF token: HTTP {form.status_code}")
        client.cookies.clear()
        answer = await client.post(
            "/login",
            data={"_csrf_token": match[1], "username": username, "password": DEMO_PASSWORD, "next": "/"},
            headers={"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())},
        )
        cookies.update(_set_cookies(answer))
        if answer.status_code != 303 or "portal_session" not in cookies:
            raise RuntimeError(f"login as {username} failed: HTTP {answer.status_code}")
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


# --- what to ask for ---------------------------------------------------------------------------


class _SQLite:
    """The one asyncpg call :func:`targets` makes, on a SQLite file (a demo or `portal demo` database)."""

    def __init__(self, path: str) -> None:
        import sqlite3

        self.connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)

    async def fetchval(self, sql: str) -> Any:
        row = self.connection.execute(sql).fetchone()
        return None if row is None else row[0]

    async def close(self) -> None:
        self.connection.close()


async def targets(database_url: str) -> dict[str, Any]:
    """Ids the page paths name, and the database's size, read directly from the database."""
    if database_url.startswith("sqlite:///"):
        conn: Any = _SQLite(database_url.removeprefix("sqlite:///"))
    else:
        import asyncpg

        conn = await asyncpg.connect(database_url)
    try:
        found = {
            "case": await conn.fetchval(
                "SELECT p.id FROM participant p JOIN portal_user u ON u.id = p.lead_counsellor "
                "LEFT JOIN referral r ON r.participant = p.id WHERE u.username = 'counsellor' "
                "GROUP BY p.id ORDER BY count(r.id) DESC, p.id LIMIT 1"
            ),
            "org": await conn.fetchval(
                "SELECT id FROM (SELECT source AS id FROM relationship UNION ALL SELECT target FROM relationship) t "
                "GROUP BY id ORDER BY count(*) DESC, id LIMIT 1"
            ),
            "opp": await conn.fetchval(
                "SELECT o.id FROM opportunity o JOIN portal_user u ON u.organisation = o.organisation "
                "WHERE u.username = 'enterprise' AND o.status = 'open' ORDER BY o.id LIMIT 1"
            ),
            "fit": await conn.fetchval(
                "SELECT o.id FROM opportunity o JOIN portal_user u ON u.organisation = o.organisation "
                "WHERE u.username = 'employer' AND o.status <> 'closed' ORDER BY o.id LIMIT 1"
            ),
        }
        found["size"] = {
            "participants": await conn.fetchval("SELECT count(*) FROM participant"),
            "open opportunities": await conn.fetchval("SELECT count(*) FROM opportunity WHERE status = 'open'"),
            "organisations": await conn.fetchval("SELECT count(*) FROM organisation"),
            "ties": await conn.fetchval("SELECT count(*) FROM relationship"),
            "referrals": await conn.fetchval("SELECT count(*) FROM referral"),
        }
        found["snapshot"] = await conn.fetchval("SELECT count(*) FROM network_snapshot WHERE status = 'done'")
    finally:
        await conn.close()
    return found


def source_commit(source: Path) -> str:
    try:
        return subprocess.run(
            ["git", "-C", str(source), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        marker = source / "COMMIT"
        return marker.read_text().strip() if marker.exists() else "unknown"


def new_errors(log: Path, offset: int) -> list[str]:
    """The exception lines the server logged since ``offset``: why a page answered 500; and workers that died.

    uvicorn kills a worker that misses its health ping and starts another; the client sees only
    dropped connections, so the restarts are counted from the log.
    """
    with log.open("rb") as f:
        f.seek(offset)
        text = f.read().decode("utf-8", "replace")
    lines = [line.strip() for line in text.splitlines() if re.match(r"^[\w.]+(Error|Exception)\b", line.strip())]
    died = len(re.findall(r"Child process \[\d+\] died", text))
    return list(dict.fromkeys(lines))[:2] + ([f"{died} worker(s) died or were killed and restarted"] if died else [])


# --- the run -----------------------------------------------------------------------------------


@dataclass
class Figures:
    name: str
    first_ms: float = float("nan")
    first_status: int | str = ""
    size: int = 0
    levels: dict[int, Level] = field(default_factory=dict)
    rss_mb: float = float("nan")
    rss_top_mb: float = float("nan")  # the largest process: with --workers, the per-worker figure
    notes: list[str] = field(default_factory=list)


async def settle(server: Server, figures: Figures, args: argparse.Namespace, after: str) -> None:
    """Let the server finish what it is still doing (or restart it), and note how long that took."""
    if not server.alive():
        figures.notes.append(f"the server died after {after} (exit {server.process.returncode}); restarted")
        server.start()
        await server.ready()
        return
    waited = await server.drain(args.drain)
    if waited is None:
        figures.notes.append(f"still busy {args.drain:g} s after {after}: restarted")
        await server.restart()
    elif waited > 2:
        figures.notes.append(f"busy for {waited:.0f} s after {after}")


async def measure(
    name: str, server: Server, request: bytes, args: argparse.Namespace, levels: list[int], cold: bool = True
) -> Figures:
    figures = Figures(name)
    if cold:
        # The first request may build what later ones reuse: it gets longer, so its cost is seen whole.
        first = await run_level(server.port, request, 1, 1, args.first_timeout, args.first_timeout)
        seconds, figures.first_status, figures.size = first.results[0]
        figures.first_ms = seconds * 1000
        await settle(server, figures, args, "the first request")
    requests = args.requests if cold else max(args.requests, HELLO_REQUESTS)
    for concurrency in levels:
        previous = figures.levels.get(levels[0]) if concurrency != levels[0] else None
        if previous is not None and previous.results and all(r[1] == "timeout" for r in previous.results):
            # Only more of the same backlog: every request at the first level outlived the timeout.
            figures.notes.append(f"{concurrency} connections skipped: every request timed out at {levels[0]}")
            continue
        level = await run_level(server.port, request, concurrency, requests, args.seconds, args.timeout)
        figures.levels[concurrency] = level
        sizes = [size for _, status, size in level.results if isinstance(status, int) and status < 400]
        if sizes:
            figures.size = sizes[-1]
        each = server.rss_each_mb()
        figures.rss_mb = sum(each) if each else float("nan")
        figures.rss_top_mb = each[0] if each else float("nan")
        await settle(server, figures, args, f"{concurrency} connections")
    return figures


def _fmt(value: float, digits: int = 0) -> str:
    return "-" if value != value else f"{value:,.{digits}f}"  # NaN: nothing measured


async def measure_hello(
    name: str,
    env: dict[str, str],
    source: Path,
    work: Path,
    args: argparse.Namespace,
    levels: list[int],
    reference: str = "hello",
    path: str = "/",
) -> Figures:
    """A reference app's figures on the same server software and arguments (the bare app by default)."""
    port = free_port()
    command = [sys.executable, str(Path(__file__).resolve()), "--hello", "--reference", reference]
    hello = Server(
        reference,
        [*command, "--port", str(port), "--workers", str(args.workers)],
        env,
        source,
        work / f"{reference}.log",
    )
    hello.start()
    try:
        await hello.ready()
        request = http_request(path, port, "", False)
        await run_level(port, request, 4, 200, 5, args.timeout)  # warm up
        return await measure(name, hello, request, args, levels, cold=False)
    finally:
        hello.stop()


def _share(value: float) -> str:
    if value != value:
        return "-"
    return f"{value:.2f}%" if value < 1 else f"{value:.1f}%"


def report(all_figures: list[Figures], hellos: list[Figures], levels: list[int]) -> None:
    """The table; each page's req/s as a share of hello-world's (the mean of its runs before and after)."""
    head = f"{'page':<28} {'first ms':>9}"
    for c in levels:
        head += f" | {f'{c} conn: p50':>12} {'p95 ms':>8} {'req/s':>7} {'%hello':>7} {'n':>4}"
    head += f" | {'size KB':>8} {'errors':<18} {'RSS MB':>7} {'top MB':>7}"
    print(head)
    print("-" * len(head))
    base = {c: sum(h.levels[c].rate for h in hellos) / len(hellos) for c in levels}
    for figures in [*hellos, *all_figures]:
        line = f"{figures.name:<28} {_fmt(figures.first_ms):>9}"
        errors: Counter = Counter()
        for c in levels:
            level = figures.levels.get(c)
            if level is None:
                line += f" | {'-':>12} {'-':>8} {'-':>7} {'-':>7} {'-':>4}"
                continue
            share = 100 * level.rate / base[c] if base[c] else float("nan")
            line += (
                f" | {_fmt(level.percentile(0.5), 1):>12} {_fmt(level.percentile(0.95), 1):>8}"
                f" {_fmt(level.rate, 1):>7} {_share(share):>7} {len(level.results):>4}"
            )
            errors += level.errors()
        if figures.first_status and not (isinstance(figures.first_status, int) and figures.first_status < 400):
            errors[f"first {figures.first_status}"] += 1
        shown = ", ".join(f"{k}x{v}" for k, v in sorted(errors.items(), key=str)) or "0"
        line += f" | {figures.size / 1024:>8.1f} {shown:<18} {_fmt(figures.rss_mb):>7} {_fmt(figures.rss_top_mb):>7}"
        print(line)
    notes = [(f.name, note) for f in all_figures for note in f.notes]
    if notes:
        print("\nnotes (server busy or restarted, and the exceptions it logged):")
        for name, note in notes:
            print(f"  {name}: {note}")


async def run(args: argparse.Namespace) -> None:
    source = Path(args.source).resolve()
    levels = [int(c) for c in args.concurrency.split(",")]
    chosen = [p.strip() for p in args.pages.split(",")] if args.pages else list(PAGES)
    unknown = [p for p in chosen if p not in PAGES]
    if unknown:
        raise SystemExit(f"pages: unknown page(s) {', '.join(unknown)}; --list shows them")
    found = await targets(args.database_url)
    work = Path(tempfile.mkdtemp(prefix="portal-pages-"))
    cache_dir = Path(args.cache_dir or os.environ.get("PORTAL_CACHE_DIR") or ROOT / "var" / "cache").resolve()
    env = {
        **os.environ,
        "PYTHONPATH": str(source),  # ahead of the editable install: serve the code in --source
        "PORTAL_ENV": "production",
        "PORTAL_SECRET_KEY": secrets.token_urlsafe(48),
        "PORTAL_DATABASE_URL": args.database_url,
        "PORTAL_DATA_DIR": str(work),
        "PORTAL_CACHE_DIR": str(cache_dir),
        "PORTAL_HOST": "127.0.0.1",
        # The demo admin it logs in as has no authenticator: measure the pages, not the enrolment.
        "PORTAL_TWO_FACTOR_ROLES": "",
    }
    env.pop("PORTAL_DEBUG", None)
    print(f"database: {args.database_url}: " + ", ".join(f"{v:,} {k}" for k, v in found["size"].items()))
    print(f"code: {source} at {source_commit(source)}; {args.workers} uvicorn worker(s)")
    # The machines are shared: other work on the same cores shows up in every figure.
    print(f"machine: {os.cpu_count()} cores, load average at start {os.getloadavg()[0]:.1f}")
    if not found["snapshot"]:
        print("warning: no network snapshot; the server computes one in the background (run scale_data.py)")
    started = time.perf_counter()
    check = subprocess.run(
        [
            sys.executable,
            "-c",
            "import portal, sys; from portal.matching_service.text_model import shared_text; shared_text(); "
            "sys.stdout.write(portal.__file__)",
        ],
        env=env,
        cwd=source,
        capture_output=True,
        text=True,
    )
    if check.returncode != 0 or not check.stdout.startswith(str(source)):
        raise SystemExit(f"pages: cannot import portal from {source}: {check.stderr or check.stdout}")
    print(f"text model cache ready in {time.perf_counter() - started:.1f} s ({cache_dir})")
    print(f"each level: up to {args.requests} requests or {args.seconds:g} s; timeout {args.timeout:g} s per request\n")

    hello_before = await measure_hello("hello-world, before", env, source, work, args, levels)

    port = free_port()
    portal = Server(
        "portal serve",
        [str(Path(sys.executable).with_name("portal")), "serve", "--host", "127.0.0.1", "--port", str(port)]
        + (["--workers", str(args.workers)] if args.workers > 1 else []),
        env,
        source,
        work / "portal.log",
    )
    results: list[Figures] = []
    portal.start()
    try:
        await portal.ready()
        waited = await portal.quiet(args.drain)
        started_up = "still busy" if waited is None else f"its start-up work done in {waited:.0f} s"
        each = ", ".join(f"{mb:.0f}" for mb in portal.rss_each_mb())
        print(
            f"portal serve ready, {started_up}, RSS {portal.rss_mb():.0f} MB ({each}; pid {portal.process.pid}, log {portal.log})"
        )
        sessions: dict[str, str] = {}
        for user in sorted({PAGES[p][0] for p in chosen if PAGES[p][0]}):
            sessions[user] = await login(port, user)
        for name in chosen:
            user, path, htmx = PAGES[name]
            try:
                path = path.format(**found)
            except KeyError:
                continue
            if "None" in path:
                print(f"{name}: skipped, nothing in the database to ask for ({path})")
                continue
            if not portal.alive():
                print(f"the server died (exit {portal.process.returncode}); starting it again")
                portal.start()
                await portal.ready()
            offset = portal.log.stat().st_size
            figures = await measure(name, portal, http_request(path, port, sessions.get(user, ""), htmx), args, levels)
            figures.notes += new_errors(portal.log, offset)
            results.append(figures)
            last = max(figures.levels, default=None)
            level = figures.levels.get(last, Level(0))
            print(
                f"  {name:<28} first {_fmt(figures.first_ms)} ms, {last} conn p50 "
                f"{_fmt(level.percentile(0.5))} ms, {_fmt(level.rate, 1)} req/s, RSS {_fmt(figures.rss_mb)} MB"
                f" (largest process {_fmt(figures.rss_top_mb)} MB)",
                flush=True,
            )
    finally:
        portal.stop()
    if any(f.name == "directory-search" for f in results):
        query = PAGES["directory-search"][1].partition("?")[2]
        bound = await measure_hello(STATEMENTS_ALONE, env, source, work, args, levels, "statements", f"/?{query}")
        results.insert(next(i for i, f in enumerate(results) if f.name == "directory-search"), bound)
    hello_after = await measure_hello("hello-world, after", env, source, work, args, levels)
    print(f"\nload average at the end {os.getloadavg()[0]:.1f}; server logs in {work}\n")
    report(results, [hello_before, hello_after], levels)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("PORTAL_BENCH_DATABASE_URL", ""))
    parser.add_argument("--requests", type=int, default=200, help="most requests per page and level")
    parser.add_argument("--seconds", type=float, default=20.0, help="most seconds per page and level")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds before a request counts as an error")
    parser.add_argument("--concurrency", default="1,16", help="connections per level, comma-separated")
    parser.add_argument("--first-timeout", type=float, default=120.0, help="timeout of each page's first request")
    parser.add_argument("--drain", type=float, default=120.0, help="most seconds to wait for a busy server")
    parser.add_argument("--pages", default="", help="comma-separated page names (default: all; see --list)")
    parser.add_argument("--source", default=str(ROOT), help="the checkout whose code is served")
    parser.add_argument("--cache-dir", default="", help="PORTAL_CACHE_DIR for the server (default var/cache)")
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="portal serve --workers (and as many for hello-world); needs a portal that has it",
    )
    parser.add_argument("--list", action="store_true", help="list the pages and exit")
    parser.add_argument("--hello", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--reference", choices=sorted(REFERENCES), default="hello", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.hello:
        serve_hello(args.port, args.workers, args.reference)
        return
    if args.list:
        for name, (user, path, htmx) in PAGES.items():
            print(f"{name:<28} {user or 'anonymous':<12} {path}{'  (htmx fragment)' if htmx else ''}")
        return
    if not args.database_url:
        print("pages: skipped; give --database-url or set PORTAL_BENCH_DATABASE_URL (load it with bench/scale_data.py)")
        return
    try:  # the server runs on uvloop; so does the client when it is there: less CPU per request
        import uvloop
    except ImportError:
        asyncio.run(run(args))
    else:
        uvloop.run(run(args))


if __name__ == "__main__":
    main()
