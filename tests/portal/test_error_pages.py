"""Error pages: translated, no internals shown, JSON for API callers."""

from __future__ import annotations

import httpx
import pytest
from litestar import Litestar, get

from portal.web.context import request_context_middleware
from portal.web.errors import http_exception_handler
from portal.web.templating import template_config


@get("/boom")
async def boom() -> str:
    raise RuntimeError("secret internal detail")


@get("/api/v1/boom")
async def api_boom() -> str:
    raise RuntimeError("secret internal detail")


@pytest.fixture
async def crashing_client(db):
    app = Litestar(
        route_handlers=[boom, api_boom],
        middleware=[request_context_middleware],
        template_config=template_config(),
        exception_handlers={Exception: http_exception_handler},
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=False), base_url="http://t"
    ) as c:
        yield c


@pytest.mark.parametrize("language", ["sl", "hr", "en"])
async def test_unexpected_error_shows_a_translated_500_page_without_internals(crashing_client, language):
    from portal.i18n import gettext, use_language

    with use_language(language):
        expected = gettext("Something went wrong")
    page = await crashing_client.get("/boom", headers={"Accept-Language": language})
    assert page.status_code == 500
    assert expected in page.text and f'lang="{language}"' in page.text
    assert "secret internal detail" not in page.text


async def test_api_errors_are_json_without_internals(crashing_client):
    response = await crashing_client.get("/api/v1/boom")
    assert response.status_code == 500 and response.json()["detail"] == "Internal Server Error"
    assert "secret" not in response.text


@pytest.mark.parametrize("language", ["sl", "hr", "en"])
async def test_forbidden_page_is_translated(client, make_user, language):
    from portal.i18n import gettext, use_language
    from tests.fixtures import login

    await make_user("ana", "counsellor", language=language)
    await login(client, "ana")
    page = await client.get("/organisations/new")
    with use_language(language):
        assert page.status_code == 403 and gettext("Not allowed") in page.text
