"""Control characters and deep JSON are refused with the field named, on every form and API, and change nothing."""

from __future__ import annotations

import pytest

from portal.db.tables import Organisation
from portal.web.input_guard import MAX_JSON_DEPTH, json_depth
from tests.fixtures import csrf_token, login, post_form, send_json


@pytest.mark.parametrize(
    ("text", "depth"),
    [("{}", 1), ('[[{"a": [1]}]]', 4), ('{"a": "[[[[[["}', 1), ('{"a": "\\"[[["}', 1), ("12", 0)],
)
def test_json_depth_counts_nesting_outside_strings(text, depth):
    assert json_depth(text) == depth


async def test_a_nul_byte_in_a_search_is_refused_with_the_field(client, db):
    response = await client.get("/organisations/", params={"q": "Ptuj\x00"})
    assert response.status_code == 400
    assert "“q”" in response.text and "control character" in response.text


async def test_a_nul_byte_in_a_form_field_changes_nothing(client, make_user, make_org):
    await make_user("coord", "coordinator")
    await login(client, "coord")
    before = await Organisation.count()
    response = await post_form(
        client,
        "/organisations/new",
        {"name": "Zadruga\x00Nič", "kind": "ngo", "country": "SI", "region": "Podravska", "municipality": "Ptuj"},
    )
    assert response.status_code == 400 and "“name”" in response.text
    assert await Organisation.count() == before


async def test_api_answers_json_naming_the_field(client, make_user):
    await make_user("coord", "coordinator")
    await login(client, "coord")
    response = await send_json(client, "POST", "/api/v1/organisations", {"name": "x", "description": "a\x00b"})
    assert response.status_code == 400
    assert response.json()["extra"] == {"field": "description", "problem": "control_character"}


async def test_deeply_nested_json_is_refused_not_a_crash(client, make_user):
    await make_user("coord", "coordinator")
    await login(client, "coord")
    token = await csrf_token(client, "/")
    body = "[" * 100_000 + "]" * 100_000
    response = await client.post(
        "/api/v1/organisations", content=body, headers={"content-type": "application/json", "x-csrftoken": token}
    )
    assert response.status_code == 400 and response.json()["extra"]["problem"] == "too_deep"
    shallow = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    response = await client.post(
        "/api/v1/organisations", content=shallow, headers={"content-type": "application/json", "x-csrftoken": token}
    )
    assert response.status_code < 500


async def test_tabs_and_line_breaks_pass(client, make_user):
    await make_user("coord", "coordinator")
    await login(client, "coord")
    response = await client.get("/organisations/", params={"q": "Ptuj\tMaribor\r\n"})
    assert response.status_code == 200


def _every_route(app) -> list[tuple[str, str]]:
    """(method, path) of every route the app serves, path parameters filled with 1."""
    import re as _re

    return sorted(
        (method, _re.sub(r"\{[^}]+\}", "1", route.path))
        for route in app.routes
        for method in getattr(route, "methods", ())
        if method not in {"OPTIONS", "HEAD"} and not route.path.startswith("/static")
    )


async def test_no_route_answers_5xx_to_control_characters_or_deep_json(app, client, make_user):
    """Every form and API endpoint, as a logged-in admin: NUL in the query, a form or JSON is a 400 naming the field."""
    await make_user("root", "admin")
    await login(client, "root")
    token = await csrf_token(client, "/")
    headers = {"x-csrftoken": token}
    deep = "[" * 1000 + "]" * 1000
    checked = 0
    for method, path in _every_route(app):
        answers = [await client.request(method, path, params={"q": "a\x00b"}, headers=headers)]
        if method != "GET":
            answers.append(
                await client.request(method, path, data={"_csrf_token": token, "note": "a\x00b"}, headers=headers)
            )
            answers.append(await client.request(method, path, json={"name": "a\x00b"}, headers=headers))
            json_headers = {**headers, "content-type": "application/json"}
            answers.append(await client.request(method, path, content=deep, headers=json_headers))
        for answer in answers:
            assert answer.status_code == 400, (method, path, answer.status_code, answer.text[:200])
        checked += 1
    assert checked > 100  # every route, not a handful


async def test_json_under_another_content_type_and_multipart_fields_are_checked_too(client, make_user):
    await make_user("coord", "coordinator")
    await login(client, "coord")
    token = await csrf_token(client, "/")
    before = await Organisation.count()
    for content_type in ("text/plain", "application/vnd.api+json", "Application/JSON; charset=utf-8"):
        response = await client.post(
            "/api/v1/organisations",
            content='{"name": "Zadruga\\u0000"}',
            headers={"content-type": content_type, "x-csrftoken": token},
        )
        assert response.status_code == 400, content_type
    response = await client.post(
        "/organisations/new",
        data={"_csrf_token": token, "kind": "ngo"},
        files={"name": (None, "Zadruga\x00Nič")},
    )
    assert response.status_code == 400 and "control character" in response.text
    assert await Organisation.count() == before


async def test_bodies_litestar_would_decode_otherwise_are_refused_not_a_crash(client, db):
    token = await csrf_token(client, "/login")
    raw = await client.post(
        "/login",
        content=b"username=\xff&password=x&_csrf_token=" + token.encode(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert raw.status_code == 400
    boundary = "b0undary"
    utf7 = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="username"\r\n'
        f"Content-Type: text/plain; charset=utf-7\r\n\r\n+AAA-hi\r\n--{boundary}--\r\n"
    )
    multipart = await client.post(
        "/login", content=utf7.encode(), headers={"content-type": f"multipart/form-data; boundary={boundary}"}
    )
    assert multipart.status_code == 400
    huge = '{"name": "a\\u0000b", "x": ' + "1" * 5000 + "}"
    response = await client.post(
        "/api/v1/organisations", content=huge, headers={"content-type": "application/json", "x-csrftoken": token}
    )
    assert response.status_code == 400
