"""bench/pages.py: the server log it reads (500s, restarted workers) and its app of the directory fragment's statements alone."""

from __future__ import annotations

from tests import bench_scripts


def _pages():
    return bench_scripts.load("pages")


def test_the_log_since_a_page_began_gives_its_exceptions_and_dead_workers(tmp_path):
    log = tmp_path / "portal.log"
    log.write_text('INFO:     127.0.0.1:1 - "GET /cases HTTP/1.1" 200 OK\nValueError: before this page\n')
    offset = log.stat().st_size
    with log.open("a") as f:
        f.write("TimeoutError\nINFO:     Waiting for child process [16932]\nINFO:     Child process [16932] died\n")
        f.write("INFO:     Child process [16931] died\nTimeoutError\n")
    assert _pages().new_errors(log, offset) == ["TimeoutError", "2 worker(s) died or were killed and restarted"]


async def test_the_fragments_statements_alone_answer_what_the_directory_search_counts(make_org):
    import httpx

    await make_org(name="Center za socialno delo Čakovec")
    await make_org(name="Zavod Čakovec")
    await make_org(name="Društvo Maribor")
    # In this event loop (the tests' database pool is bound to it); the pool is open already.
    transport = httpx.ASGITransport(app=_pages().statements_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        found = await client.get("/", params={"q": "cakovec"})
    assert (found.status_code, found.text) == (200, "2")
