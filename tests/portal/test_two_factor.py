"""Two-factor sign-in over HTTP: enrolment, the code step of the login, replay, recovery codes, who must use it."""

from __future__ import annotations

import asyncio
import hashlib
from urllib.parse import parse_qs, urlsplit

import pyotp

from portal.auth import sessions, two_factor
from portal.db.tables import AuditEvent, PortalUser, RecoveryCode, UserSession
from tests.fixtures import csrf_token, login, post_form
from tests.flows import enrol, recovery_codes, totp_code, totp_secret


async def _user(username: str) -> dict:
    return await PortalUser.select().where(PortalUser.username == username).first()


async def post_enrolling(client, path: str, data: dict):
    """A form post by a user who must enrol first: the home page would send them away, the enrolment page has a token."""
    token = await csrf_token(client, "/account/two-factor")
    return await client.post(path, data={**data, "_csrf_token": token})


async def log_in_with_code(client, username: str, code: str, next_path: str = "/"):
    """Password, then the code; the answer to the code."""
    response = await post_form(
        client, "/login", {"username": username, "password": "secret-pass-123", "next": next_path}
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login/code?next=")
    return await post_form(client, "/login/code", {"code": code, "next": next_path})


async def test_enrolment_shows_a_qr_code_and_turns_on_only_with_a_right_code(client, make_user, clock):
    user_id = await make_user("ana", "counsellor")
    await login(client, "ana")
    page = await client.get("/account/two-factor")
    assert page.status_code == 200 and "Two-factor sign-in is off." in page.text

    assert (await post_form(client, "/account/two-factor/start", {})).status_code == 303
    secret = await totp_secret("ana")
    assert len(secret) == 32 and not (await _user("ana"))["totp_enabled"]
    page = await client.get("/account/two-factor")
    assert '<svg role="img" aria-label="QR code to add this account to an authenticator app"' in page.text
    assert " ".join(secret[i : i + 4] for i in range(0, 32, 4)) in page.text  # the key to type by hand

    wrong = "000000" if totp_code(secret, clock) != "000000" else "111111"
    response = await post_form(client, "/account/two-factor/confirm", {"code": wrong})
    assert response.status_code == 422 and 'id="code-error"' in response.text
    assert not (await _user("ana"))["totp_enabled"]

    response = await post_form(client, "/account/two-factor/confirm", {"code": totp_code(secret, clock)})
    assert response.status_code == 200
    codes = recovery_codes(response.text)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert (await _user("ana"))["totp_enabled"]
    stored = {row["code_hash"] for row in await RecoveryCode.select().where(RecoveryCode.user == user_id)}
    assert stored == {hashlib.sha256(code.replace("-", "").encode()).hexdigest() for code in codes}
    # Shown once: the page afterwards gives only how many are left.
    page = await client.get("/account/two-factor")
    assert "Two-factor sign-in is on." in page.text and not recovery_codes(page.text)
    events = await AuditEvent.select(AuditEvent.detail).where(
        (AuditEvent.record_type == "user") & (AuditEvent.record_id == user_id)
    )
    assert {e["detail"] for e in events} >= {
        "two-factor sign-in: new secret, not confirmed",
        "two-factor sign-in turned on",
    }


async def test_a_password_alone_opens_nothing_and_the_code_renews_the_session(client, make_user, clock):
    await make_user("ana", "counsellor")
    await login(client, "ana")
    secret, _codes = await enrol(client, "ana", clock)
    await post_form(client, "/logout", {})

    response = await post_form(
        client, "/login", {"username": "ana", "password": "secret-pass-123", "next": "/cases/?q=a"}
    )
    assert response.status_code == 303
    location = response.headers["location"]
    assert urlsplit(location).path == "/login/code"
    assert parse_qs(urlsplit(location).query)["next"] == ["/cases/?q=a"]
    pending_token = client.cookies[sessions.COOKIE_NAME]
    assert (await UserSession.select(UserSession.pending_second_factor).order_by(UserSession.id).first())[
        "pending_second_factor"
    ]

    # Only the password done: pages, the API and the account pages are all closed.
    cases = await client.get("/cases/")
    assert cases.status_code == 303 and cases.headers["location"].startswith("/login")
    assert (await client.get("/api/v1/network/status")).status_code == 401
    assert (await client.get("/account/two-factor")).headers["location"].startswith("/login")
    assert (await client.get(location)).status_code == 200

    wrong = "000000" if totp_code(secret, clock) != "000000" else "111111"
    response = await post_form(client, "/login/code", {"code": wrong, "next": "/cases/?q=a"})
    assert response.status_code == 422 and 'id="code-error"' in response.text

    response = await post_form(client, "/login/code", {"code": totp_code(secret, clock), "next": "/cases/?q=a"})
    assert response.status_code == 303 and response.headers["location"] == "/cases/?q=a"
    new_token = client.cookies[sessions.COOKIE_NAME]
    assert new_token != pending_token
    assert await sessions.pending_user(pending_token) is None and await sessions.user_for_token(pending_token) is None
    assert await UserSession.count() == 1
    assert (await client.get("/cases/")).status_code == 200
    assert (await client.get("/api/v1/network/status")).status_code == 200


async def test_a_code_is_accepted_once(client, make_user, clock):
    await make_user("ana", "counsellor")
    await login(client, "ana")
    secret, _codes = await enrol(client, "ana", clock)
    await post_form(client, "/logout", {})
    code = totp_code(secret, clock)
    assert (await log_in_with_code(client, "ana", code)).status_code == 303
    await post_form(client, "/logout", {})
    replayed = await log_in_with_code(client, "ana", code)
    assert replayed.status_code == 422
    assert (await client.get("/cases/")).headers["location"].startswith("/login")
    # Nor an older code that would still be in the window.
    assert (await post_form(client, "/login/code", {"code": pyotp.TOTP(secret).at(clock.now - 30)})).status_code == 422
    clock.advance()
    assert (await post_form(client, "/login/code", {"code": totp_code(secret, clock)})).status_code == 303


async def test_two_racing_requests_with_the_same_code_cannot_both_pass(db, make_user, clock):
    user_id = await make_user("ana", "counsellor")
    await two_factor.begin_enrolment(user_id)
    secret = await totp_secret("ana")
    assert await two_factor.confirm_enrolment(user_id, totp_code(secret, clock))
    clock.advance()
    code = totp_code(secret, clock)
    results = await asyncio.gather(*[two_factor.use_code(user_id, code) for _ in range(8)])
    assert results.count(True) == 1


async def test_a_recovery_code_signs_in_once(client, make_user, clock):
    user_id = await make_user("ana", "counsellor")
    await login(client, "ana")
    _secret_, codes = await enrol(client, "ana", clock)
    await post_form(client, "/logout", {})
    response = await log_in_with_code(client, "ana", codes[3].upper().replace("-", " "))
    assert response.status_code == 303
    assert (await client.get("/cases/")).status_code == 200
    assert await RecoveryCode.count().where(RecoveryCode.used_at.is_not_null()) == 1
    event = (
        await AuditEvent.select()
        .where(AuditEvent.detail == "signed in with a recovery code")
        .order_by(AuditEvent.id)
        .first()
    )
    assert event["record_id"] == user_id and event["username"] == "ana"
    await post_form(client, "/logout", {})
    assert (await log_in_with_code(client, "ana", codes[3])).status_code == 422


async def test_too_many_wrong_codes_end_the_pending_sign_in(client, make_user, clock):
    await make_user("ana", "counsellor")
    await login(client, "ana")
    secret, _codes = await enrol(client, "ana", clock)
    await post_form(client, "/logout", {})
    await post_form(client, "/login", {"username": "ana", "password": "secret-pass-123"})
    pending_token = client.cookies[sessions.COOKIE_NAME]
    right = totp_code(secret, clock)
    wrong = next(c for c in ("000000", "111111", "222222") if c != right)
    for _ in range(5):
        assert (await post_form(client, "/login/code", {"code": wrong})).status_code == 422
    response = await post_form(client, "/login/code", {"code": right})
    assert response.status_code == 429
    assert "Too many wrong codes" in response.text and 'action="/login"' in response.text
    assert await sessions.pending_user(pending_token) is None
    assert (await client.get("/login/code")).headers["location"].startswith("/login")
    # A right password does not forgive the wrong codes: the next sign-in is still refused.
    response = await log_in_with_code(client, "ana", right)
    assert response.status_code == 429


async def test_new_recovery_codes_need_a_code_and_replace_the_old_ones(client, make_user, clock):
    await make_user("ana", "counsellor")
    await login(client, "ana")
    secret, old = await enrol(client, "ana", clock)
    response = await post_form(client, "/account/two-factor/recovery-codes", {"renew_code": "12345"})
    assert response.status_code == 422 and 'id="renew_code-error"' in response.text
    response = await post_form(client, "/account/two-factor/recovery-codes", {"renew_code": totp_code(secret, clock)})
    assert response.status_code == 200
    new = recovery_codes(response.text)
    assert len(new) == 10 and not set(new) & set(old)
    await post_form(client, "/logout", {})
    assert (await log_in_with_code(client, "ana", old[0])).status_code == 422
    assert (await post_form(client, "/login/code", {"code": new[0]})).status_code == 303


async def test_turning_off_needs_the_password_and_a_code(client, make_user, clock):
    user_id = await make_user("ana", "counsellor")
    await login(client, "ana")
    secret, _codes = await enrol(client, "ana", clock)
    response = await post_form(
        client, "/account/two-factor/off", {"password": "wrong-password-1", "off_code": totp_code(secret, clock)}
    )
    assert response.status_code == 422 and (await _user("ana"))["totp_enabled"]
    response = await post_form(client, "/account/two-factor/off", {"password": "secret-pass-123", "off_code": "123"})
    assert response.status_code == 422 and (await _user("ana"))["totp_enabled"]
    response = await post_form(
        client, "/account/two-factor/off", {"password": "secret-pass-123", "off_code": totp_code(secret, clock)}
    )
    assert response.status_code == 303
    row = await _user("ana")
    assert (row["totp_enabled"], row["totp_secret"], row["totp_last_step"]) == (False, "", 0)
    assert await RecoveryCode.count().where(RecoveryCode.user == user_id) == 0
    assert await AuditEvent.exists().where(AuditEvent.detail == "two-factor sign-in turned off")
    await post_form(client, "/logout", {})
    assert (await login(client, "ana")).headers["location"] == "/"


async def test_a_role_that_requires_it_cannot_turn_it_off(client, make_user, clock, required_for):
    await make_user("ana", "counsellor")
    await login(client, "ana")
    secret, _codes = await enrol(client, "ana", clock)
    required_for("counsellor")
    page = await client.get("/account/two-factor")
    assert 'action="/account/two-factor/off"' not in page.text
    response = await post_form(
        client, "/account/two-factor/off", {"password": "secret-pass-123", "off_code": totp_code(secret, clock)}
    )
    assert response.status_code == 403 and (await _user("ana"))["totp_enabled"]


async def test_an_admin_without_two_factor_is_sent_to_enrolment_until_it_is_on(
    app, client, make_user, clock, required_for
):
    required_for("admin")
    await make_user("boss", "admin")
    response = await login(client, "boss")
    paths = ["/cases/", "/audit/", "/organisations/", "/"]
    if any(route.path == "/admin/users" for route in app.routes):
        paths.append("/admin/users")
    for path in paths:
        response = await client.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/account/two-factor?next="), path
    assert (
        (await client.get("/cases/", headers={"HX-Request": "true"}))
        .headers["HX-Redirect"]
        .startswith("/account/two-factor")
    )
    api = await client.get("/api/v1/network/status")
    assert api.status_code == 403 and "two-factor" in api.json()["detail"]
    page = await client.get("/account/two-factor?next=%2Faudit%2F")
    assert page.status_code == 200 and "Your role must use two-factor sign-in" in page.text

    response = await post_enrolling(client, "/account/two-factor/start", {"next": "/audit/"})
    assert response.headers["location"] == "/account/two-factor?next=%2Faudit%2F"
    secret = await totp_secret("boss")
    response = await post_enrolling(
        client, "/account/two-factor/confirm", {"code": totp_code(secret, clock), "next": "/audit/"}
    )
    assert response.status_code == 200 and 'href="/audit/"' in response.text
    assert (await client.get("/audit/")).status_code == 200

    clock.advance()
    await post_form(client, "/logout", {})
    assert (await log_in_with_code(client, "boss", totp_code(secret, clock), "/audit/")).headers[
        "location"
    ] == "/audit/"


async def test_logout_and_the_language_stay_open_before_enrolment(client, make_user, required_for):
    required_for("admin")
    await make_user("boss", "admin")
    await login(client, "boss")
    response = await post_enrolling(client, "/language", {"language": "sl", "next": "/account/two-factor"})
    assert response.status_code == 303
    assert (await post_enrolling(client, "/logout", {})).status_code == 303
    assert await UserSession.count() == 0


async def test_reset_turns_it_off_and_ends_every_session(client, make_user, clock):
    user_id = await make_user("ana", "counsellor")
    await login(client, "ana")
    await enrol(client, "ana", clock)
    await two_factor.reset(user_id)
    row = await _user("ana")
    assert (row["totp_enabled"], row["totp_secret"], row["totp_last_step"]) == (False, "", 0)
    assert await RecoveryCode.count() == 0 and await UserSession.count() == 0
    assert (await client.get("/cases/")).headers["location"].startswith("/login")


async def test_the_code_page_without_a_pending_sign_in_goes_back_to_the_password(client, db):
    response = await client.get("/login/code?next=//evil.example")
    assert response.status_code == 303 and response.headers["location"] == "/login?next=%2F"
    token = await csrf_token(client, "/")
    response = await client.post("/login/code", data={"code": "123456", "_csrf_token": token})
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
