"""Jobs without Redis: the same functions as asyncio tasks of this process, with a short record for the admin page.

One job per key at a time, as on the queue; no retries (a crash of the process ends its tasks, and the
hourly clean-up and the start-up finish or mark what they left). Under tests (``inline``) the caller
awaits each job, so no task outlives the test that started it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import traceback
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from portal.clock import utc_now
from portal.jobs.registry import JobKind

__all__ = ["JobRecord", "active", "is_pending", "recent", "submit"]

logger = logging.getLogger(__name__)
RECENT = 100  # finished jobs remembered for the admin page


@dataclass
class JobRecord:
    """One job as the admin page shows it (the queue's records are turned into these too)."""

    name: str
    key: str
    kwargs: dict[str, Any]
    status: str = "queued"  # queued, active, complete, failed, aborted
    queued_at: dt.datetime | None = field(default_factory=utc_now)
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    attempts: int = 0
    error: str = ""
    result: Any = None
    scheduled_at: dt.datetime | None = None


_active: dict[str, JobRecord] = {}
_recent: deque[JobRecord] = deque(maxlen=RECENT)
# The event loop keeps only weak references to tasks: hold them until they finish.
_tasks: set[asyncio.Task[Any]] = set()


def is_pending(key: str) -> bool:
    return key in _active


def active() -> list[JobRecord]:
    return list(_active.values())


def recent() -> list[JobRecord]:
    return list(_recent)


def forget_recent() -> None:
    """Forget the finished jobs remembered (the test suite, when it empties the database)."""
    _recent.clear()


async def submit(kind: JobKind, kwargs: dict[str, Any], *, delay: float = 0.0, awaited: bool = False) -> bool:
    """Run the job now (awaited) or as a task; False when the same work is already waiting or running here.

    An awaited job's exception reaches the caller (as before there was a queue); a task's is recorded.
    """
    key = kind.key(kwargs)
    if key in _active:
        return False
    record = JobRecord(name=kind.name, key=key, kwargs=dict(kwargs))
    if delay:
        record.scheduled_at = utc_now() + dt.timedelta(seconds=delay)
    _active[key] = record
    if awaited:
        await _execute(kind, record, delay, reraise=True)
        return True
    task = asyncio.get_running_loop().create_task(_execute(kind, record, delay, reraise=False), name=key)
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)
    return True


async def _execute(kind: JobKind, record: JobRecord, delay: float, reraise: bool) -> None:
    try:
        if delay:
            await asyncio.sleep(delay)
        record.status, record.started_at, record.attempts = "active", utc_now(), 1
        record.result = await asyncio.wait_for(kind.function()(**record.kwargs), kind.timeout)
        record.status = "complete"
    except asyncio.CancelledError:
        record.status, record.error = "aborted", "stopped with the server"
        raise
    except Exception:
        record.status, record.error = "failed", traceback.format_exc(limit=20)
        logger.exception("job %s failed", record.key)
        if reraise:
            raise
    finally:
        record.finished_at = utc_now()
        _active.pop(record.key, None)
        _recent.appendleft(record)
