"""Jobs without Redis: one registry, run in-process once per key (awaited under tests), the admin's jobs page,
idempotent job functions, the hourly clean-up and the schedule."""

from __future__ import annotations

import asyncio
import datetime as dt
import json

import pytest
from click.testing import CliRunner
from croniter import croniter

from portal.db.tables import AllocationRound, NetworkSnapshot, Organisation, OutcomeModel
from portal.jobs import clock, functions, queue, registry, runner
from portal.matching_service import rounds
from portal.network import jobs as network_jobs
from portal.settings import SettingsError, load_settings
from tests.fixtures import login, post_form

_gate = asyncio.Event()


async def boom() -> None:
    raise RuntimeError("the disk is full")


async def slow(n: int) -> dict[str, int]:
    await _gate.wait()
    return {"n": n}


@pytest.fixture
def test_kinds(monkeypatch):
    kinds = {
        **registry.KINDS,
        "boom": registry.JobKind("boom", f"{__name__}:boom", "Boom", lambda kw: "boom", timeout=5),
        "slow": registry.JobKind("slow", f"{__name__}:slow", "Slow", lambda kw: f"slow:{kw['n']}", timeout=5),
    }
    monkeypatch.setattr(registry, "KINDS", kinds)
    _gate.clear()
    yield
    _gate.set()


def test_every_job_names_an_async_function_a_key_and_valid_times():
    sample = {"round_id": 7, "model_id": 7, "run_id": 7, "plan_id": 7, "export_id": 7}
    for name, kind in registry.KINDS.items():
        assert kind.name == name and asyncio.iscoroutinefunction(kind.function())
        assert kind.key(sample) and kind.timeout > 0 and kind.retries >= 1
        assert not kind.cron or croniter.is_valid(kind.cron)
    # The scheduled jobs' keys are the ones SAQ gives cron jobs, so a hand-started run and a scheduled one never overlap.
    assert all(k.key({}) == f"cron:{k.name}" for k in registry.KINDS.values() if k.cron)
    assert registry.kind("round_deliver").key({"round_id": 3}) != registry.kind("round_deliver").key({"round_id": 4})


async def test_in_process_one_job_per_key_at_a_time_and_a_record_of_it(test_kinds):
    kind = registry.kind("slow")
    assert await runner.submit(kind, {"n": 1}) is True
    assert await runner.submit(kind, {"n": 1}) is False  # the same work is already running
    assert await runner.submit(kind, {"n": 2}) is True
    assert await queue.pending("slow", n=1) and runner.is_pending("slow:2")
    await asyncio.sleep(0)
    assert {r.key: r.status for r in runner.active()} == {"slow:1": "active", "slow:2": "active"}
    _gate.set()
    for _ in range(50):
        if not runner.active():
            break
        await asyncio.sleep(0.01)
    assert not await queue.pending("slow", n=1)
    done = {r.key: r for r in runner.recent()[:2]}
    assert done["slow:1"].status == "complete" and done["slow:1"].result == {"n": 1}
    assert await runner.submit(kind, {"n": 1}) is True  # once finished, the same work may run again
    _gate.set()


async def test_under_tests_enqueue_awaits_the_job_and_its_failure_reaches_the_caller(test_kinds):
    with pytest.raises(RuntimeError, match="the disk is full"):
        await queue.enqueue("boom")
    failed = runner.recent()[0]
    assert failed.name == "boom" and failed.status == "failed" and "the disk is full" in failed.error
    with pytest.raises(KeyError):
        await queue.enqueue("no_such_job")


async def test_the_jobs_page_shows_failed_jobs_with_the_error_and_done_ones_to_admins_only(
    client, make_user, test_kinds
):
    with pytest.raises(RuntimeError):
        await queue.enqueue("boom")
    _gate.set()
    await queue.enqueue("slow", n=5)
    await make_user("root", "admin")
    await login(client, "root")
    page = await client.get("/admin/jobs")
    assert page.status_code == 200
    assert "There is no job queue" in page.text
    failed = page.text.split('id="failed-h"')[1].split("</section>")[0]
    assert "boom" in failed and "RuntimeError: the disk is full" in failed
    done = page.text.split('id="done-h"')[1].split("</section>")[0]
    assert "slow:5" in done and '{"n": 5}' in done
    schedule = page.text.split('id="schedule-h"')[1].split("</section>")[0]
    assert "Retention (daily)" in schedule and "<code>30 2 * * *</code>" in schedule
    assert 'href="/admin/jobs"' in (await client.get("/")).text  # the header links it for admins


async def test_the_jobs_page_stays_capped(client, make_user, test_kinds):
    _gate.set()
    for n in range(runner.RECENT + 20):
        await queue.enqueue("slow", n=n)
    assert len(runner.recent()) == runner.RECENT
    await make_user("root", "admin")
    await login(client, "root")
    page = await client.get("/admin/jobs")
    assert page.text.count("<code>slow:") == 50


async def _round(make_user, status: str, started_at: dt.datetime | None = None, sent: bool = False) -> int:
    user_id = await make_user(f"coord{status}{started_at is not None}", "coordinator")
    rows = await AllocationRound.insert(
        AllocationRound(
            name="Spring",
            method="stable",
            criteria=json.dumps({"stage": "activation"}),
            status=status,
            report=json.dumps({"sending": {"message": "Hi", "address": ""}} if sent else {}),
            error="",
            run_by=user_id,
            sent_by=user_id if sent else None,
            started_at=started_at or dt.datetime.now(dt.UTC),
        )
    )
    return rows[0]["id"]


