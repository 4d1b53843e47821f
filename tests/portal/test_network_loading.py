"""A cold worker under many readers: the network snapshot is loaded once, and the page prepared once off the event loop."""

from __future__ import annotations

import asyncio
import threading

import pytest
from click.testing import CliRunner

from portal.cli import main
from portal.network import services, view
from tests.network_worlds import stored_network


@pytest.fixture(autouse=True)
def cold_worker():
    """Each test starts as a worker that has read no snapshot yet."""
    services._cache["latest"] = None
    yield
    services._cache["latest"] = None


async def test_concurrent_readers_of_a_cold_worker_load_the_snapshot_once(db, monkeypatch):
    await stored_network(30)
    loads = []
    real = services._load

    async def counted(snapshot_id):
        loads.append(snapshot_id)
        await asyncio.sleep(0.05)  # the others arrive while it reads
        return await real(snapshot_id)

    monkeypatch.setattr(services, "_load", counted)
    found = await asyncio.gather(*[services.latest_snapshot() for _ in range(8)])
    assert len(loads) == 1 and all(snapshot is found[0] for snapshot in found)
    assert await services.latest_snapshot() is found[0] and len(loads) == 1


async def test_a_failed_load_is_tried_again_by_the_next_reader(db, monkeypatch):
    await stored_network(10)
    real = services._load

    async def broken(snapshot_id):
        raise TimeoutError("no pooled connection came free")

    monkeypatch.setattr(services, "_load", broken)
    with pytest.raises(TimeoutError):
        await services.latest_snapshot()
    monkeypatch.setattr(services, "_load", real)
    assert (await services.latest_snapshot()) is not None


async def test_the_page_is_prepared_once_and_off_the_event_loop(db, monkeypatch):
    await stored_network(40)
    threads = []
    real = view._prepare_now

    def recorded(snapshot):
        threads.append(threading.current_thread())
        real(snapshot)

    monkeypatch.setattr(view, "_prepare_now", recorded)
    pages = await asyncio.gather(
        *[view.network_view(None, "betweenness", 1, metrics_only=False) for _ in range(6)],
        view.network_view(None, "name", 1, metrics_only=True),
    )
    assert len(threads) == 1 and threads[0] is not threading.main_thread()
    assert all(page.context["metrics"].total == 40 for page in pages)
    assert pages[0].context["communities"] and "gaps" in pages[0].context


async def test_a_starting_worker_reads_and_prepares_the_snapshot_before_the_first_page(db, monkeypatch):
    from portal import app

    await app._warm_network_snapshot()  # nothing stored yet: nothing to do, and no error
    assert services._cache["latest"] is None
    await stored_network(20)
    prepared = []
    real = view._prepare_now
    monkeypatch.setattr(view, "_prepare_now", lambda snapshot: prepared.append(snapshot) or real(snapshot))
    await app._warm_network_snapshot()
    assert services._cache["latest"] is not None and prepared == [services._cache["latest"]]
    await view.network_view(None, "betweenness", 1, metrics_only=False)
    assert len(prepared) == 1  # the first page found it ready


async def test_a_failing_preparation_leaves_the_page_to_work_it_out_itself(db, monkeypatch):
    await stored_network(20)

    def broken(snapshot):
        raise RuntimeError("a bug in one step")

    monkeypatch.setattr(view, "_prepare_now", broken)
    page = await view.network_view(None, "betweenness", 1, metrics_only=False)
    assert page.context["metrics"].total == 20 and page.context["communities"]


def test_serve_gives_a_busy_worker_time_before_uvicorn_kills_it(monkeypatch):
    import uvicorn

    started = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: started.update(options))
    assert CliRunner().invoke(main, ["serve", "--workers", "2"]).exit_code == 0
    # uvicorn's default (5 s) killed workers parsing a country's snapshot on a loaded machine.
    assert started["timeout_worker_healthcheck"] >= 30


async def test_names_and_wording_are_kept_per_snapshot_and_language(db):
    from portal.i18n import use_language

    await stored_network(40)
    with use_language("en"):
        first = (await view.network_view(None, "betweenness", 1, metrics_only=False)).context
        again = (await view.network_view(None, "betweenness", 1, metrics_only=False)).context
    with use_language("sl"):
        other = (await view.network_view(None, "betweenness", 1, metrics_only=False)).context
    assert first["suggestions"] and again["suggestions"] is first["suggestions"]
    assert other["suggestions"] is not first["suggestions"]
    assert [s["reason_text"] for s in other["suggestions"]] != [s["reason_text"] for s in first["suggestions"]]
    assert [s["source_name"] for s in other["suggestions"]] == [s["source_name"] for s in first["suggestions"]]


async def test_a_large_prepared_snapshot_is_kept_out_of_the_garbage_collectors_walks(db, monkeypatch):
    import gc

    frozen = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(1))
    await stored_network(30)
    await view.network_view(None, "betweenness", 1, metrics_only=False)
    assert frozen == []  # a small network: nothing to gain
    monkeypatch.setattr(view, "FREEZE_FROM", 30)
    await stored_network(30)  # a new run: a new snapshot to prepare
    await view.network_view(None, "betweenness", 1, metrics_only=False)
    assert frozen == [1]
