"""The account and two-factor form services: the exact audit rows, cookies and refusals the pages depended on."""

from __future__ import annotations

import re

import httpx
import pyotp

from portal.auth import account_forms, sessions, two_factor, two_factor_forms
from portal.auth.current_user import CurrentUser
from portal.db.tables import AuditEvent, PortalUser, UserSession
from tests.fixtures import csrf_token, link_in, login, post_form
from tests.flows import enrol, totp_secret

ADDRESS = "127.0.0.1"
NEW_PASSWORD = "a-brand-new-passphrase"


async def audit_rows(user_id: int) -> list[tuple[int | None, str, str]]:
    """(acting user, address, detail) of the updates to user ``user_id``, oldest first."""
    rows = await (
        AuditEvent.select(AuditEvent.user, AuditEvent.address, AuditEvent.detail)
        .where((AuditEvent.record_type == "user") & (AuditEvent.record_id == user_id) & (AuditEvent.action == "update"))
        .order_by(AuditEvent.id)
    )
    return [(row["user"], row["address"], row["detail"]) for row in rows]


async def current_user(user_id: int) -> CurrentUser:
    row = await PortalUser.select().where(PortalUser.id == user_id).first()
    return CurrentUser(
        id=user_id,
        username=row["username"],
        display_name=row["display_name"],
        role=row["role"],
        organisation_id=row["organisation"],
        organisation_name="",
        language=row["language"],
        totp_enabled=row["totp_enabled"],
    )


def _session_cleared(response: httpx.Response) -> bool:
    cookie = response.headers.get("set-cookie", "")
    return cookie.startswith(f"{sessions.COOKIE_NAME}=") and re.search(r"Max-Age=0", cookie, re.I) is not None


