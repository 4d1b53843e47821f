"""Long matching work (allocation rounds, retraining) off the request path, or awaited under tests."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from portal.network.jobs import inline

__all__ = ["launch"]

# The event loop keeps only weak references to tasks: hold them until they finish.
_running: set[asyncio.Task[object]] = set()


async def launch(work: Callable[[], Awaitable[object]], name: str) -> None:
    """Start ``work()`` as a background task of this process.

    With ``PORTAL_NETWORK_RECOMPUTE=inline`` (the test setting) the caller awaits it instead,
    so no task outlives the request, or the test, that started it. ``work`` must record its own
    failure (the rows carry a status); an exception escaping it is only logged by asyncio.
    """
    if inline():
        await work()
        return
    task = asyncio.get_running_loop().create_task(work(), name=name)
    _running.add(task)
    task.add_done_callback(_running.discard)