async def test_round_jobs_do_nothing_for_a_round_that_no_longer_needs_them(make_user):
    ready = await _round(make_user, "ready")
    assert await functions.round_run(ready) == {"skipped": "ready"}
    assert await functions.round_deliver(ready) == {"skipped": "not sending"}
    assert await functions.round_run(10**6) == {"skipped": "missing"}
    assert await functions.model_training(10**6) == {"skipped": "missing"}
    stored = (
        await AllocationRound.select(AllocationRound.status, AllocationRound.progress)
        .order_by(AllocationRound.id)
        .first()
    )
    assert stored == {"status": "ready", "progress": 0}


async def test_the_clean_up_marks_runs_whose_process_died_and_sends_stopped_rounds_on(make_user):
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)
    dead = await _round(make_user, "running", started_at=long_ago)
    alive = await _round(make_user, "running")
    stopped = await _round(make_user, rounds.SENDING, sent=True)
    await NetworkSnapshot.insert(NetworkSnapshot(status="running", started_at=long_ago, error=""))
    await OutcomeModel.insert(OutcomeModel(status="running", started_at=long_ago, weights="{}", report="{}", error=""))
    done = await functions.cleanup()
    assert done == {
        "allocation_round": 1, "network_snapshot": 1, "outcome_model": 1, "export_file": 0, "rounds_sent_on": 1
    }  # fmt: skip
    statuses = {
        r["id"]: r
        for r in await AllocationRound.select(AllocationRound.id, AllocationRound.status, AllocationRound.error)
    }
    assert statuses[dead]["status"] == "failed" and "stopped" in statuses[dead]["error"]
    assert statuses[alive]["status"] == "running"
    assert statuses[stopped]["status"] == "sent"  # delivered (no proposals here), in-process and awaited
    assert (await NetworkSnapshot.select(NetworkSnapshot.status).order_by(NetworkSnapshot.id).first())[
        "status"
    ] == "failed"
    assert await functions.cleanup() == {
        "allocation_round": 0,
        "network_snapshot": 0,
        "outcome_model": 0,
        "export_file": 0,
        "rounds_sent_on": 0,
    }


async def test_the_network_is_stale_when_its_data_changed_after_the_newest_run_started(make_org):
    org = await make_org()
    assert await network_jobs.changed_since_last_run()  # never computed
    run_id = await network_jobs.run()
    assert (await NetworkSnapshot.select(NetworkSnapshot.status).where(NetworkSnapshot.id == run_id).first())[
        "status"
    ] == "done"
    assert not await network_jobs.changed_since_last_run()
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
    await Organisation.update({Organisation.updated_at: later}).where(Organisation.id == org)
    assert await network_jobs.changed_since_last_run()
    assert await functions.network_check() == {"stale": None}  # only with automatic recomputation


async def test_a_run_asked_for_fills_its_row_once(db):
    from portal.network import services

    run_id = await services.start_run()
    assert await functions.network_recompute(run_id) == {"run": run_id}
    assert await NetworkSnapshot.count() == 1
    # A second attempt of the same job (its worker died after the run finished) leaves the run as it is.
    assert await functions.network_recompute(run_id) == {"run": run_id}
    assert await NetworkSnapshot.count() == 1


def test_the_schedule_runs_retention_daily_and_the_clean_up_hourly():
    at = dt.datetime(2026, 12, 2, 8, 0, 30, tzinfo=dt.UTC)
    runs = dict((name, when) for when, name in clock.next_runs(at))
    assert runs["network_check"] == dt.datetime(2026, 12, 2, 8, 1, tzinfo=dt.UTC)
    assert runs["cleanup"] == dt.datetime(2026, 12, 2, 8, 7, tzinfo=dt.UTC)
    assert runs["retention"] == dt.datetime(2026, 12, 3, 2, 30, tzinfo=dt.UTC)


def test_redis_url_setting_and_the_worker_command_without_it(tmp_path):
    env = {"PORTAL_DATA_DIR": str(tmp_path)}
    assert load_settings(env).redis_url == ""
    assert load_settings({**env, "PORTAL_REDIS_URL": "redis://127.0.0.1:6379/3"}).redis_url.endswith("/3")
    with pytest.raises(SettingsError, match="PORTAL_REDIS_URL"):
        load_settings({**env, "PORTAL_REDIS_URL": "http://127.0.0.1:6379"})
    from portal.cli import main

    result = CliRunner().invoke(main, ["worker"])
    assert result.exit_code == 2 and "needs PORTAL_REDIS_URL" in result.output


async def test_with_redis_unreachable_asking_for_work_answers_503_and_leaves_no_run_behind(
    client, make_user, monkeypatch
):
    import dataclasses
    import socket

    from portal.settings import get_settings

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens there once the probe closes
    settings = dataclasses.replace(get_settings(), redis_url=f"redis://127.0.0.1:{port}/6")
    monkeypatch.setattr(queue, "get_settings", lambda: settings)
    await queue.close()
    try:
        await make_user("root", "admin")
        await login(client, "root")
        response = await post_form(client, "/network/recompute", {})
        assert response.status_code == 503 and response.headers["retry-after"].isdigit()
        assert await NetworkSnapshot.count() == 0  # the run's row went with the failed enqueue
        page = await client.get("/admin/jobs")
        assert page.status_code == 200 and "cannot be read right now" in page.text
    finally:
        await queue.close()
