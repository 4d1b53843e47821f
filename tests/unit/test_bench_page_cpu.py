"""bench/page_cpu.py: what a request costs, and a page that does not answer 200 stops it."""

from __future__ import annotations

import pytest

from tests import bench_scripts


def _page_cpu():
    return bench_scripts.load("page_cpu")


def _app():
    from litestar import Litestar, get

    @get("/busy", sync_to_thread=False)
    def busy() -> str:
        return str(sum(i * i for i in range(20_000)))  # some CPU to measure

    @get("/missing", sync_to_thread=False)
    def missing() -> None:
        from litestar.exceptions import NotFoundException

        raise NotFoundException()

    return Litestar([busy, missing])


async def test_the_cost_of_a_page_is_its_cpu_and_wall_time_per_request():
    import httpx

    page_cpu = _page_cpu()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=_app()), base_url="http://bench") as client:
        cost = await page_cpu.cost(client, "busy", "/busy", {}, requests=20, warm=2)
        assert cost.page == "busy" and 0 < cost.cpu_ms <= cost.wall_ms * 1.5
        assert cost.postgres_ms is None or cost.postgres_ms >= 0
        with pytest.raises(SystemExit, match="answered 404"):
            await page_cpu.cost(client, "missing", "/missing", {}, requests=5, warm=1)


def test_postgres_cpu_is_read_from_proc():
    seconds = _page_cpu().postgres_cpu_seconds()
    assert isinstance(seconds, float) and seconds >= 0
