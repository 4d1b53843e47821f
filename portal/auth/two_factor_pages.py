"""Two-factor pages: enrolment and recovery codes under /account/two-factor, the code step of the login."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import anyio
from litestar import Controller, Request, Response, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from portal.audit import services as audit
from portal.auth import sessions, two_factor
from portal.auth.guards import TwoFactorEnrolmentRequired, login_required, signed_in_user
from portal.auth.pages import safe_next, session_cookie
from portal.auth.passwords import verify_password
from portal.db.rows import existing
from portal.db.tables import PortalUser
from portal.i18n import gettext as _
from portal.web.client import client_address
from portal.web.errors import json_error, wants_json
from portal.web.templating import render

RECORD = "user"
PAGE = "/account/two-factor"


def _too_many() -> str:
    return _("Too many wrong codes. Wait 15 minutes and try again.")


def _wrong_code() -> str:
    return _("That code is not right, or was used already. Enter the current code from your app.")


def enrolment_required(request: Request, exc: TwoFactorEnrolmentRequired) -> Response:
    """Send a user who must set up two-factor sign-in to the enrolment page; the API answers 403."""
    if wants_json(request):
        return json_error(403, exc.detail)
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    location = f"{PAGE}?next={quote(target, safe='')}"
    if request.headers.get("hx-request") == "true":
        return Response(content="", status_code=403, headers={"HX-Redirect": location})
    return Redirect(path=location, status_code=303)


async def _page(request: Request, status_code: int = 200, **context: Any) -> Template:
    user = signed_in_user(request)
    state = await two_factor.state(user.id)
    secret = state["secret"] if not state["enabled"] else ""
    qr = ""
    if secret:
        uri = two_factor.provisioning_uri(secret, state["username"])
        qr = two_factor.qr_svg(uri, _("QR code to add this account to an authenticator app"))
    values = {
        "state": state,
        "secret": secret,
        "grouped_secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "qr": qr,
        "required": user.role in two_factor.required_roles(),
        "must_enrol": two_factor.must_enrol(user),
        "next": safe_next(request.query_params.get("next") or "", default=""),
        "errors": {},
        "refused": "",
    }
    values.update(context)
    return render(request, "account/two_factor.html", values, status_code=status_code)


def _codes_page(request: Request, codes: list[str], next_path: str) -> Template:
    """The new recovery codes, shown this once (pages of a logged-in user are never cached)."""
    return render(request, "account/recovery_codes.html", {"codes": codes, "next": next_path})


class TwoFactorPages(Controller):
    """The user's own two-factor settings; every change is audited."""

    path = PAGE
    include_in_schema = False
    guards = [login_required]

    @get("/", name="two_factor:page")
    async def page(self, request: Request) -> Template:
        return await _page(request)

    @post("/start", status_code=303)
    async def start(self, request: Request) -> Redirect:
        """A new secret, not yet in force: the page then shows its QR code and asks for a code."""
        form = await request.form()
        next_path = safe_next(str(form.get("next") or ""), default="")
        user = signed_in_user(request)
        if await two_factor.begin_enrolment(user.id):
            await audit.record(
                user,
                client_address(request),
                "update",
                RECORD,
                user.id,
                "two-factor sign-in: new secret, not confirmed",
            )
        return Redirect(path=PAGE + (f"?next={quote(next_path, safe='')}" if next_path else ""), status_code=303)

    @post("/confirm", status_code=200)
    async def confirm(self, request: Request) -> Template:
        form = await request.form()
        code = str(form.get("code") or "")[:20]
        next_path = safe_next(str(form.get("next") or ""), default="")
        user = signed_in_user(request)
        codes, throttled = await two_factor.throttled_check(
            user.username, client_address(request), lambda: two_factor.confirm_enrolment(user.id, code)
        )
        if not codes:
            message = _too_many() if throttled else _wrong_code()
            return await _page(request, 429 if throttled else 422, errors={"code": message}, next=next_path)
        await audit.record(user, client_address(request), "update", RECORD, user.id, "two-factor sign-in turned on")
        return _codes_page(request, codes, next_path or PAGE)

    @post("/recovery-codes", status_code=200)
    async def renew_codes(self, request: Request) -> Template:
        form = await request.form()
        code = str(form.get("renew_code") or "")[:20]
        user = signed_in_user(request)
        ok, throttled = await two_factor.throttled_check(
            user.username, client_address(request), lambda: two_factor.use_code(user.id, code)
        )
        if not ok:
            message = _too_many() if throttled else _wrong_code()
            return await _page(request, 429 if throttled else 422, errors={"renew_code": message})
        codes = await two_factor.new_recovery_codes(user.id)
        await audit.record(
            user, client_address(request), "update", RECORD, user.id, "two-factor recovery codes replaced"
        )
        return _codes_page(request, codes, PAGE)

    @post("/off", status_code=303)
    async def turn_off(self, request: Request) -> Redirect | Template:
        form = await request.form()
        password = str(form.get("password") or "")[:1000]
        code = str(form.get("off_code") or "")[:20]
        user = signed_in_user(request)
        if user.role in two_factor.required_roles():
            message = _("Your role must use two-factor sign-in: it cannot be turned off.")
            return await _page(request, 403, refused=message)
        if not await two_factor.is_enabled(user.id):
            return Redirect(path=PAGE, status_code=303)

        async def both_right() -> bool:
            row = await existing(PortalUser.select(PortalUser.password_hash).where(PortalUser.id == user.id).first())
            password_ok = await anyio.to_thread.run_sync(verify_password, row["password_hash"], password)
            # The code is used up only when the password was right too.
            return password_ok and await two_factor.use_code(user.id, code)

        ok, throttled = await two_factor.throttled_check(user.username, client_address(request), both_right)
        if not ok:
            message = _too_many() if throttled else _("The password or the code is not right. Nothing was changed.")
            return await _page(request, 429 if throttled else 422, errors={"off_code": message})
        await two_factor.turn_off(user.id)
        await audit.record(user, client_address(request), "update", RECORD, user.id, "two-factor sign-in turned off")
        return Redirect(path=PAGE, status_code=303)


