"""Logging in and out: sessions, cookies, throttling, CSRF and safe redirects."""

from __future__ import annotations

from tests.fixtures import csrf_token, login, post_form


async def test_login_sets_httponly_samesite_session_and_shows_the_user(client, make_user):
    await make_user("ana", "counsellor", display_name="Counsellor Ana")
    response = await login(client, "ana")
    cookie = response.headers["set-cookie"]
    assert "portal_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    page = await client.get("/")
    assert "Counsellor Ana" in page.text


async def test_login_renews_the_session_id(client, make_user):
    await make_user("ana", "counsellor")
    await login(client, "ana")
    first = client.cookies.get("portal_session")
    await login(client, "ana")
    second = client.cookies.get("portal_session")
    assert first and second and first != second
    # The old id no longer opens a session.
    client.cookies.set("portal_session", first)
    assert "Log out" not in (await client.get("/")).text


async def test_wrong_password_is_refused_with_a_message(client, make_user):
    await make_user("ana", "counsellor")
    response = await post_form(client, "/login", {"username": "ana", "password": "wrong"})
    assert response.status_code == 401
    assert "Wrong username or password." in response.text
    assert "portal_session" not in client.cookies


async def test_unknown_user_gets_the_same_message(client, db):
    response = await post_form(client, "/login", {"username": "nobody", "password": "x"})
    assert response.status_code == 401
    assert "Wrong username or password." in response.text


async def test_throttling_per_account_blocks_even_the_right_password(client, make_user):
    await make_user("ana", "counsellor")
    for _ in range(5):
        await post_form(client, "/login", {"username": "ana", "password": "wrong"})
    response = await post_form(client, "/login", {"username": "ana", "password": "secret-pass-123"})
    assert response.status_code == 429
    assert "Too many failed attempts" in response.text


async def test_throttling_per_address_covers_many_usernames(client, make_user, monkeypatch):
    from portal.auth import throttle

    monkeypatch.setattr(throttle, "MAX_FAILURES_PER_ADDRESS", 8)  # the mechanism, not the production figure
    await make_user("ana", "counsellor")
    for n in range(8):
        await post_form(client, "/login", {"username": f"guess{n}", "password": "wrong"})
    response = await post_form(client, "/login", {"username": "ana", "password": "secret-pass-123"})
    assert response.status_code == 429


async def test_logout_ends_the_session(client, make_user):
    await make_user("ana", "counsellor")
    await login(client, "ana")
    token = client.cookies.get("portal_session")
    response = await post_form(client, "/logout", {})
    assert response.status_code == 303
    client.cookies.set("portal_session", token)
    assert "Log out" not in (await client.get("/")).text


async def test_post_without_csrf_token_is_refused(client, make_user):
    await make_user("ana", "counsellor")
    await client.get("/login")
    response = await client.post("/login", data={"username": "ana", "password": "secret-pass-123"})
    assert response.status_code == 403
    assert "portal_session" not in client.cookies


async def test_htmx_requests_carry_the_token_in_a_header(client, make_user):
    await make_user("ana", "counsellor")
    token = await csrf_token(client)
    page = await client.get("/")
    assert f'"X-CSRFToken": "{token}"' in page.text or '"X-CSRFToken": "' in page.text
    response = await client.post(
        "/login", data={"username": "ana", "password": "secret-pass-123"}, headers={"x-csrftoken": token}
    )
    assert response.status_code == 303


async def test_next_only_redirects_within_the_site(client, make_user):
    await make_user("ana", "counsellor")
    response = await post_form(
        client, "/login", {"username": "ana", "password": "secret-pass-123", "next": "https://evil.example.com/"}
    )
    assert response.headers["location"] == "/"
    response = await post_form(
        client, "/login", {"username": "ana", "password": "secret-pass-123", "next": "//evil.example.com"}
    )
    assert response.headers["location"] == "/"
    response = await post_form(
        client, "/login", {"username": "ana", "password": "secret-pass-123", "next": "/organisations/"}
    )
    assert response.headers["location"] == "/organisations/"


async def test_pages_that_need_login_send_anonymous_visitors_to_login(client, db):
    response = await client.get("/organisations/new")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=%2Forganisations%2Fnew")


async def test_inactive_user_cannot_log_in(client, make_user):
    from portal.db.tables import PortalUser

    await make_user("ana", "counsellor")
    await PortalUser.update({PortalUser.is_active: False}).where(PortalUser.username == "ana")
    response = await post_form(client, "/login", {"username": "ana", "password": "secret-pass-123"})
    assert response.status_code == 401


async def test_a_session_opens_pages_until_it_expires_or_its_user_is_deactivated(client, make_user):
    import datetime as dt

    from portal.db.tables import PortalUser, UserSession

    await make_user("ana", "counsellor")
    await login(client, "ana")
    assert (await client.get("/account")).status_code == 200
    # Half a minute left: still signed in (the stored time keeps its microseconds; the comparison must too).
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30, microseconds=123)
    await UserSession.update({UserSession.expires_at: soon}, force=True)
    assert (await client.get("/account")).status_code == 200
    await UserSession.update({UserSession.expires_at: dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)}, force=True)
    assert (await client.get("/account")).status_code == 303
    await UserSession.update({UserSession.expires_at: soon}, force=True)
    assert (await client.get("/account")).status_code == 200
    await PortalUser.update({PortalUser.is_active: False}).where(PortalUser.username == "ana")
    assert (await client.get("/account")).status_code == 303


async def test_passwords_are_stored_as_argon2id(make_user):
    from portal.db.tables import PortalUser

    await make_user("ana", "counsellor")
    row = await PortalUser.select(PortalUser.password_hash).where(PortalUser.username == "ana").first()
    assert row["password_hash"].startswith("$argon2id$")


async def test_parallel_guesses_cannot_outrun_the_throttle(client, make_user):
    import asyncio

    await make_user("ana", "counsellor")
    token = await csrf_token(client)
    guesses = await asyncio.gather(
        *(
            client.post("/login", data={"username": "ana", "password": f"guess-{n}", "_csrf_token": token})
            for n in range(30)
        )
    )
    checked = [g for g in guesses if g.status_code == 401]  # the password was actually tried
    assert len(checked) <= 5 and all(g.status_code in (401, 429) for g in guesses)
    response = await post_form(client, "/login", {"username": "ana", "password": "secret-pass-123"})
    assert response.status_code == 429
