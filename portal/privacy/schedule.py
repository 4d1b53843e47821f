"""The retention job once a day while `portal serve` runs (a later job queue replaces this loop, not the job)."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from portal.privacy.retention import run_retention

logger = logging.getLogger(__name__)

FIRST_RUN_AFTER = 60.0  # seconds: let the server finish starting first
EVERY = 24 * 3600.0

_task: asyncio.Task | None = None


async def _daily(first_after: float, every: float) -> None:
    await asyncio.sleep(first_after)
    while True:
        try:
            report = await run_retention(dt.datetime.now(dt.UTC), dry_run=False)
            for line in report.lines():
                logger.info("retention: %s", line)
        except Exception:  # a bad day must not end the schedule; the next run tries again
            logger.exception("retention run failed")
        await asyncio.sleep(every)


def start(first_after: float = FIRST_RUN_AFTER, every: float = EVERY) -> asyncio.Task:
    """Start the daily loop in this process (each worker runs its own: the job is idempotent)."""
    global _task
    if _task is None or _task.done():
        _task = asyncio.get_running_loop().create_task(_daily(first_after, every), name="retention")
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
