"""Recomputing the network snapshot off the request path: debounced after changes, or at once on request.

One asyncio task per process runs the stages; the CPU-bound ones go to a worker thread
(``anyio.to_thread.run_sync``) so requests keep being served, and the run's row records
its progress between stages for the polling progress bar. With ``PORTAL_NETWORK_RECOMPUTE=manual``
changes only mark the snapshot stale and a run starts only when someone asks; with ``inline``
(the default under tests) a requested run is also awaited by the request that asked, so no
task outlives the test that started it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import anyio

from portal.network import services
from portal.settings import get_settings

__all__ = ["DEBOUNCE_SECONDS", "is_busy", "on_startup", "request_recompute", "run", "start_now", "wait"]

logger = logging.getLogger(__name__)
# Changes arrive in bursts (an import, a coordinator editing ties): one run after they settle.
DEBOUNCE_SECONDS = 3.0


class _State:
    task: asyncio.Task[Any] | None = None
    dirty: bool = False
    requested_at: float = 0.0


_state = _State()


def automatic() -> bool:
    return get_settings().network_recompute == "auto"


def inline() -> bool:
    return get_settings().network_recompute == "inline"


def request_recompute() -> None:
    """The network changed: recompute once the changes settle (only marks it stale when manual)."""
    _state.dirty = True
    _state.requested_at = time.monotonic()
    if not automatic():
        return
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return  # no event loop (a synchronous caller): the next run picks the change up
    if _state.task is None or _state.task.done():
        _state.task = loop.create_task(_debounced(), name="network-recompute")


def is_stale() -> bool:
    """Changes were made since the last run started (in this process)."""
    return _state.dirty


def is_busy() -> bool:
    """A run is waiting for changes to settle or is under way in this process."""
    return _state.task is not None and not _state.task.done()


async def _debounced() -> None:
    while _state.dirty and automatic():
        wait_for = _state.requested_at + DEBOUNCE_SECONDS - time.monotonic()
        if wait_for > 0:
            await asyncio.sleep(wait_for)
            continue
        await run()


async def start_now() -> bool:
    """'Recompute now': start a run in the background unless one is waiting or under way anywhere."""
    if inline():
        await run()
        return True
    if is_busy():
        _state.requested_at = 0.0  # a debounced run starts at its next wake-up
        return False
    if (await services.run_status())["running"]:
        return False  # another process is computing
    _state.task = asyncio.get_running_loop().create_task(_run_then_settle(), name="network-recompute")
    return True


async def _run_then_settle() -> None:
    await run()
    await _debounced()  # changes made while it ran


async def wait() -> None:
    """Until this process's run (if any) has finished."""
    while is_busy():
        await asyncio.shield(_state.task)


async def on_startup() -> None:
    """With automatic recomputation, compute at once when there is no snapshot yet (a new database)."""
    if not automatic():
        return
    try:
        missing = (await services.run_status())["computed_at"] is None
    except Exception:  # e.g. a database not migrated yet: serving matters more than the picture
        logger.warning("could not read the network snapshot; run `portal migrate`", exc_info=True)
        return
    if missing:
        request_recompute()
        _state.requested_at = 0.0


async def run() -> int:
    """One whole run, stage by stage, recording progress; returns the run's id. Never raises
    for a failed computation: the run is marked failed with the reason and the old snapshot stays."""
    _state.dirty = False
    run_id = await services.start_run()
    started = time.perf_counter()
    try:
        records = await services.load_records()
        await services.report_progress(run_id, 10)
        G = await anyio.to_thread.run_sync(services.build, records)
        await services.report_progress(run_id, 20)
        summary = await anyio.to_thread.run_sync(services.metrics, G)
        await services.report_progress(run_id, 55)
        gaps = await anyio.to_thread.run_sync(services.gaps, records)
        await services.report_progress(run_id, 60)
        found = await anyio.to_thread.run_sync(services.suggestions, G)
        await services.report_progress(run_id, 80)
        positions = await anyio.to_thread.run_sync(services.layout, G)
        await services.report_progress(run_id, 92)

        def _serialise() -> dict[str, str]:
            return services.serialise(summary, services.elements(G, summary, positions), gaps, found)

        await services.finish_run(run_id, await anyio.to_thread.run_sync(_serialise))
    except Exception as exc:  # the computation's failure is reported on the page, not raised
        logger.exception("network recomputation %s failed", run_id)
        await services.fail_run(run_id, f"{type(exc).__name__}: {exc}")
    else:
        logger.info("network recomputation %s took %.2f s", run_id, time.perf_counter() - started)
    return run_id
