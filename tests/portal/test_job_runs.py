"""The one run lifecycle (portal.jobs.runs) on a table with a progress bar and on one without."""

from __future__ import annotations

import datetime as dt
import logging

from portal.db.tables import NetworkPlan, OutcomeModel
from portal.jobs.runs import Runs

OUTCOME_RUNS = Runs(OutcomeModel, dt.timedelta(minutes=30))
PLAN_RUNS = Runs(NetworkPlan, dt.timedelta(minutes=35))
logger = logging.getLogger(__name__)


async def _row(table, run_id: int) -> dict:
    return await table.select().where(table.id == run_id).first()


async def test_a_run_starts_reports_progress_and_finishes(make_user):
    user = await make_user("ana", "admin")
    model_id = await OUTCOME_RUNS.start(trained_by=user, weights="{}", report="{}")
    row = await _row(OutcomeModel, model_id)
    assert (row["status"], row["error"], row["finished_at"]) == ("running", "", None)
    assert OUTCOME_RUNS.is_running(row) and not OUTCOME_RUNS.is_stale(row)
    assert (await OUTCOME_RUNS.newest_running())["id"] == model_id
    await OUTCOME_RUNS.finish(model_id, outcomes=42, in_use=True)
    row = await _row(OutcomeModel, model_id)
    assert (row["status"], row["outcomes"], row["in_use"]) == ("done", 42, True)
    assert row["finished_at"] is not None and await OUTCOME_RUNS.newest_running() is None
    assert await OUTCOME_RUNS.status_of(model_id) == "done" and await OUTCOME_RUNS.status_of(10**6) is None


async def test_a_failure_inside_a_run_is_recorded_not_raised(make_user):
    await make_user("ana", "admin")
    model_id = await OUTCOME_RUNS.start(weights="{}", report="{}")
    async with OUTCOME_RUNS.recorded(model_id, logger, "test run"):
        raise RuntimeError("x" * 3000)
    row = await _row(OutcomeModel, model_id)
    assert row["status"] == "failed" and row["error"].startswith("RuntimeError: xxx") and len(row["error"]) == 2000


async def test_a_stale_run_shows_as_failed_and_may_start_again(make_user):
    user = await make_user("ana", "coordinator")
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    rows = await NetworkPlan.insert(
        NetworkPlan(name="Plan", created_by=user, created_at=long_ago, updated_at=long_ago, error="")
    )
    plan_id = rows[0]["id"]
    assert await PLAN_RUNS.restart(plan_id)  # a draft starts
    assert not await PLAN_RUNS.restart(plan_id)  # not twice at once
    await PLAN_RUNS.progress(plan_id, 40)
    row = await _row(NetworkPlan, plan_id)
    assert (row["status"], row["progress"], PLAN_RUNS.shown_status(row)) == ("running", 40, "running")
    await NetworkPlan.update({NetworkPlan.started_at: long_ago}).where(NetworkPlan.id == plan_id)
    row = await _row(NetworkPlan, plan_id)
    assert PLAN_RUNS.is_stale(row) and PLAN_RUNS.shown_status(row) == "failed"
    assert await PLAN_RUNS.restart(plan_id)  # its process died: it may run again, from 0
    assert (await _row(NetworkPlan, plan_id))["progress"] == 0
    await NetworkPlan.update({NetworkPlan.started_at: long_ago}).where(NetworkPlan.id == plan_id)
    assert await PLAN_RUNS.fail_stale("stopped", dt.datetime.now(dt.UTC)) == 1
    row = await _row(NetworkPlan, plan_id)
    assert (row["status"], row["error"]) == ("failed", "stopped") and row["finished_at"] is not None
    assert await PLAN_RUNS.fail_stale("stopped", dt.datetime.now(dt.UTC)) == 0
