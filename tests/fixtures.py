"""Shared fixtures: a migrated database emptied before each test, an HTTP client, users and organisations."""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from tests.conftest import ENGINE, prepare_test_database


async def _run_script_on_postgres(script: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(os.environ["PORTAL_DATABASE_URL"])
    try:
        await connection.execute(script)
    finally:
        await connection.close()


async def _run_script_in_pool(script: str) -> None:
    from portal.db.piccolo_conf import DB

    async with DB.pool.acquire() as connection:
        await connection.execute(script)


def _run_script_on_sqlite(script: str) -> None:
    from portal.db.piccolo_conf import DB

    # The portal's own connections stay open meanwhile: idle, in autocommit, so this writer never waits on them.
    with contextlib.closing(sqlite3.connect(DB.path, timeout=30)) as connection:
        connection.execute("PRAGMA foreign_keys = ON")
        connection.executescript(script)


@pytest.fixture(scope="session")
async def migrated() -> None:
    from portal.db.migrate import migrate_database

    if ENGINE == "postgres":
        await prepare_test_database()
        await _run_script_on_postgres("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    await migrate_database()


@pytest.fixture
async def db(migrated: None) -> AsyncIterator[None]:
    """An empty, migrated database for this test, with the bounded pool open on PostgreSQL as `portal serve` has it.

    The pool matters for speed as well as realism: with none, every statement a test or fixture sends
    through the ORM opens a PostgreSQL connection of its own (about 25 ms each on a loaded machine).
    """
    from piccolo.table import sort_table_classes

    from portal.db.engine import open_pool
    from portal.db.piccolo_app import APP_CONFIG
    from portal.db.piccolo_conf import DB

    await open_pool(DB)
    try:
        # Children before parents, so foreign keys never block the clean-up; one transaction for all.
        names = [table._meta.tablename for table in reversed(sort_table_classes(APP_CONFIG.table_classes))]
        script = "BEGIN;" + "".join(f'DELETE FROM "{name}";' for name in names) + "COMMIT;"
        if ENGINE == "postgres":
            await _run_script_in_pool(script)
        else:
            _run_script_on_sqlite(script)
        # In-process caches of what was in the database (record ids are reused after a wipe).
        from portal import cache
        from portal.jobs import runner
        from portal.matching_service import live_index, training

        live_index.forget()
        training.forget_weights()
        cache.forget_all()
        runner.forget_recent()
        yield
    finally:
        await _close_pool_or_fail(DB)


async def _close_pool_or_fail(engine: Any) -> None:
    """Close the pool; a connection still in use after the test (a transaction never ended) fails it.

    asyncpg's close waits for every connection to come back, so such a leak would hang the suite;
    in a server it would keep a pooled connection out for good.
    """
    import asyncio

    from portal.db.engine import close_pool

    try:
        await asyncio.wait_for(close_pool(engine), 10)
    except TimeoutError:
        if engine.pool is not None:
            engine.pool.terminate()
            engine.pool = None
        pytest.fail("a database connection was still in use 10 s after the test (a transaction left open?)")


@pytest.fixture
async def command_db(db: None) -> None:
    """The empty database for a test that runs its own event loops, as `portal` commands started from a shell do.

    The pool of the ``db`` fixture belongs to the test's loop, and a statement run in another loop
    (``asyncio.run``, a command) cannot use it: closed here, such statements open their own connections.
    """
    from portal.db.engine import close_pool
    from portal.db.piccolo_conf import DB

    await close_pool(DB)


def _on_each_statement(monkeypatch: pytest.MonkeyPatch, note: Callable[[Any, Any], None]) -> None:
    """Call ``note(engine, querystring)`` for each statement sent to the database from now on."""
    from portal.db.piccolo_conf import DB

    run = type(DB).run_querystring

    async def noted(engine: Any, querystring: Any, *args: Any, **kwargs: Any) -> Any:
        note(engine, querystring)
        return await run(engine, querystring, *args, **kwargs)

    monkeypatch.setattr(type(DB), "run_querystring", noted)


@pytest.fixture
def sent_statements(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The SQL statements sent to the database from now on, as text (a test clears it before what it counts)."""
    statements: list[str] = []
    _on_each_statement(monkeypatch, lambda engine, querystring: statements.append(str(querystring)))
    return statements


@pytest.fixture
def arguments_sent(monkeypatch: pytest.MonkeyPatch) -> list[list[Any]]:
    """The arguments of each statement sent to the database from now on."""
    sent: list[list[Any]] = []
    _on_each_statement(
        monkeypatch,
        lambda engine, querystring: sent.append(list(querystring.compile_string(engine_type=engine.engine_type)[1])),
    )
    return sent


@pytest.fixture(scope="session")
def app() -> Any:
    from portal.app import create_app

    return create_app()


@pytest.fixture
async def client(app: Any, db: None) -> AsyncIterator[httpx.AsyncClient]:
    # ASGITransport drives the app in this event loop (TestClient's own thread clashes with asyncpg);
    # it runs no lifespan: the `db` fixture has opened the pool that start-up would.
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


_CSRF_INPUT = re.compile(r'name="_csrf_token" value="([^"]+)"')


async def csrf_token(client: httpx.AsyncClient, path: str = "/login") -> str:
    """The token a form on ``path`` carries (and the cookie it pairs with lands in the client)."""
    response = await client.get(path)
    match = _CSRF_INPUT.search(response.text)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


async def post_form(client: httpx.AsyncClient, path: str, data: dict[str, Any], **kwargs: Any) -> httpx.Response:
    token = await csrf_token(client, "/")
    return await client.post(path, data={**data, "_csrf_token": token}, **kwargs)


async def send_json(client: httpx.AsyncClient, method: str, path: str, body: Any = None) -> httpx.Response:
    token = await csrf_token(client, "/")
    return await client.request(method, path, json=body, headers={"x-csrftoken": token})


async def login(client: httpx.AsyncClient, username: str, password: str = "secret-pass-123") -> httpx.Response:
    response = await post_form(client, "/login", {"username": username, "password": password})
    assert response.status_code == 303, response.text[:500]
    return response


ORG_DEFAULTS = {
    "name": "Zadruga Testni krog",
    "kind": "social_enterprise",
    "country": "SI",
    "region": "Podravska",
    "municipality": "Ptuj",
    "address": "Testna ulica 1",
    "postcode": "2250",
    "latitude": None,
    "longitude": None,
    "languages": "sl,en",
    "email": "info@test.example.org",
    "phone": "+386 2 555 00 00",
    "website": "",
    "contact_person": "Vodja programa",
    "description": "Testna organizacija.",
    "registry_id": "",
}


@pytest.fixture
def make_org(db: None):
    from portal.organisations import services

    async def make(**overrides: Any) -> int:
        return await services.create_organisation({**ORG_DEFAULTS, **overrides})

    return make


@pytest.fixture
def make_user(db: None, make_org):
    from portal.auth.accounts import create_user
    from portal.db.tables import Organisation

    async def make(username: str, role: str, organisation_id: int | None = None, **kwargs: Any) -> int:
        if organisation_id is None:
            organisation_id = await make_org(name=f"Organisation of {username}")
        slug = (await Organisation.select(Organisation.slug).where(Organisation.id == organisation_id).first())["slug"]
        return await create_user(username, "secret-pass-123", role, slug, **kwargs)

    return make


@pytest.fixture
def mailbox(monkeypatch: pytest.MonkeyPatch) -> Any:
    """A real SMTP server in this process; the portal's mail goes to it, and the test reads what arrived."""
    import dataclasses
    import email
    import email.policy
    import socket

    from aiosmtpd.controller import Controller

    from portal.mail import sender
    from portal.settings import get_settings

    received: list[email.message.EmailMessage] = []

    class Collect:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            received.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
            return "250 Message accepted"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Collect(), hostname="127.0.0.1", port=port)
    controller.start()
    settings = dataclasses.replace(
        get_settings(), smtp_host="127.0.0.1", smtp_port=port, smtp_security="none", mail_from="portal@test.example"
    )
    monkeypatch.setattr(sender, "get_settings", lambda: settings)
    try:
        yield received
    finally:
        controller.stop()


def link_in(message: Any, path_prefix: str) -> str:
    """The first link in a received message whose path starts with ``path_prefix``, as a local path."""
    body = message.get_body(preferencelist=("plain",)).get_content()
    match = re.search(r"https?://[^/\s]+(" + re.escape(path_prefix) + r"[^\s]*)", body)
    assert match, f"no link to {path_prefix} in: {body}"
    return match.group(1)
