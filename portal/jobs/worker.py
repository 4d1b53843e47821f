"""`portal worker`: a SAQ worker that runs the registered jobs from Redis and the scheduled ones.

Any number of workers may run: a job is taken by one of them, and each scheduled job is enqueued under
one key, so it runs once per schedule whatever the number of workers. A worker that dies mid-job stops
touching the job's record; within HEARTBEAT seconds a live worker's sweep puts the job back on the
queue, and its function (portal.jobs.functions) carries on without doing anything twice.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
from typing import Any

from portal.jobs import registry
from portal.jobs.queue import HEARTBEAT, KEPT, remember_finished, saq_queue

__all__ = ["run_worker", "saq_function"]

logger = logging.getLogger(__name__)
BEAT_EVERY = 2.0  # seconds between a running job's heartbeats
SWEEP_EVERY = 5  # seconds between looks for jobs whose worker died
PRELOAD = (
    "portal.jobs.functions",
    "portal.matching_service.rounds",
    "portal.matching_service.round_runs",
    "portal.matching_service.training",
    "portal.network.jobs",
    "portal.network.services",
    "portal.privacy.retention",
)


def saq_function(kind: registry.JobKind) -> Any:
    """The registry's function as SAQ calls it (``ctx`` first), beating the job's heart while it runs."""

    async def run(ctx: dict[str, Any], **kwargs: Any) -> Any:
        beat = asyncio.create_task(_beat(ctx["job"]))
        try:
            return await kind.function()(**kwargs)
        finally:
            beat.cancel()

    # SAQ names functions (and the cron jobs' keys) by __qualname__: the registry's name.
    run.__name__ = run.__qualname__ = kind.name
    return run


async def _beat(job: Any) -> None:
    while True:
        await asyncio.sleep(BEAT_EVERY)
        try:
            await job.update()
        except Exception:  # Redis away for a moment: the next beat tries again
            logger.warning("could not touch job %s", job.key, exc_info=True)


async def _startup(ctx: dict[str, Any]) -> None:
    from threadpoolctl import threadpool_limits

    from portal.db.engine import open_pool, prepare_sqlite
    from portal.db.piccolo_conf import DB

    threadpool_limits(1, user_api="blas")  # as in the web workers: one BLAS thread per process
    # Import what the jobs use now: an import inside a running job holds the event loop for seconds, and
    # with it the job's heartbeat.
    for module in PRELOAD:
        importlib.import_module(module)
    await prepare_sqlite(DB)
    await open_pool(DB)
    ctx["resume"] = asyncio.create_task(_resume_sending_rounds())


async def _resume_sending_rounds() -> None:
    """Finish the rounds whose sending stopped (a worker killed mid-delivery); safe beside a retry of its job."""
    from portal.matching_service import rounds

    try:
        if resumed := await rounds.resume_interrupted():
            logger.info("finished sending %d interrupted allocation round(s)", resumed)
    except Exception:  # the hourly clean-up enqueues them again
        logger.exception("could not resume interrupted allocation rounds")


async def _shutdown(ctx: dict[str, Any]) -> None:
    from portal.db.engine import close_pool
    from portal.db.piccolo_conf import DB

    resume = ctx.get("resume")
    if resume is not None and not resume.done():
        resume.cancel()
    await close_pool(DB)


async def _after_process(ctx: dict[str, Any]) -> None:
    job = ctx.get("job")
    if job is not None:
        await remember_finished(job.key)


def build_worker(concurrency: int) -> Any:
    from saq import CronJob, Worker

    functions = {name: saq_function(kind) for name, kind in registry.KINDS.items()}
    cron_jobs = [
        CronJob(functions[kind.name], cron=kind.cron, timeout=kind.timeout, heartbeat=HEARTBEAT, ttl=KEPT)
        for kind in registry.KINDS.values()
        if kind.cron
    ]
    return Worker(
        saq_queue(),
        functions=list(functions.values()),
        concurrency=concurrency,
        cron_jobs=cron_jobs,
        startup=_startup,
        shutdown=_shutdown,
        after_process=_after_process,
        # saq's PartialTimersDict leaves its base's keys required; the Worker defaults the others.
        timers={"sweep": SWEEP_EVERY},  # type: ignore[arg-type]
        # SIGTERM stops at once: a running job is cancelled (its open transaction rolls back) and put back on
        # the queue for the next worker; the jobs are made to be run again. (A grace period would make every
        # stop wait that long, as SAQ's idle tasks never finish by themselves.)
        shutdown_grace_period_s=0,
    )


def run_worker(concurrency: int) -> None:
    """Run a worker until SIGINT or SIGTERM."""

    async def main() -> None:
        worker = build_worker(concurrency)
        try:
            await worker.queue.connect()
            await worker.start()
        finally:
            await worker.queue.disconnect()

    asyncio.run(main())
