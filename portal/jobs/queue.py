"""Enqueueing jobs: on SAQ's Redis queue when PORTAL_REDIS_URL is set, else in this process (portal.jobs.runner).

A job's key (portal.jobs.registry) makes a second enqueue of the same work a no-op while the first is
queued or running, on the queue as in-process. On the queue a job is retried with backoff when it
raises, times out or its worker dies (a worker that stops beating its heart is swept by a live one).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from portal.jobs import registry, runner
from portal.jobs.runner import JobRecord
from portal.settings import get_settings

if TYPE_CHECKING:
    from saq.queue.redis import RedisQueue

__all__ = ["HEARTBEAT", "Overview", "close", "enqueue", "inline", "overview", "pending", "saq_queue", "uses_redis"]

logger = logging.getLogger(__name__)
QUEUE_NAME = "portal"
# A running job touches its record this often (portal.jobs.worker); one untouched for HEARTBEAT seconds
# belongs to a dead worker, and a live worker's sweep puts it back on the queue.
HEARTBEAT = 10
RETRY_DELAY = 5.0  # seconds before the first retry; doubled each time (with jitter) up to RETRY_MAX
RETRY_MAX = 60.0
KEPT = 7 * 24 * 3600  # seconds a finished job's record (result or error) stays readable
RECENT_KEY = f"portal:jobs:{QUEUE_NAME}:recent"  # the newest finished job keys, for the admin page
RECENT = 200

_queue: RedisQueue | None = None


def uses_redis() -> bool:
    return bool(get_settings().redis_url)


def saq_queue() -> RedisQueue:
    """This process's queue (one Redis connection pool per process)."""
    global _queue
    if _queue is None:
        from saq.queue.redis import RedisQueue

        _queue = RedisQueue.from_url(get_settings().redis_url, name=QUEUE_NAME)
    return _queue


async def close() -> None:
    global _queue
    if _queue is not None:
        queue, _queue = _queue, None
        try:
            await queue.disconnect()
        except Exception:  # Redis already gone: nothing left to close cleanly
            logger.warning("could not close the job queue's connections", exc_info=True)


def inline() -> bool:
    """Whether a job asked for in this process is awaited by the asker (PORTAL_JOBS=inline, the tests' default)."""
    return get_settings().jobs_inline


async def enqueue(name: str, *, delay: float = 0.0, **kwargs: Any) -> bool:
    """Run job ``name`` with ``kwargs`` in the background (after ``delay`` seconds); False when the same
    work is already queued or running. Without Redis it runs in this process; jobs marked
    ``awaited_in_process`` (and every job under tests) are awaited by the caller there."""
    kind = registry.kind(name)
    if not uses_redis():
        return await runner.submit(kind, kwargs, delay=delay, awaited=kind.awaited_in_process or inline())
    from saq.job import Job

    job = Job(
        function=kind.name,
        kwargs=kwargs,
        key=kind.key(kwargs),
        timeout=kind.timeout,
        heartbeat=HEARTBEAT,
        retries=kind.retries,
        retry_delay=RETRY_DELAY,
        retry_backoff=RETRY_MAX,
        ttl=KEPT,
        scheduled=int(time.time() + delay) if delay else 0,
    )
    return await saq_queue().enqueue(job) is not None


async def pending(name: str, **kwargs: Any) -> bool:
    """Whether job ``name`` with ``kwargs`` is queued or running (anywhere, with Redis)."""
    kind = registry.kind(name)
    key = kind.key(kwargs)
    if not uses_redis():
        return runner.is_pending(key)
    from saq.job import ACTIVE_STATUSES

    job = await saq_queue().job(key)
    return job is not None and job.status in ACTIVE_STATUSES


# --- what the admin page shows ----------------------------------------------------------------------


@dataclass
class Overview:
    """Jobs by state, each list at most ``limit`` long; ``workers`` is None without a queue."""

    backend: str
    workers: int | None
    queued: list[JobRecord]
    running: list[JobRecord]
    failed: list[JobRecord]
    completed: list[JobRecord]


def _moment(millis: int) -> dt.datetime | None:
    return dt.datetime.fromtimestamp(millis / 1000, dt.UTC) if millis else None


def _record(job: Any) -> JobRecord:
    return JobRecord(
        name=job.function,
        key=job.key,
        kwargs=dict(job.kwargs or {}),
        status=job.status.value,
        queued_at=_moment(job.queued),
        started_at=_moment(job.started),
        finished_at=_moment(job.completed),
        attempts=job.attempts,
        error=job.error or "",
        result=job.result,
        scheduled_at=dt.datetime.fromtimestamp(job.scheduled, dt.UTC) if job.scheduled else None,
    )


async def overview(limit: int = 50) -> Overview:
    """Queued, running, failed and recently completed jobs, newest first, each list capped at ``limit``."""
    if not uses_redis():
        active = runner.active()
        finished = runner.recent()
        return Overview(
            backend="in-process",
            workers=None,
            queued=[r for r in active if r.status == "queued"][:limit],
            running=[r for r in active if r.status == "active"][:limit],
            failed=[r for r in finished if r.status in ("failed", "aborted")][:limit],
            completed=[r for r in finished if r.status == "complete"][:limit],
        )
    queue = saq_queue()
    redis = queue.redis
    info = await queue.info()
    # Running jobs are on the active list; queued, scheduled and retrying ones in the incomplete set.
    # redis-py types each command for its sync and async clients at once (Awaitable[T] | T); this one is async.
    ids = list(
        dict.fromkeys(
            await redis.lrange(queue.namespace("active"), 0, limit - 1)  # type: ignore[misc]
            + await redis.zrange(queue.namespace("incomplete"), 0, 2 * limit - 1)
        )
    )
    waiting = [_record(job) for job in map(queue.deserialize, await redis.mget(ids) if ids else []) if job]
    recent = await redis.lrange(RECENT_KEY, 0, RECENT - 1)  # type: ignore[misc]  # async client (see above)
    keys = list(dict.fromkeys(key.decode() for key in recent))
    finished = [_record(job) for job in await queue.jobs(keys) if job is not None] if keys else []
    finished = [r for r in finished if r.status in ("complete", "failed", "aborted")]
    return Overview(
        backend="redis",
        workers=len(info["workers"]),
        queued=[r for r in waiting if r.status in ("new", "queued")][:limit],
        running=[r for r in waiting if r.status in ("active", "aborting")][:limit],
        failed=[r for r in finished if r.status != "complete"][:limit],
        completed=[r for r in finished if r.status == "complete"][:limit],
    )


async def remember_finished(key: str) -> None:
    """Called by the worker after each job: keep its key among the newest, for :func:`overview`."""
    redis = saq_queue().redis
    async with redis.pipeline(transaction=True) as pipe:
        # redis-py types lpush for both clients; on a pipeline it returns the pipeline.
        await pipe.lpush(RECENT_KEY, key).ltrim(RECENT_KEY, 0, RECENT - 1).execute()  # type: ignore[union-attr]
