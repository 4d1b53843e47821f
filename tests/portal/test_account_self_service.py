"""Self-service accounts over HTTP: profile, password change, sessions, forgotten password, trusted proxies."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from tests.fixtures import csrf_token, link_in, login, post_form

NEW_PASSWORD = "a-brand-new-passphrase"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"
CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"
NEUTRAL = "If an account with an e-mail address matches, we have sent a link"


@asynccontextmanager
async def browser(app: Any, address: str = "127.0.0.1", **headers: str) -> AsyncIterator[httpx.AsyncClient]:
    """Another browser on the same portal (its own cookies), from ``address``."""
    transport = httpx.ASGITransport(app=app, client=(address, 50001))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver", headers=headers) as c:
        yield c


async def user_row(username: str) -> dict:
    from portal.db.tables import PortalUser

    return await PortalUser.select().where(PortalUser.username == username).first()


async def audit_details(user_id: int) -> list[str]:
    from portal.db.tables import AuditEvent

    rows = await AuditEvent.select(AuditEvent.detail).where(
        (AuditEvent.record_type == "user") & (AuditEvent.record_id == user_id) & (AuditEvent.action == "update")
    )
    return [row["detail"] for row in rows]


async def is_logged_in(c: httpx.AsyncClient) -> bool:
    return (await c.get("/account")).status_code == 200


def without_csrf(text: str) -> str:
    return re.sub(r'value="[^"]+"', "", re.sub(r'"X-CSRFToken": "[^"]+"', "", text))


async def try_login(c: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await post_form(c, "/login", {"username": username, "password": password})


# --- the account page -------------------------------------------------------------------------


async def test_account_page_shows_the_profile_and_links(client, make_user):
    await make_user("ana", "counsellor", display_name="Counsellor Ana", email="ana@example.org")
    await login(client, "ana")
    home = await client.get("/")
    assert 'href="/account"' in home.text
    page = await client.get("/account")
    assert page.status_code == 200
    assert "Counsellor Ana" in page.text and "ana@example.org" in page.text
    for link in ("/account/password", "/account/sessions", "/account/two-factor"):
        assert f'href="{link}"' in page.text
    assert "The browser&#39;s language" in page.text or "The browser's language" in page.text


async def test_profile_changes_are_saved_and_audited(client, make_user):
    user_id = await make_user("ana", "counsellor", display_name="Ana")
    await login(client, "ana")
    response = await post_form(
        client, "/account", {"display_name": "Ana Novak", "email": "", "language": "sl", "current_password": ""}
    )
    assert response.status_code == 303 and response.headers["location"] == "/account?notice=saved"
    row = await user_row("ana")
    assert (row["display_name"], row["language"]) == ("Ana Novak", "sl")
    page = await client.get("/account?notice=saved")
    assert '<html lang="sl">' in page.text  # the preferred language applies at once
    assert any("display_name" in d and "language" in d for d in await audit_details(user_id))
    # Back to the browser's language.
    await post_form(client, "/account", {"display_name": "Ana Novak", "email": "", "language": ""})
    assert (await user_row("ana"))["language"] == ""


async def test_a_bad_email_re_renders_with_a_field_message_and_changes_nothing(client, make_user):
    await make_user("ana", "counsellor", display_name="Ana", email="ana@example.org")
    await login(client, "ana")
    response = await post_form(
        client,
        "/account",
        {"display_name": "Changed", "email": "not-an-address", "language": "", "current_password": "secret-pass-123"},
    )
    assert response.status_code == 422
    assert 'id="email-error"' in response.text and "name@example.org" in response.text
    assert 'value="not-an-address"' in response.text  # what was typed is kept
    row = await user_row("ana")
    assert (row["display_name"], row["email"]) == ("Ana", "ana@example.org")


async def test_a_bad_language_or_empty_name_is_refused(client, make_user):
    await make_user("ana", "counsellor", display_name="Ana")
    await login(client, "ana")
    response = await post_form(client, "/account", {"display_name": " ", "email": "", "language": "de"})
    assert response.status_code == 422
    assert 'id="display_name-error"' in response.text and 'id="language-error"' in response.text
    assert (await user_row("ana"))["display_name"] == "Ana"


async def test_changing_the_email_needs_the_current_password(client, make_user):
    await make_user("ana", "counsellor", email="ana@example.org")
    await login(client, "ana")
    data = {"display_name": "Ana", "email": "thief@example.net", "language": ""}
    for password in ("", "wrong-password"):
        response = await post_form(client, "/account", {**data, "current_password": password})
        assert response.status_code == 422 and 'id="current_password-error"' in response.text
    assert (await user_row("ana"))["email"] == "ana@example.org"
    response = await post_form(client, "/account", {**data, "current_password": "secret-pass-123"})
    assert response.status_code == 303
    assert (await user_row("ana"))["email"] == "thief@example.net"


# --- changing the password ----------------------------------------------------------------------


async def test_changing_the_password_keeps_this_session_ends_the_others_and_sends_a_notice(
    app, client, make_user, mailbox
):
    user_id = await make_user("ana", "counsellor", email="ana@example.org")
    await login(client, "ana")
    async with browser(app) as other:
        await login(other, "ana")
        assert await is_logged_in(other)
        response = await post_form(
            client,
            "/account/password",
            {"current_password": "secret-pass-123", "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD},
        )
        assert response.status_code == 303 and response.headers["location"] == "/account?notice=password_changed"
        assert await is_logged_in(client)
        assert not await is_logged_in(other)
        confirmation = await client.get(response.headers["location"])
        assert "Your password was changed" in confirmation.text
        assert (await try_login(other, "ana", "secret-pass-123")).status_code == 401
        assert (await try_login(other, "ana", NEW_PASSWORD)).status_code == 303
    row = await user_row("ana")
    assert row["password_changed_at"] is not None
    assert [m["To"] for m in mailbox] == ["ana@example.org"]
    assert mailbox[0]["Subject"] == "Your password was changed"
    assert any("own password changed" in d for d in await audit_details(user_id))


async def test_a_wrong_current_password_is_a_field_message_and_counts_as_a_failed_login(app, client, make_user):
    await make_user("ana", "counsellor")
    await login(client, "ana")
    data = {"current_password": "guess", "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD}
    response = await post_form(client, "/account/password", data)
    assert response.status_code == 422
    assert 'id="current_password-error"' in response.text and "not your current password" in response.text
    for _ in range(4):
        await post_form(client, "/account/password", data)
    # Five guesses: now even the right current password is refused, and the login too.
    response = await post_form(client, "/account/password", {**data, "current_password": "secret-pass-123"})
    assert response.status_code == 429 and "Too many failed attempts" in response.text
    async with browser(app) as other:
        assert (await try_login(other, "ana", "secret-pass-123")).status_code == 429
    assert (await user_row("ana"))["password_changed_at"] is None


@pytest.mark.parametrize(
    ("new", "again", "field", "message"),
    [
        ("short", "short", "new_password", "at least 12 characters"),
        ("a-long-enough-password", "a-different-password", "new_password_again", "differ"),
    ],
)
async def test_new_password_rules(client, make_user, new, again, field, message):
    await make_user("ana", "counsellor")
    await login(client, "ana")
    before = (await user_row("ana"))["password_hash"]
    data = {"current_password": "secret-pass-123", "new_password": new, "new_password_again": again}
    response = await post_form(client, "/account/password", data)
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.text and message in response.text
    assert (await user_row("ana"))["password_hash"] == before


async def test_the_new_password_may_not_be_the_username(client, make_user):
    await make_user("ana.novak.counsellor", "counsellor")
    await login(client, "ana.novak.counsellor")
    name = "Ana.Novak.Counsellor"
    data = {"current_password": "secret-pass-123", "new_password": name, "new_password_again": name}
    response = await post_form(client, "/account/password", data)
    assert response.status_code == 422 and "must not be your username" in response.text


async def test_a_mail_failure_does_not_undo_the_change(client, make_user, monkeypatch, caplog):
    from portal.mail import sender
    from portal.settings import get_settings

    dead = dataclasses.replace(get_settings(), smtp_host="127.0.0.1", smtp_port=9, smtp_security="none")
    monkeypatch.setattr(sender, "get_settings", lambda: dead)
    await make_user("ana", "counsellor", email="ana@example.org")
    await login(client, "ana")
    with caplog.at_level(logging.ERROR):
        response = await post_form(
            client,
            "/account/password",
            {"current_password": "secret-pass-123", "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD},
        )
    assert response.status_code == 303
    assert (await user_row("ana"))["password_changed_at"] is not None
    assert "password-changed notice" in caplog.text


# --- sessions -----------------------------------------------------------------------------------


async def test_sessions_are_listed_with_browser_address_and_this_session_marked(app, make_user, db):
    await make_user("ana", "counsellor")
    async with (
        browser(app, "127.0.0.1", **{"User-Agent": FIREFOX}) as mine,
        browser(app, "192.0.2.44", **{"User-Agent": CHROME}) as other,
    ):
        await login(mine, "ana")
        await login(other, "ana")
        page = await mine.get("/account/sessions")
        assert page.status_code == 200
        assert "Firefox on Linux" in page.text and "Chrome on Windows" in page.text
        assert "192.0.2.44" in page.text
        assert page.text.count("(this session)") == 1
        assert page.text.index("Firefox on Linux") < page.text.index("(this session)")


async def test_the_user_agent_is_kept_to_200_characters(make_user, db):
    from portal.auth import sessions
    from portal.db.tables import UserSession

    user_id = await make_user("ana", "counsellor")
    await sessions.start_session(user_id, "127.0.0.1", user_agent="x" * 5000)
    row = await UserSession.select(UserSession.user_agent).order_by(UserSession.id).first()
    assert row["user_agent"] == "x" * 200


async def test_ending_one_session_and_all_others(app, client, make_user):
    user_id = await make_user("ana", "counsellor")
    await login(client, "ana")
    async with browser(app) as second, browser(app) as third:
        await login(second, "ana")
        await login(third, "ana")
        page = await client.get("/account/sessions")
        ids = [int(x) for x in re.findall(r'action="/account/sessions/(\d+)/end"', page.text)]
        assert len(ids) == 2  # no "End" for this session: it has "Log out"
        response = await post_form(client, f"/account/sessions/{ids[0]}/end", {})
        assert response.status_code == 303 and "notice=ended" in response.headers["location"]
        assert [await is_logged_in(c) for c in (client, second, third)].count(False) == 1
        response = await post_form(client, "/account/sessions/end-others", {})
        assert response.status_code == 303
        assert [await is_logged_in(c) for c in (client, second, third)] == [True, False, False]
        assert "All your other sessions were ended." in (await client.get(response.headers["location"])).text
    assert len(await audit_details(user_id)) == 2


async def test_a_user_can_neither_see_nor_end_another_users_session(app, client, make_user):
    from portal.db.tables import PortalUser, UserSession

    await make_user("ana", "counsellor")
    await make_user("bojan", "counsellor")
    async with browser(app, "192.0.2.77", **{"User-Agent": CHROME}) as bojans:
        await login(bojans, "bojan")
        bojan_id = (await PortalUser.select(PortalUser.id).where(PortalUser.username == "bojan").first())["id"]
        (session,) = await UserSession.select(UserSession.id).where(UserSession.user == bojan_id)
        await login(client, "ana")
        page = await client.get("/account/sessions")
        assert "192.0.2.77" not in page.text and "Chrome" not in page.text
        assert f"/account/sessions/{session['id']}/end" not in page.text
        response = await post_form(client, f"/account/sessions/{session['id']}/end", {})
        assert response.status_code == 404
        assert await is_logged_in(bojans)
        await post_form(client, "/account/sessions/end-others", {})
        assert await is_logged_in(bojans)


async def test_ending_this_session_from_the_list_logs_out(client, make_user):
    from portal.db.tables import UserSession

    await make_user("ana", "counsellor")
    await login(client, "ana")
    (session,) = await UserSession.select(UserSession.id)
    response = await post_form(client, f"/account/sessions/{session['id']}/end", {})
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert not await is_logged_in(client)


# --- forgotten password -------------------------------------------------------------------------


async def forgot(c: httpx.AsyncClient, identifier: str) -> httpx.Response:
    return await post_form(c, "/password/forgot", {"identifier": identifier})


async def test_the_login_page_offers_the_reset(client, db):
    page = await client.get("/login")
    assert 'href="/password/forgot"' in page.text and "Forgot your password?" in page.text
    form = await client.get("/password/forgot")
    assert form.status_code == 200 and 'name="identifier"' in form.text and 'for="identifier"' in form.text


async def test_the_answer_is_the_same_whether_or_not_the_account_exists(client, make_user, mailbox):
    await make_user("ana", "counsellor", email="ana@example.org")
    await make_user("mute", "counsellor")  # no e-mail address
    answers = [await forgot(client, who) for who in ("ana", "nobody", "mute", "nobody@example.org")]
    assert {a.status_code for a in answers} == {200}
    assert len({without_csrf(a.text) for a in answers}) == 1
    assert NEUTRAL in answers[0].text
    assert [m["To"] for m in mailbox] == ["ana@example.org"]


async def test_the_mail_goes_out_after_the_answer(app, make_user, mailbox, monkeypatch):
    from portal.auth import reset

    events: list[str] = []
    real_send = reset.send

    async def send(mail: Any) -> None:
        events.append("mail")
        await real_send(mail)

    monkeypatch.setattr(reset, "send", send)

    async def recording(scope: Any, receive: Any, asgi_send: Any) -> None:
        async def send_and_note(message: dict) -> None:
            if message["type"] == "http.response.body" and not message.get("more_body"):
                events.append(f"answer {scope['path']}")
            await asgi_send(message)

        await app(scope, receive, send_and_note)

    await make_user("ana", "counsellor", email="ana@example.org")
    transport = httpx.ASGITransport(app=recording, client=("127.0.0.1", 50002))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        await forgot(c, "ana")
    assert events[-2:] == ["answer /password/forgot", "mail"]
    assert len(mailbox) == 1


async def test_the_reset_link_arrives_and_works(app, client, make_user, mailbox):
    user_id = await make_user("ana", "counsellor", email="Ana@Example.org", language="sl")
    async with browser(app) as elsewhere:
        await login(elsewhere, "ana")
        response = await forgot(client, "ana@example.ORG")  # the e-mail address, in any letter case
        assert response.status_code == 200
        (mail,) = mailbox
        assert mail["To"] == "Ana@Example.org"
        path = link_in(mail, "/password/reset/")
        form = await client.get(path)
        assert form.status_code == 200 and 'name="new_password"' in form.text
        assert form.headers["cache-control"] == "no-store" and form.headers["referrer-policy"] == "no-referrer"
        # A typo re-renders the form and does not use the link up.
        token = await csrf_token(client, path)
        typo = await client.post(
            path, data={"new_password": NEW_PASSWORD, "new_password_again": "oops", "_csrf_token": token}
        )
        assert typo.status_code == 422 and 'id="new_password_again-error"' in typo.text
        token = await csrf_token(client, path)
        done = await client.post(
            path, data={"new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD, "_csrf_token": token}
        )
        assert done.status_code == 303 and done.headers["location"] == "/login?notice=password_reset"
        assert "Your password was changed" in (await client.get(done.headers["location"])).text
        assert not await is_logged_in(elsewhere)  # every session ended
    assert (await try_login(client, "ana", "secret-pass-123")).status_code == 401
    assert (await try_login(client, "ana", NEW_PASSWORD)).status_code == 303
    assert (await user_row("ana"))["password_changed_at"] is not None
    assert [m["To"] for m in mailbox] == ["Ana@Example.org", "Ana@Example.org"]  # the link, then the notice
    assert any("password reset" in d for d in await audit_details(user_id))


async def _reset_link(client: httpx.AsyncClient, mailbox: list, username: str) -> str:
    await forgot(client, username)
    return link_in(mailbox[-1], "/password/reset/")


async def _use(client: httpx.AsyncClient, path: str, password: str = NEW_PASSWORD) -> httpx.Response:
    token = await csrf_token(client, "/login")
    return await client.post(
        path, data={"new_password": password, "new_password_again": password, "_csrf_token": token}
    )


async def test_a_used_link_is_refused(client, make_user, mailbox):
    await make_user("ana", "counsellor", email="ana@example.org")
    path = await _reset_link(client, mailbox, "ana")
    assert (await _use(client, path)).status_code == 303
    again = await client.get(path)
    assert again.status_code == 410 and "expired or was already used" in again.text
    assert 'href="/password/forgot"' in again.text
    refused = await _use(client, path, "yet-another-passphrase")
    assert refused.status_code == 410
    assert (await try_login(client, "ana", NEW_PASSWORD)).status_code == 303


async def test_an_expired_link_is_refused(client, make_user, mailbox):
    from portal.db.tables import AccountToken

    await make_user("ana", "counsellor", email="ana@example.org")
    path = await _reset_link(client, mailbox, "ana")
    await AccountToken.update({AccountToken.expires_at: dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)}).where(
        AccountToken.id > 0
    )
    assert (await client.get(path)).status_code == 410
    assert (await _use(client, path)).status_code == 410
    assert (await try_login(client, "ana", "secret-pass-123")).status_code == 303


async def test_an_invitation_token_is_no_reset_link(client, make_user):
    from portal.auth import tokens

    user_id = await make_user("ana", "counsellor", email="ana@example.org")
    invitation = await tokens.issue(user_id, tokens.INVITATION)
    assert (await client.get(f"/password/reset/{invitation}")).status_code == 410
    assert (await _use(client, f"/password/reset/{invitation}")).status_code == 410
    assert await tokens.peek(invitation, tokens.INVITATION) == user_id  # still good for what it is for
    assert (await client.get("/password/reset/" + "x" * 101)).status_code == 400


async def test_the_reset_lifts_a_throttling_lock_at_once(client, make_user, mailbox):
    await make_user("ana", "counsellor", email="ana@example.org")
    for _ in range(6):
        await try_login(client, "ana", "wrong")
    locked = await try_login(client, "ana", "secret-pass-123")
    assert locked.status_code == 429
    assert 'href="/password/forgot"' in locked.text and "unlock your account" in locked.text
    path = await _reset_link(client, mailbox, "ana")
    assert (await _use(client, path)).status_code == 303
    assert (await try_login(client, "ana", NEW_PASSWORD)).status_code == 303


async def test_inactive_users_get_no_mail(client, make_user, mailbox):
    from portal.db.tables import PortalUser

    await make_user("ana", "counsellor", email="ana@example.org")
    await PortalUser.update({PortalUser.is_active: False}).where(PortalUser.username == "ana")
    response = await forgot(client, "ana")
    assert response.status_code == 200 and NEUTRAL in response.text
    assert mailbox == []


async def test_a_link_of_an_account_switched_off_since_is_dead(client, make_user, mailbox):
    from portal.db.tables import PortalUser

    await make_user("ana", "counsellor", email="ana@example.org")
    path = await _reset_link(client, mailbox, "ana")
    await PortalUser.update({PortalUser.is_active: False}).where(PortalUser.username == "ana")
    assert (await client.get(path)).status_code == 410
    assert (await _use(client, path)).status_code == 410
    await PortalUser.update({PortalUser.is_active: True}).where(PortalUser.username == "ana")
    assert (await try_login(client, "ana", "secret-pass-123")).status_code == 303


async def test_at_most_three_mails_per_account_per_hour(app, client, make_user, mailbox):
    await make_user("ana", "counsellor", email="ana@example.org")
    answers = []
    for n in range(5):  # from different addresses, so only the account limit applies
        async with browser(app, f"192.0.2.{n + 1}") as c:
            answers.append(await forgot(c, "ana"))
    assert {a.status_code for a in answers} == {200}
    assert len({without_csrf(a.text) for a in answers}) == 1
    assert len(mailbox) == 3
    # Only the newest link works: each new one replaces the last.
    assert (await client.get(link_in(mailbox[-1], "/password/reset/"))).status_code == 200
    assert (await client.get(link_in(mailbox[0], "/password/reset/"))).status_code == 410


async def test_at_most_five_requests_per_address_per_quarter_hour(client, make_user, mailbox):
    await make_user("ana", "counsellor", email="ana@example.org")
    for n in range(5):
        assert (await forgot(client, f"someone{n}")).status_code == 200
    refused = await forgot(client, "ana")
    assert refused.status_code == 429 and "Too many requests from your address" in refused.text
    assert mailbox == []


async def test_old_requests_are_purged(client, make_user, mailbox):
    from portal.auth import reset
    from portal.db.tables import PasswordResetRequest

    await make_user("ana", "counsellor", email="ana@example.org")
    for _ in range(3):
        await forgot(client, "ana")
    assert await PasswordResetRequest.count() == 6  # three requests, three mails
    an_hour_ago = dt.datetime.now(dt.UTC) - reset.ACCOUNT_WINDOW - dt.timedelta(seconds=1)
    await PasswordResetRequest.update({PasswordResetRequest.requested_at: an_hour_ago}).where(
        PasswordResetRequest.id > 0
    )
    assert await reset.purge_requests() == 6
    await forgot(client, "ana")  # the account may be mailed again
    assert len(mailbox) == 4


# --- the client address through trusted proxies -------------------------------------------------


@pytest.fixture
def trust_local_proxy(monkeypatch):
    """The portal behind a reverse proxy at 127.0.0.1 (the test client's address)."""
    from portal.settings import get_settings
    from portal.web import client as client_module

    settings = dataclasses.replace(get_settings(), trusted_proxies=("127.0.0.1/32",))
    monkeypatch.setattr(client_module, "get_settings", lambda: settings)


async def test_behind_a_trusted_proxy_one_attacker_does_not_lock_out_another_address(
    app, make_user, db, monkeypatch, trust_local_proxy
):
    from portal.auth import throttle
    from portal.db.tables import LoginAttempt

    monkeypatch.setattr(throttle, "MAX_FAILURES_PER_ADDRESS", 4)  # the mechanism, not the production figure
    await make_user("ana", "counsellor")
    async with browser(app, **{"X-Forwarded-For": "198.51.100.66"}) as attacker:
        for n in range(4):
            await try_login(attacker, f"guess{n}", "wrong")
        assert (await try_login(attacker, "ana", "secret-pass-123")).status_code == 429
    # The attacker's own forged entry to the left of the proxy's changes nothing.
    async with browser(app, **{"X-Forwarded-For": "203.0.113.1, 198.51.100.66"}) as attacker:
        assert (await try_login(attacker, "ana", "secret-pass-123")).status_code == 429
    async with browser(app, **{"X-Forwarded-For": "198.51.100.7"}) as ana:
        assert (await try_login(ana, "ana", "secret-pass-123")).status_code == 303
    addresses = {row["address"] for row in await LoginAttempt.select(LoginAttempt.address)}
    assert addresses == {"198.51.100.66", "198.51.100.7"}


async def test_without_trusted_proxies_a_forged_forwarded_for_is_ignored(app, make_user, db, monkeypatch):
    from portal.auth import throttle
    from portal.db.tables import AuditEvent

    monkeypatch.setattr(throttle, "MAX_FAILURES_PER_ADDRESS", 4)
    await make_user("ana", "counsellor")
    for n in range(4):
        async with browser(app, **{"X-Forwarded-For": f"198.51.100.{n + 1}"}) as attacker:
            await try_login(attacker, f"guess{n}", "wrong")
    async with browser(app, **{"X-Forwarded-For": "198.51.100.200"}) as attacker:
        assert (await try_login(attacker, "ana", "secret-pass-123")).status_code == 429
    # The audit log takes the same address.
    monkeypatch.setattr(throttle, "MAX_FAILURES_PER_ADDRESS", 100)
    async with browser(app, **{"X-Forwarded-For": "198.51.100.9"}) as ana:
        await login(ana, "ana")
        await post_form(ana, "/account", {"display_name": "Ana N", "email": "", "language": ""})
    (event,) = await AuditEvent.select(AuditEvent.address).where(AuditEvent.record_type == "user")
    assert event["address"] == "127.0.0.1"