class LoginCodePages(Controller):
    """The second step of the login: public, because the pending session opens nothing else."""

    path = "/login/code"
    include_in_schema = False

    @get("/", name="auth:login_code", opt={"access": "public"})
    async def form(self, request: Request, next: FromQuery[str] = "/") -> Template | Redirect:
        if await sessions.pending_user(request.cookies.get(sessions.COOKIE_NAME)) is None:
            return Redirect(path=f"/login?next={quote(safe_next(next), safe='')}", status_code=303)
        return render(request, "account/login_code.html", {"next": safe_next(next), "errors": {}})

    @post("/", opt={"access": "public"}, status_code=303)
    async def check(self, request: Request) -> Template | Redirect:
        form = await request.form()
        code = str(form.get("code") or "")[:40]
        target = safe_next(str(form.get("next") or "/"))
        pending_token = request.cookies.get(sessions.COOKIE_NAME)
        pending = await sessions.pending_user(pending_token)
        if pending is None or pending_token is None:  # no token, no pending user
            return Redirect(path=f"/login?next={quote(target, safe='')}", status_code=303)
        address = client_address(request)
        user_id = pending["id"]
        by_recovery = not two_factor.looks_like_totp(code)

        async def right() -> bool:
            if by_recovery:
                return await two_factor.use_recovery_code(user_id, code)
            return await two_factor.use_code(user_id, code)

        ok, throttled = await two_factor.throttled_check(pending["username"], address, right)
        if throttled:
            # Start again from the password, and say why.
            await sessions.end_session(pending_token)
            context = {
                "next": target,
                "username": pending["username"],
                "error": _("Too many wrong codes. This sign-in was ended: wait 15 minutes and log in again."),
            }
            response = render(request, "login.html", context, status_code=429)
            response.cookies.append(session_cookie("", 0))
            return response
        if not ok:
            errors = {"code": _("That code is not right, or was used already.")}
            return render(request, "account/login_code.html", {"next": target, "errors": errors}, status_code=422)
        # A new session id for the signed-in session; the pending one is dropped.
        token = await sessions.start_session(
            user_id, address, previous_token=pending_token, user_agent=request.headers.get("user-agent", "")
        )
        if by_recovery:
            signed_in = await sessions.user_for_token(token)
            await audit.record(
                signed_in, client_address(request), "update", RECORD, user_id, "signed in with a recovery code"
            )
        max_age = int(sessions.SESSION_LIFETIME.total_seconds())
        return Redirect(path=target, status_code=303, cookies=[session_cookie(token, max_age)])
