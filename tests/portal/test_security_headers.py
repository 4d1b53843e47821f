"""Security headers on every answer the app gives, the router's own 404 and 405 included; HSTS in production."""

from __future__ import annotations

import dataclasses

import pytest

from portal.settings import get_settings
from portal.web import security
from tests.fixtures import login

ANSWERS = [
    ("GET", "/", 200),
    ("GET", "/no/such/page", 404),
    ("DELETE", "/health", 405),
    ("GET", "/static/css/portal.css", 200),
    ("GET", "/cases/", 303),
    ("GET", "/api/v1/organisations/999999", 404),
]


@pytest.mark.parametrize(("method", "path", "status"), ANSWERS)
async def test_every_answer_carries_the_security_headers(client, method, path, status):
    response = await client.request(method, path)
    assert response.status_code == status
    for name, value in security.HEADERS.items():
        assert response.headers.get(name) == value, (path, name)
    assert "strict-transport-security" not in response.headers


async def test_production_answers_ask_browsers_to_keep_to_https(client, monkeypatch):
    production = dataclasses.replace(get_settings(), environment="production")
    monkeypatch.setattr(security, "get_settings", lambda: production)
    for method, path, _status in ANSWERS:
        response = await client.request(method, path)
        assert response.headers["strict-transport-security"] == security.HSTS, path


async def test_pages_for_a_logged_in_user_are_not_stored(client, make_user):
    await make_user("ana", "counsellor")
    assert "no-store" not in (await client.get("/")).headers.get("cache-control", "")
    await login(client, "ana")
    assert (await client.get("/")).headers["cache-control"] == "no-store"
