"""Recomputing the network snapshot off the request path: debounced after changes, or at once on request.

One asyncio task per process runs the stages; the CPU-bound ones go to a worker thread
(``anyio.to_thread.run_sync``) so requests keep being served, and the run's row records
its progress between stages for the polling progress bar. With ``PORTAL_NETWORK_RECOMPUTE=manual``
changes only mark the snapshot stale and a run starts only when someone asks; with ``PORTAL_JOBS=inline``
(the default under tests, with ``manual``) a requested run is also awaited by the request that asked, so no
task outlives the test that started it.

With a job queue (PORTAL_REDIS_URL) the runs are jobs of `portal worker` instead (portal.jobs): a change
enqueues one debounced run for all web workers, "Recompute now" makes the run's row at once (so the
progress bar shows from the first poll) and enqueues the job that fills it, and the worker's
``network_check`` finds changes that arrived while a run was under way.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import anyio

from portal.db.tables import (
    NetworkSnapshot,
    Opportunity,
    Organisation,
    Participant,
    Referral,
    Relationship,
    TrainingRegistration,
)
from portal.jobs import queue, registry, runner
from portal.jobs.queue import inline
from portal.jobs.runs import RUNNING
from portal.memory import release_free_memory
from portal.network import services
from portal.settings import get_settings

__all__ = [
    "DEBOUNCE_SECONDS",
    "changed_since_last_run",
    "is_busy",
    "on_startup",
    "recompute_soon",
    "request_recompute",
    "run",
    "start_now",
    "wait",
]

logger = logging.getLogger(__name__)
# Changes arrive in bursts (an import, a coordinator editing ties): one run after they settle.
DEBOUNCE_SECONDS = 3.0


class _State:
    task: asyncio.Task[Any] | None = None
    dirty: bool = False
    requested_at: float = 0.0


_state = _State()
# Enqueueing tasks started from synchronous callers (the loop keeps only weak references).
_enqueueing: set[asyncio.Task[Any]] = set()


def automatic() -> bool:
    return get_settings().network_recompute == "auto"


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
    if queue.uses_redis():
        task = loop.create_task(recompute_soon(), name="network-recompute-enqueue")
        _enqueueing.add(task)
        task.add_done_callback(_enqueueing.discard)
        return
    if _state.task is None or _state.task.done():
        _state.task = loop.create_task(_debounced(), name="network-recompute")


def is_stale() -> bool:
    """Changes were made since the last run started (in this process)."""
    return _state.dirty


def is_busy() -> bool:
    """A run is waiting for changes to settle or is under way in this process."""
    return _state.task is not None and not _state.task.done()


async def recompute_soon() -> None:
    """After changes: one run once they settle (in a worker with Redis; here otherwise)."""
    if not queue.uses_redis():
        request_recompute()
        return
    try:
        await queue.enqueue("network_recompute", delay=DEBOUNCE_SECONDS)
    except Exception:  # Redis away: the worker's network_check finds the change within a minute
        logger.warning("could not enqueue a network recompute", exc_info=True)


async def changed_since_last_run() -> bool:
    """Whether the network's data changed after the newest run (running, done or failed) started."""
    newest = (
        await NetworkSnapshot.select(NetworkSnapshot.started_at).order_by(NetworkSnapshot.id, ascending=False).first()
    )
    if newest is None:
        return True
    for table in (Organisation, Relationship, Referral, Participant, Opportunity):
        if await table.exists().where(table.updated_at > newest["started_at"]):
            return True
    # Attendance recorded since: new "met at" ties between organisations.
    attendance = TrainingRegistration.attendance_recorded_at
    return await TrainingRegistration.exists().where(attendance > newest["started_at"])


async def _tracked_run() -> None:
    """A run in this process, listed on the admin's jobs page like a queued one."""
    await runner.submit(registry.kind("network_recompute"), {}, awaited=True)