async def test_profile_password_and_session_changes_write_these_audit_rows(app, client, make_user):
    user_id = await make_user("ana", "counsellor", display_name="Ana")
    await login(client, "ana")
    response = await post_form(client, "/account", {"display_name": "Ana Novak", "email": "", "language": "sl"})
    assert response.headers["location"] == "/account?notice=saved"
    # Nothing changed: no audit row.
    await post_form(client, "/account", {"display_name": "Ana Novak", "email": "", "language": "sl"})
    transport = httpx.ASGITransport(app=app, client=("192.0.2.5", 50001))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
        await login(other, "ana")
        await login(other, "ana")  # replaces its own session: still one other
        response = await post_form(
            client,
            "/account/password",
            {"current_password": "secret-pass-123", "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD},
        )
        assert response.status_code == 303 and response.headers["location"] == "/account?notice=password_changed"
        await login(other, "ana", NEW_PASSWORD)
        await login(other, "ana", NEW_PASSWORD)
    (one,) = await UserSession.select(UserSession.id).where(UserSession.address == "192.0.2.5")
    response = await post_form(client, f"/account/sessions/{one['id']}/end", {})
    assert response.headers["location"] == "/account/sessions?notice=ended" and "set-cookie" not in response.headers
    response = await post_form(client, "/account/sessions/end-others", {})
    assert response.headers["location"] == "/account/sessions?notice=others_ended"
    assert await audit_rows(user_id) == [
        (user_id, ADDRESS, "own profile: display_name, language"),
        (user_id, ADDRESS, "own password changed; 1 other sessions ended"),
        (user_id, ADDRESS, f"own session {one['id']} ended"),
        (user_id, ADDRESS, "0 other own sessions ended"),
    ]


async def test_ending_the_current_session_clears_the_cookie_and_another_users_is_not_found(client, make_user):
    ana = await make_user("ana", "counsellor")
    bojan = await make_user("bojan", "counsellor")
    await login(client, "ana")
    bojans_token = await sessions.start_session(bojan, "192.0.2.9")
    (theirs,) = await UserSession.select(UserSession.id).where(UserSession.user == bojan)
    refused = await account_forms.end_session(await current_user(ana), theirs["id"], None, ADDRESS)
    assert refused == account_forms.EndedSession(found=False)
    assert await sessions.user_for_token(bojans_token) is not None and await audit_rows(ana) == []
    (mine,) = await UserSession.select(UserSession.id).where(UserSession.user == ana)
    response = await post_form(client, f"/account/sessions/{mine['id']}/end", {})
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert _session_cleared(response)


async def test_a_reset_by_link_is_audited_without_an_acting_user_and_clears_the_cookie(client, make_user, mailbox):
    user_id = await make_user("ana", "counsellor", email="ana@example.org")
    await post_form(client, "/password/forgot", {"identifier": "ana"})
    path = link_in(mailbox[-1], "/password/reset/")
    token = await csrf_token(client, path)
    response = await client.post(
        path, data={"new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD, "_csrf_token": token}
    )
    assert response.status_code == 303 and response.headers["location"] == "/login?notice=password_reset"
    assert _session_cleared(response)
    assert await audit_rows(user_id) == [(None, ADDRESS, "password reset by e-mail link; all sessions ended")]
    # The same link again is dead, whatever the form says.
    token = await csrf_token(client, "/login")
    again = await client.post(path, data={"new_password": "x", "new_password_again": "y", "_csrf_token": token})
    assert again.status_code == 410


async def test_a_throttled_reset_request_keeps_what_was_typed_and_sends_nothing(db, make_user, mailbox):
    await make_user("ana", "counsellor", email="ana@example.org")
    for _ in range(5):
        assert (await account_forms.request_reset({"identifier": " zz "}, "192.0.2.3")).send_links is not None
    refused = await account_forms.request_reset({"identifier": " ana "}, "192.0.2.3")
    assert refused == account_forms.ResetRequest("ana") and mailbox == []
    allowed = await account_forms.request_reset({"identifier": "ana"}, "192.0.2.4")
    assert allowed.send_links is not None and mailbox == []  # the mail waits for the caller
    await allowed.send_links()
    assert len(mailbox) == 1


async def test_two_factor_changes_write_these_audit_rows(client, make_user, clock):
    user_id = await make_user("ana", "counsellor")
    await login(client, "ana")
    secret, _codes = await enrol(client, "ana", clock)
    # Already on: a new start changes and audits nothing.
    assert (await post_form(client, "/account/two-factor/start", {})).headers["location"] == "/account/two-factor"
    response = await post_form(
        client, "/account/two-factor/recovery-codes", {"renew_code": pyotp.TOTP(secret).at(clock.now)}
    )
    assert response.status_code == 200
    clock.advance()
    response = await post_form(
        client, "/account/two-factor/off", {"password": "secret-pass-123", "off_code": pyotp.TOTP(secret).at(clock.now)}
    )
    assert response.status_code == 303 and response.headers["location"] == "/account/two-factor"
    # Already off: the same answer, nothing audited.
    response = await post_form(client, "/account/two-factor/off", {"password": "wrong", "off_code": "1"})
    assert response.status_code == 303 and response.headers["location"] == "/account/two-factor"
    assert [detail for _user, _address, detail in await audit_rows(user_id)] == [
        "two-factor sign-in: new secret, not confirmed",
        "two-factor sign-in turned on",
        "two-factor recovery codes replaced",
        "two-factor sign-in turned off",
    ]


async def test_a_role_that_must_use_two_factor_is_refused_before_any_check(db, make_user, required_for):
    user_id = await make_user("boss", "admin")
    await two_factor.begin_enrolment(user_id)
    required_for("admin")
    result = await two_factor_forms.turn_off(await current_user(user_id), ADDRESS, "secret-pass-123", "000000")
    assert result.refused and not result.ok and not result.throttled
    assert await audit_rows(user_id) == []


async def test_too_many_wrong_codes_on_the_settings_page_answer_429(client, make_user, clock):
    await make_user("ana", "counsellor")
    await login(client, "ana")
    secret, _codes = await enrol(client, "ana", clock)
    right = pyotp.TOTP(secret).at(clock.now)
    wrong = next(c for c in ("000000", "111111", "222222") if c != right)
    for _ in range(5):
        response = await post_form(client, "/account/two-factor/recovery-codes", {"renew_code": wrong})
        assert response.status_code == 422 and "That code is not right" in response.text
    response = await post_form(client, "/account/two-factor/recovery-codes", {"renew_code": right})
    assert response.status_code == 429 and "Too many wrong codes. Wait 15 minutes" in response.text
    response = await post_form(client, "/account/two-factor/off", {"password": "secret-pass-123", "off_code": right})
    assert response.status_code == 429 and (await PortalUser.select().first())["totp_enabled"]


async def test_a_throttled_code_step_clears_the_cookie_and_refills_the_username(client, make_user, clock):
    await make_user("ana", "counsellor")
    await login(client, "ana")
    secret, _codes = await enrol(client, "ana", clock)
    await post_form(client, "/logout", {})
    await post_form(client, "/login", {"username": "ana", "password": "secret-pass-123"})
    right = pyotp.TOTP(secret).at(clock.now)
    wrong = next(c for c in ("000000", "111111", "222222") if c != right)
    for _ in range(5):
        await post_form(client, "/login/code", {"code": wrong, "next": "/cases/"})
    response = await post_form(client, "/login/code", {"code": right, "next": "/cases/"})
    assert response.status_code == 429 and _session_cleared(response)
    assert 'value="ana"' in response.text and 'value="/cases/"' in response.text


async def test_a_wrong_enrolment_code_shows_the_page_again_with_its_qr_code_and_where_it_continues(
    client, make_user, clock
):
    await make_user("ana", "counsellor")
    await login(client, "ana")
    await post_form(client, "/account/two-factor/start", {})
    secret = await totp_secret("ana")
    right = pyotp.TOTP(secret).at(clock.now)
    wrong = next(c for c in ("000000", "111111", "222222") if c != right)
    response = await post_form(client, "/account/two-factor/confirm", {"code": wrong, "next": "/cases/"})
    assert response.status_code == 422 and 'id="code-error"' in response.text
    assert 'name="next" value="/cases/"' in response.text and "<svg" in response.text
    for _ in range(4):
        await post_form(client, "/account/two-factor/confirm", {"code": wrong})
    response = await post_form(client, "/account/two-factor/confirm", {"code": right, "next": "/cases/"})
    assert response.status_code == 429 and "Too many wrong codes. Wait 15 minutes" in response.text
    assert not (await PortalUser.select().first())["totp_enabled"]
