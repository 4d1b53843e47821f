"""The job functions the registry names: each safe to run twice, or again after its process died half way.

Each returns a small JSON summary (SAQ stores it with the job). The work itself stays in its area's
services; these only check first that the work is still wanted (a round still running, a training
still running), so a retry after a crash, or a second delivery of the same job, does no harm.
"""

from __future__ import annotations

import logging
from typing import Any

from portal.clock import utc_now
from portal.jobs.runs import RUNNING

logger = logging.getLogger(__name__)


async def network_recompute(run_id: int | None = None) -> dict[str, Any]:
    """One network recompute; with ``run_id`` it fills the run row a page made when the job was asked for."""
    from portal.network import jobs

    return {"run": await jobs.run(run_id)}


async def network_check() -> dict[str, Any]:
    """Recompute the network when its data changed after the newest run started (in any process)."""
    from portal.network import jobs

    if not jobs.automatic():
        return {"stale": None}
    stale = await jobs.changed_since_last_run()
    if stale:
        await jobs.recompute_soon()
    return {"stale": stale}


async def round_run(round_id: int) -> dict[str, Any]:
    """Compute an allocation round that is still ``running`` (a retry after a crash computes it afresh:
    its proposals and its ``ready`` status are written in one transaction, so nothing half-done is left)."""
    from portal.matching_service import round_runs, rounds

    status = await rounds.RUNS.status_of(round_id)
    if status != RUNNING:
        return {"skipped": status or "missing"}
    await round_runs.run_round(round_id)
    return {"status": await rounds.RUNS.status_of(round_id)}


async def round_deliver(round_id: int) -> dict[str, Any]:
    """Make the referrals of a ``sending`` round (:func:`portal.matching_service.rounds.deliver`: resumable, never twice)."""
    from portal.matching_service import rounds

    try:
        result = await rounds.deliver(round_id)
    except (rounds.Refused, rounds.NotFound):
        return {"skipped": "not sending"}  # sent already (by an earlier attempt, or another worker)
    return {"sent": len(result.sent), "refused": len(result.refused)}


async def model_training(model_id: int) -> dict[str, Any]:
    """Train the outcome model into row ``model_id`` while it is still ``running``."""
    from portal.matching_service import training

    status = await training.RUNS.status_of(model_id)
    if status != RUNNING:
        return {"skipped": status or "missing"}
    await training.run_training(model_id)
    return {"status": await training.RUNS.status_of(model_id)}


async def retention() -> dict[str, Any]:
    """The daily retention job (:func:`portal.privacy.retention.run_retention`); its report goes to the log."""
    from portal.privacy.retention import run_retention

    report = await run_retention(utc_now(), dry_run=False)
    for line in report.lines():
        logger.info("retention: %s", line)
    return {"pseudonymised": len(report.cases), "failed": report.failed, "removed": report.limits}


async def cleanup() -> dict[str, Any]:
    """Hourly: runs whose process died are marked failed, and rounds whose sending stopped are sent on.

    A run still ``running`` past its area's limit (the pages already show it as failed) gets a failed
    status with the reason, so the record says what the page says. Expired sessions, login attempts and
    tokens are the retention job's (daily).
    """
    from portal.db.tables import AllocationRound
    from portal.downloads import exports
    from portal.jobs.queue import enqueue
    from portal.matching_service import rounds, training
    from portal.network import services as network

    now = utc_now()
    reason = "stopped: the process running it ended before it finished"
    done = {}
    for runs in (rounds.RUNS, network.RUNS, training.RUNS, exports.RUNS):
        done[runs.table._meta.tablename] = await runs.fail_stale(reason, now)
    sending = await AllocationRound.select(AllocationRound.id).where(AllocationRound.status == rounds.SENDING)
    for row in sending:
        await enqueue("round_deliver", round_id=row["id"])  # a no-op while its delivery is queued or running
    done["rounds_sent_on"] = len(sending)
    return done