async def _debounced() -> None:
    while _state.dirty and automatic():
        wait_for = _state.requested_at + DEBOUNCE_SECONDS - time.monotonic()
        if wait_for > 0:
            await asyncio.sleep(wait_for)
            continue
        await _tracked_run()


async def start_now() -> bool:
    """'Recompute now': start a run in the background unless one is waiting or under way anywhere."""
    if inline() and not queue.uses_redis():
        await _tracked_run()
        return True
    if queue.uses_redis():
        return await _enqueue_now()
    if is_busy():
        _state.requested_at = 0.0  # a debounced run starts at its next wake-up
        return False
    if (await services.run_status())["running"]:
        return False  # another process is computing
    _state.task = asyncio.get_running_loop().create_task(_run_then_settle(), name="network-recompute")
    return True


async def _enqueue_now() -> bool:
    if (await services.run_status())["running"]:
        return False
    run_id = await services.start_run()  # the progress bar polls this row from now on
    queued = False
    try:
        queued = await queue.enqueue("network_recompute", run_id=run_id)
        return queued
    finally:
        # Not queued: one is already waiting (a debounced run that starts within seconds) or running, and
        # does the work; or Redis did not answer (the request answers 503). Either way no row of its own.
        if not queued:
            await NetworkSnapshot.delete().where((NetworkSnapshot.id == run_id) & (NetworkSnapshot.status == "running"))


async def _run_then_settle() -> None:
    await _tracked_run()
    await _debounced()  # changes made while it ran


async def wait() -> None:
    """Until this process's run (if any) has finished."""
    while (task := _state.task) is not None and not task.done():  # is_busy()
        await asyncio.shield(task)


async def on_startup() -> None:
    """With automatic recomputation, compute at once when there is no snapshot yet (a new database)."""
    if not automatic():
        return
    try:
        missing = (await services.run_status())["computed_at"] is None
    except Exception:  # e.g. a database not migrated yet: serving matters more than the picture
        logger.warning("could not read the network snapshot; run `portal migrate`", exc_info=True)
        return
    if missing and queue.uses_redis():
        try:
            await queue.enqueue("network_recompute")
        except Exception:  # Redis away: the worker's network_check computes it once both are up
            logger.warning("could not enqueue the first network recompute", exc_info=True)
    elif missing:
        request_recompute()
        _state.requested_at = 0.0


async def run(run_id: int | None = None) -> int:
    """One whole run, stage by stage, recording progress; returns the run's id. Never raises
    for a failed computation: the run is marked failed with the reason and the old snapshot stays.

    ``run_id``: a row made when the run was asked for; a run that finished or failed meanwhile (an
    earlier attempt of the same job) is left as it is. The snapshot is written only at the end.
    """
    _state.dirty = False
    if run_id is not None:
        status = await services.RUNS.status_of(run_id)
        if status is not None and status != RUNNING:
            return run_id
        if status is None:
            run_id = None
    if run_id is None:
        run_id = await services.start_run()
    runs = services.RUNS
    async with runs.recorded(run_id, logger, "network recomputation"):
        records = await services.load_records()
        await runs.progress(run_id, 10)
        G = await anyio.to_thread.run_sync(services.build, records)
        await runs.progress(run_id, 20)
        summary = await anyio.to_thread.run_sync(services.metrics, G)
        await runs.progress(run_id, 55)
        gaps = await anyio.to_thread.run_sync(services.gaps, records)
        del records  # hundreds of MB at a country's scale: not held through the stages that follow
        await runs.progress(run_id, 60)
        found = await anyio.to_thread.run_sync(services.suggestions, G)
        await runs.progress(run_id, 80)
        positions = await anyio.to_thread.run_sync(services.layout, G)
        await runs.progress(run_id, 92)

        results = await anyio.to_thread.run_sync(services.stored, G, summary, positions, gaps, found)
        # Only the text is left to write, and the driver copies it (about 180 MB more at a country's
        # scale): the graph and the stages' results go first, and what they held back to the system.
        del G, summary, gaps, found, positions
        release_free_memory()
        await services.finish_run(run_id, results)
    return run_id
