"""The scheduled jobs in the web process when there is no job queue (with one, `portal worker` runs them).

Each job with a ``cron`` in the registry is enqueued at its times (croniter, UTC), as SAQ's scheduler
does on the queue; the in-process runner skips one whose previous run has not finished.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from croniter import croniter

from portal.clock import utc_now
from portal.jobs import registry
from portal.jobs.queue import enqueue

__all__ = ["start", "stop"]

logger = logging.getLogger(__name__)

_task: asyncio.Task | None = None


def next_runs(after: dt.datetime) -> list[tuple[dt.datetime, str]]:
    """When each scheduled job runs next after ``after``, soonest first: (moment, job name)."""
    return sorted(
        (croniter(kind.cron, after).get_next(dt.datetime), kind.name) for kind in registry.KINDS.values() if kind.cron
    )


async def _tick() -> None:
    while True:
        now = utc_now()
        due = next_runs(now)
        moment = due[0][0]
        await asyncio.sleep(max(0.0, (moment - utc_now()).total_seconds()))
        for at, name in due:
            if at != moment:
                break
            try:
                await enqueue(name)
            except Exception:  # a bad day must not end the schedule; the next time tries again
                logger.exception("scheduled job %s could not start", name)


def start() -> asyncio.Task:
    """Start the schedule in this process (each web worker runs its own: the jobs are idempotent)."""
    global _task
    if _task is None or _task.done():
        _task = asyncio.get_running_loop().create_task(_tick(), name="job-schedule")
    return _task


async def stop() -> None:
    global _task
    if _task is not None:
        _task.cancel()
        try:
            await _task
        except asyncio.CancelledError:
            pass
        _task = None
