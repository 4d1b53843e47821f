"""A real `portal serve` whose PostgreSQL is cut, slowed and restored: 503 with Retry-After, never 500, and recovery."""

from __future__ import annotations

import concurrent.futures
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.conftest import ENGINE, recreate_database
from tests.faults.tcp_proxy import TcpProxy, database_url

pytestmark = [
    pytest.mark.db,
    pytest.mark.skipif(ENGINE != "postgres", reason="cuts a TCP connection to PostgreSQL"),
]
ROOT = Path(__file__).resolve().parents[2]
PORTAL = str(Path(sys.executable).parent / "portal")
PAGES = ["/organisations/", "/api/v1/organisations"]


@pytest.fixture(scope="module")
def outage() -> Iterator[tuple[TcpProxy, dict[str, str]]]:
    base = os.environ["PORTAL_TEST_DATABASE_URL"]
    name = urlsplit(base).path.lstrip("/") + "_faults"
    target = urlsplit(base)
    proxy = TcpProxy(target.hostname or "127.0.0.1", target.port or 5432)
    proxy.run(recreate_database(name))
    data_dir = tempfile.mkdtemp(prefix="portal-faults-")
    env = {
        **os.environ,
        "PORTAL_ENV": "test",
        "PORTAL_DATA_DIR": data_dir,
        "PORTAL_SECRET_KEY": "faults-secret-key-0123456789abcdef0123",
        "PORTAL_DB_POOL_SIZE": "2",
        "PORTAL_DB_POOL_TIMEOUT_MS": "500",
    }
    env.pop("PICCOLO_CONF", None)
    subprocess.run(
        [PORTAL, "migrate"], env={**env, "PORTAL_DATABASE_URL": database_url(base, name)}, cwd=ROOT, check=True
    )
    env["PORTAL_DATABASE_URL"] = database_url(base, name, proxy.port)
    try:
        yield proxy, env
    finally:
        proxy.close()


@pytest.fixture
def serve(outage):
    proxy, env = outage
    started: list[subprocess.Popen] = []

    def start() -> str:
        with tempfile.NamedTemporaryFile(suffix=".log", delete=False) as log:
            pass
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        process = subprocess.Popen(
            [PORTAL, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=open(log.name, "w"),  # noqa: SIM115 (the process owns it)
            stderr=subprocess.STDOUT,
        )
        started.append(process)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120  # importing scikit-learn on a busy shared machine takes a while
        while time.monotonic() < deadline:
            assert process.poll() is None, Path(log.name).read_text()
            try:
                httpx.get(f"{url}/health", timeout=2)
                return url
            except httpx.TransportError:
                time.sleep(0.2)
        raise AssertionError("the portal did not start listening")

    yield proxy, start
    proxy.restore()
    proxy.delay = 0.0
    for process in started:
        process.terminate()
        process.wait(timeout=10)


def _eventually(url: str, status: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = httpx.get(url, timeout=5).status_code
        if last == status:
            return
        time.sleep(0.2)
    raise AssertionError(f"{url} answered {last}, not {status}")


def test_cut_database_gives_503_with_retry_after_then_recovers(serve):
    proxy, start = serve
    url = start()
    for path in PAGES:
        assert httpx.get(url + path, timeout=10).status_code == 200
    proxy.cut()
    for path in PAGES:
        response = httpx.get(url + path, timeout=10)
        assert response.status_code == 503, (path, response.status_code, response.text[:300])
        assert response.headers["retry-after"].isdigit()
    page = httpx.get(url + PAGES[0], timeout=10)
    assert "text/html" in page.headers["content-type"] and "database" in page.text
    assert httpx.get(url + PAGES[1], timeout=10).json()["status_code"] == 503
    assert httpx.get(url + "/health", timeout=10).status_code == 503
    proxy.restore()
    for path in PAGES:
        _eventually(url + path, 200)


def test_the_server_starts_while_the_database_is_down_and_serves_once_it_is_back(serve):
    proxy, start = serve
    proxy.cut()
    url = start()
    assert httpx.get(url + "/health", timeout=10).status_code == 503
    assert httpx.get(url + PAGES[1], timeout=10).status_code == 503
    proxy.restore()
    _eventually(url + "/health", 200)
    _eventually(url + PAGES[1], 200)


def test_an_exhausted_pool_answers_503_after_a_short_wait_never_500(serve):
    proxy, start = serve
    url = start()
    assert httpx.get(url + PAGES[1], timeout=10).status_code == 200
    proxy.delay = 1.0  # each answer from the database takes a second: two pooled connections, twelve requests
    with concurrent.futures.ThreadPoolExecutor(12) as pool:
        statuses = list(pool.map(lambda _: httpx.get(url + PAGES[1], timeout=30).status_code, range(12)))
    assert set(statuses) <= {200, 503} and 503 in statuses, statuses
    proxy.delay = 0.0
    _eventually(url + PAGES[1], 200)
