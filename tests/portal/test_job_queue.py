"""Jobs on Redis (SAQ): one job per key while queued or running, the admin's view of the queue, and a real
`portal worker` that takes a job from the queue and runs it against the test database."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from portal.db.tables import NetworkSnapshot
from portal.jobs import queue
from portal.settings import get_settings
from tests.redis_queue import REDIS_URL, clear_queue, redis_answers

ROOT = Path(__file__).resolve().parents[2]
PORTAL = str(Path(sys.executable).parent / "portal")


pytestmark = pytest.mark.skipif(
    not redis_answers(),
    reason=f"Redis does not answer at {REDIS_URL} (set PORTAL_TEST_REDIS_URL, or start redis-server)",
)


async def use_redis(monkeypatch) -> None:
    """From now on this process enqueues on Redis database 6, as a web worker with PORTAL_REDIS_URL does."""
    settings = dataclasses.replace(get_settings(), redis_url=REDIS_URL)
    monkeypatch.setattr(queue, "get_settings", lambda: settings)
    await queue.close()
    await clear_queue(queue.saq_queue().redis)


@pytest.fixture
async def on_redis(monkeypatch):
    """This process enqueues on an empty queue in Redis database 6."""
    await use_redis(monkeypatch)
    yield queue.saq_queue()
    await clear_queue(queue.saq_queue().redis)
    await queue.close()


async def test_a_second_enqueue_of_the_same_work_is_a_no_op_while_it_waits(on_redis):
    assert await queue.enqueue("round_deliver", round_id=7) is True
    assert await queue.enqueue("round_deliver", round_id=7) is False
    assert await queue.enqueue("round_deliver", round_id=8) is True
    assert await queue.enqueue("network_recompute", delay=60) is True
    assert await queue.enqueue("network_recompute") is False  # one recompute at a time, a waiting one included
    assert await queue.pending("round_deliver", round_id=7) and not await queue.pending("round_deliver", round_id=9)
    job = await on_redis.job("round-deliver:7")
    assert (job.retries, job.heartbeat, job.retry_backoff) == (5, queue.HEARTBEAT, queue.RETRY_MAX)
    found = await queue.overview()
    assert found.backend == "redis" and found.workers == 0
    assert sorted(r.key for r in found.queued) == ["network-recompute", "round-deliver:7", "round-deliver:8"]
    assert next(r for r in found.queued if r.key == "network-recompute").scheduled_at is not None


async def test_the_jobs_page_reads_the_queue(client, make_user, on_redis):
    from tests.fixtures import login

    await queue.enqueue("model_training", model_id=3)
    await make_user("root", "admin")
    await login(client, "root")
    page = await client.get("/admin/jobs")
    assert page.status_code == 200 and "model-training:3" in page.text
    assert "No job worker is running" in page.text


async def test_with_a_queue_the_web_process_only_enqueues_and_the_pages_show_it(
    client, make_user, make_org, monkeypatch
):
    from portal.db.tables import AllocationRound, Referral
    from tests.fixtures import post_form
    from tests.flows import round_setting, run_round

    await round_setting(client, make_user, make_org)  # logs the coordinator in
    round_id = await run_round(client)  # computed in-process (no queue yet)
    await use_redis(monkeypatch)
    try:
        # "Recompute now": the run's row at once (the progress bar polls it), the work on the queue.
        assert (await post_form(client, "/network/recompute", {})).status_code == 303
        row = (
            await NetworkSnapshot.select(NetworkSnapshot.id, NetworkSnapshot.status, NetworkSnapshot.progress)
            .order_by(NetworkSnapshot.id)
            .first()
        )
        assert row["status"] == "running" and row["progress"] == 0
        job = await queue.saq_queue().job("network-recompute")
        assert job.kwargs == {"run_id": row["id"]} and job.status.value == "queued"
        assert (await post_form(client, "/network/recompute", {})).status_code == 303
        assert await NetworkSnapshot.count() == 1  # one run at a time

        # Send: the round is marked sending and its delivery queued; no referral is made by the web process.
        assert (await post_form(client, f"/matching/rounds/{round_id}/send", {"message": "Hi"})).status_code == 303
        stored = await AllocationRound.select(AllocationRound.status).where(AllocationRound.id == round_id).first()
        assert stored["status"] == "sending" and await Referral.count() == 0
        assert await queue.pending("round_deliver", round_id=round_id)
        page = await client.get(f"/matching/rounds/{round_id}")
        assert "Sending…" in page.text and 'http-equiv="refresh"' in page.text and "Continue sending" not in page.text
        # Pressing Send again (another tab) queues nothing more.
        assert (await post_form(client, f"/matching/rounds/{round_id}/send", {})).status_code == 303
        assert (await queue.saq_queue().info())["queued"] == 2
    finally:
        await clear_queue(queue.saq_queue().redis)
    # Its job gone (Redis lost it): the page offers to continue, as after a crash.
    page = await client.get(f"/matching/rounds/{round_id}")
    assert "Sending did not finish" in page.text and "Continue sending" in page.text
    await queue.close()


def _start_worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [PORTAL, "worker", "--concurrency", "2"],
        env=env,
        cwd=ROOT,
        stdout=open(log, "w"),  # the process owns it
        stderr=subprocess.STDOUT,
    )


async def test_a_real_worker_takes_the_job_from_the_queue_and_runs_it(db, on_redis):
    from portal.network import services

    env = {**os.environ, "PORTAL_REDIS_URL": REDIS_URL, "PORTAL_NETWORK_RECOMPUTE": "manual"}
    log = Path(tempfile.mkdtemp(prefix="portal-worker-")) / "worker.log"
    worker = _start_worker(env, log)
    try:
        run_id = await services.start_run()  # as "Recompute now" does: the progress bar polls this row
        assert await queue.enqueue("network_recompute", run_id=run_id)
        deadline = time.monotonic() + 90  # a cold start imports the scientific stack
        job = None
        while time.monotonic() < deadline:
            job = await on_redis.job("network-recompute")
            if job is not None and job.status.value in ("complete", "failed", "aborted"):
                break
            assert worker.poll() is None, log.read_text()
            time.sleep(0.1)
        assert job is not None and job.status.value == "complete", (job, log.read_text()[-3000:])
        assert job.result == {"run": run_id} and job.worker_id
        row = await NetworkSnapshot.select(NetworkSnapshot.status).where(NetworkSnapshot.id == run_id).first()
        assert row["status"] == "done"
        print(f"job waited {job.duration('start')} ms for a worker, ran {job.duration('process')} ms")
        for _ in range(50):  # the worker lists a finished job just after finishing it
            found = await queue.overview()
            if found.completed:
                break
            time.sleep(0.05)
        assert found.workers == 1 and [r.key for r in found.completed] == ["network-recompute"], found

        # Picked up at once by a worker that is already running. SAQ's sweep may have taken the first
        # job, just dequeued and not yet marked active, for a lost one and queued it again
        # (tobymao/saq#277): it runs twice, harmlessly, and the same work is refused meanwhile.
        run_id = await services.start_run()
        deadline = time.monotonic() + 30
        while not await queue.enqueue("network_recompute", run_id=run_id):
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.1)
        queued = time.monotonic()
        while (job := await on_redis.job("network-recompute")).status.value != "complete":
            assert time.monotonic() - queued < 30, log.read_text()[-3000:]
            time.sleep(0.02)
        print(f"warm worker: picked up after {job.duration('start')} ms, done in {job.duration('total')} ms")
        assert job.duration("start") < 2000
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert worker.returncode == 0, log.read_text()[-3000:]
