"""The suite's Redis database and how to empty the portal's job queue in it (job-queue and worker-kill tests)."""

from __future__ import annotations

import os

from portal.jobs import queue
from tests.conftest import WORKER


def _worker_database(url: str) -> str:
    """``url`` with its database number moved on by the pytest-xdist worker's (gw0: as given, gw1: the next)."""
    base, _, number = url.rpartition("/")
    return f"{base}/{int(number or 0) + int(WORKER.removeprefix('gw') or 0)}"


# Database 6 of the machine's Redis is this suite's (7, 8, ... for further pytest-xdist workers; the same
# for one given in PORTAL_TEST_REDIS_URL: the tests empty the queue); nothing else is touched.
REDIS_URL = _worker_database(os.environ.get("PORTAL_TEST_REDIS_URL", "redis://127.0.0.1:6379/6"))


def redis_answers() -> bool:
    """Whether the test Redis answers (the tests that need it are skipped otherwise)."""
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=1, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


async def clear_queue(redis) -> None:
    """Remove the portal queue's jobs and keys from the test Redis database."""
    for pattern in (f"saq:{queue.QUEUE_NAME}:*", f"saq:job:{queue.QUEUE_NAME}:*", "saq:abort:*", queue.RECENT_KEY):
        keys = [key async for key in redis.scan_iter(match=pattern)]
        if keys:
            await redis.delete(*keys)
