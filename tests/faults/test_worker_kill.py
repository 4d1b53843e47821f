"""Send pressed on a real `portal serve --workers 2` queues the delivery; a real `portal worker` killed with
SIGKILL while it makes the referrals, then started again: every proposal ends with exactly one referral,
nothing is lost, and the capacity counters still match."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from portal.jobs import queue
from portal.settings import get_settings
from tests.conftest import ENGINE, recreate_database
from tests.faults.tcp_proxy import TcpProxy, database_url
from tests.redis_queue import REDIS_URL, clear_queue, redis_answers

pytestmark = [
    pytest.mark.db,
    pytest.mark.skipif(ENGINE != "postgres", reason="a throwaway PostgreSQL database reached through a TCP proxy"),
    pytest.mark.skipif(not redis_answers(), reason=f"Redis does not answer at {REDIS_URL}"),
]
ROOT = Path(__file__).resolve().parents[2]
PORTAL = str(Path(sys.executable).parent / "portal")
PEOPLE = 30
DELAY = 0.005  # seconds the proxy adds to each chunk the database sends: about a second per referral


@pytest.fixture
async def ready_round(monkeypatch):
    """A throwaway database holding a round ready to send; the env of a worker that reaches it through the
    proxy (and the database's direct URL, for the web server); this process reading Redis database 6."""
    import asyncpg

    base = os.environ["PORTAL_TEST_DATABASE_URL"]
    name = urlsplit(base).path.lstrip("/") + "_jobs"
    target = urlsplit(base)
    await recreate_database(name)
    env = {
        **os.environ,
        "PORTAL_ENV": "test",
        "PORTAL_DATA_DIR": tempfile.mkdtemp(prefix="portal-worker-kill-"),
        "PORTAL_SECRET_KEY": "faults-secret-key-0123456789abcdef0123",
        "PORTAL_DATABASE_URL": database_url(base, name),
        "PORTAL_REDIS_URL": REDIS_URL,
        "PORTAL_NETWORK_RECOMPUTE": "manual",
    }
    env.pop("PICCOLO_CONF", None)
    subprocess.run([PORTAL, "migrate"], env=env, cwd=ROOT, check=True, capture_output=True)
    built = subprocess.run(
        [sys.executable, "-m", "tests.faults.sending_round", str(PEOPLE), "ready"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    round_id = int(built.stdout.strip().splitlines()[-1])
    direct = env["PORTAL_DATABASE_URL"]
    proxy = TcpProxy(target.hostname or "127.0.0.1", target.port or 5432)
    env["PORTAL_DATABASE_URL"] = database_url(base, name, proxy.port)
    env["DIRECT_DATABASE_URL"] = direct
    settings = dataclasses.replace(get_settings(), redis_url=REDIS_URL)
    monkeypatch.setattr(queue, "get_settings", lambda: settings)
    await queue.close()
    await clear_queue(queue.saq_queue().redis)
    database = await asyncpg.connect(direct)
    try:
        yield round_id, env, proxy, database
    finally:
        await database.close()
        await clear_queue(queue.saq_queue().redis)
        await queue.close()
        proxy.close()


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [PORTAL, "worker"],
        env=env,
        cwd=ROOT,
        stdout=open(log, "a"),  # the process owns it
        stderr=subprocess.STDOUT,
    )


def _serve(env: dict[str, str], log: Path) -> tuple[subprocess.Popen, str]:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    web = subprocess.Popen(
        [PORTAL, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
        env={**env, "PORTAL_DATABASE_URL": env["DIRECT_DATABASE_URL"]},
        cwd=ROOT,
        stdout=open(log, "a"),  # noqa: SIM115 (the process owns it)
        stderr=subprocess.STDOUT,
    )
    return web, f"http://127.0.0.1:{port}"


async def _press_send(url: str, round_id: int, log: Path) -> httpx.AsyncClient:
    """Log in as the coordinator and press Send, as a person would; the client stays logged in."""
    import re

    client = httpx.AsyncClient(base_url=url, timeout=30)

    async def up() -> bool:
        try:
            return (await client.get("/health")).status_code == 200
        except httpx.TransportError:
            return False

    await _until(up, 120, log, "the web server answering")
    token = re.compile(r'name="_csrf_token" value="([^"]+)"')
    login = token.search((await client.get("/login")).text).group(1)
    data = {"username": "coord", "password": "secret-pass-123", "_csrf_token": login}
    assert (await client.post("/login", data=data)).status_code == 303
    page = await client.get(f"/matching/rounds/{round_id}")
    sent = await client.post(
        f"/matching/rounds/{round_id}/send",
        data={"message": "Welcome", "_csrf_token": token.search(page.text).group(1)},
    )
    assert sent.status_code == 303, sent.text[:500]
    return client


async def _until(check, timeout: float, log: Path, what: str) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if await check():
            return time.monotonic() - started
        await asyncio.sleep(0.1)
    raise AssertionError(f"{what} within {timeout} s; worker log:\n{log.read_text()[-4000:]}")


async def test_a_worker_killed_while_sending_is_restarted_and_every_proposal_gets_exactly_one_referral(ready_round):
    round_id, env, proxy, database = ready_round
    log = Path(env["PORTAL_DATA_DIR"]) / "worker.log"
    web_log = Path(env["PORTAL_DATA_DIR"]) / "web.log"

    async def referrals() -> int:
        return await database.fetchval("SELECT count(*) FROM referral")

    async def status() -> str:
        return await database.fetchval("SELECT status FROM allocation_round WHERE id = $1", round_id)

    web, url = _serve(env, web_log)
    try:
        client = await _press_send(url, round_id, web_log)
        # The web workers only queued the delivery: the round is sending, no referral made yet.
        assert await status() == "sending" and await referrals() == 0
        assert await queue.pending("round_deliver", round_id=round_id)
        assert "Sending…" in (await client.get(f"/matching/rounds/{round_id}")).text
        await _worker_kill_and_restart(round_id, env, proxy, database, log, referrals, status)
        page = (await client.get(f"/matching/rounds/{round_id}")).text
        assert "Sent" in page and f"{PEOPLE} referrals." in page
        await client.aclose()
    finally:
        web.terminate()
        web.wait(timeout=30)
    assert "Processing Job" not in web_log.read_text()  # no job ran in the web process


async def _worker_kill_and_restart(round_id, env, proxy, database, log, referrals, status) -> None:
    proxy.delay = DELAY
    first = _worker(env, log)
    try:
        first_made = await _until(lambda: _at_least(referrals, 1), 120, log, "a first referral made")
        await _until(lambda: _at_least(referrals, 5), 120, log, "five referrals made")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    at_kill = await referrals()
    assert 5 <= at_kill < PEOPLE and await status() == "sending", (at_kill, await status())
    assert await queue.pending("round_deliver", round_id=round_id)  # the dead worker's job, still "active"

    proxy.delay = 0.0
    second = _worker(env, log)
    try:
        finished = await _until(lambda: _is(status, "sent"), 120, log, "the round sent")
        job_seconds = await _until(
            lambda: _job_done(f"round-deliver:{round_id}"), 120, log, "the killed worker's job retried and complete"
        )
    finally:
        second.terminate()
        second.wait(timeout=30)
    print(
        f"\n{PEOPLE} proposals; first referral {first_made:.1f} s after the worker started; killed after "
        f"{at_kill} referrals; after the restart the round was sent in "
        f"{finished:.1f} s, and the dead job was swept, retried and complete {job_seconds:.1f} s after that"
    )

    # Every placed proposal has exactly one referral, linked to it; no referral is unlinked or doubled.
    proposals = await database.fetch(
        "SELECT participant, opportunity, referral FROM allocation_proposal WHERE allocation_round = $1", round_id
    )
    made = await database.fetch("SELECT id, participant, opportunity, status FROM referral")
    assert len(proposals) == len(made) == PEOPLE
    assert {p["referral"] for p in proposals} == {r["id"] for r in made}
    assert {(p["participant"], p["opportunity"]) for p in proposals} == {
        (r["participant"], r["opportunity"]) for r in made
    }
    assert {r["status"] for r in made} == {"sent"}
    audited = await database.fetchval(
        "SELECT count(*) FROM audit_event WHERE action = 'refer' AND detail LIKE $1",
        f"%from allocation round {round_id}",
    )
    assert audited == PEOPLE
    # Capacity: each counter equals the referrals holding a place (accepted), and no place is over-referred.
    for place in await database.fetch(
        "SELECT o.id, o.capacity, o.places_taken,"
        " (SELECT count(*) FROM referral r WHERE r.opportunity = o.id AND r.holds_place) AS holding,"
        " (SELECT count(*) FROM referral r WHERE r.opportunity = o.id AND r.status = 'accepted') AS accepted,"
        " (SELECT count(*) FROM referral r WHERE r.opportunity = o.id AND r.status = 'sent') AS waiting"
        " FROM opportunity o"
    ):
        assert place["places_taken"] == place["holding"] == place["accepted"], dict(place)
        assert place["waiting"] <= place["capacity"] - place["places_taken"], dict(place)
    report = await database.fetchval("SELECT report FROM allocation_round WHERE id = $1", round_id)
    assert f'"sent": {PEOPLE}' in report


async def _at_least(count, n: int) -> bool:
    return await count() >= n


async def _is(read, value: str) -> bool:
    return await read() == value


async def _job_done(key: str) -> bool:
    job = await queue.saq_queue().job(key)
    return job is not None and job.status.value == "complete"
