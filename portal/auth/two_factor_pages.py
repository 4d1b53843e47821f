"""Two-factor pages: enrolment and recovery codes under /account/two-factor, the code step of the login."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Controller, Request, Response, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from portal.auth import sessions, two_factor_forms, two_factor_view
from portal.auth.guards import TwoFactorEnrolmentRequired, login_required, signed_in_user
from portal.auth.pages import safe_next, session_cookie
from portal.web.client import client_address
from portal.web.errors import json_error, wants_json
from portal.web.outcomes import answer
from portal.web.templating import render

PAGE = two_factor_view.PAGE


def enrolment_required(request: Request, exc: TwoFactorEnrolmentRequired) -> Response:
    """Send a user who must set up two-factor sign-in to the enrolment page; the API answers 403."""
    if wants_json(request):
        return json_error(403, exc.detail)
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    location = f"{PAGE}?next={quote(target, safe='')}"
    if request.headers.get("hx-request") == "true":
        return Response(content="", status_code=403, headers={"HX-Redirect": location})
    return Redirect(path=location, status_code=303)


def _next(value: Any) -> str:
    return safe_next(str(value or ""), default="")


class TwoFactorPages(Controller):
    """The user's own two-factor settings (portal.auth.two_factor_view); every change is audited."""

    path = PAGE
    include_in_schema = False
    guards = [login_required]

    @get("/", name="two_factor:page")
    async def page(self, request: Request) -> Template:
        outcome = await two_factor_view.settings(signed_in_user(request), _next(request.query_params.get("next")))
        return render(request, two_factor_view.TEMPLATE, outcome.context)

    @post("/start", status_code=303)
    async def start(self, request: Request) -> Redirect | Template:
        """A new secret, not yet in force: the page then shows its QR code and asks for a code."""
        form = await request.form()
        outcome = await two_factor_view.start(signed_in_user(request), client_address(request), _next(form.get("next")))
        return answer(request, two_factor_view.TEMPLATE, outcome)

    @post("/confirm", status_code=200)
    async def confirm(self, request: Request) -> Redirect | Template:
        form = await request.form()
        code = str(form.get("code") or "")[:20]
        user, address = signed_in_user(request), client_address(request)
        outcome = await two_factor_view.confirm(user, address, code, _next(form.get("next")))
        return answer(request, two_factor_view.TEMPLATE, outcome)

    @post("/recovery-codes", status_code=200)
    async def renew_codes(self, request: Request) -> Redirect | Template:
        form = await request.form()
        code = str(form.get("renew_code") or "")[:20]
        outcome = await two_factor_view.renew_codes(signed_in_user(request), client_address(request), code)
        return answer(request, two_factor_view.TEMPLATE, outcome)

    @post("/off", status_code=303)
    async def turn_off(self, request: Request) -> Redirect | Template:
        form = await request.form()
        password = str(form.get("password") or "")[:1000]
        code = str(form.get("off_code") or "")[:20]
        user, address = signed_in_user(request), client_address(request)
        outcome = await two_factor_view.turn_off(user, address, password, code)
        return answer(request, two_factor_view.TEMPLATE, outcome)


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
        result = await two_factor_forms.check_login_code(
            request.cookies.get(sessions.COOKIE_NAME),
            code,
            client_address(request),
            user_agent=request.headers.get("user-agent", ""),
        )
        if result.no_pending:
            return Redirect(path=f"/login?next={quote(target, safe='')}", status_code=303)
        if result.throttled:
            context = {"next": target, "username": result.username, "error": result.error}
            response = render(request, "login.html", context, status_code=429)
            response.cookies.append(session_cookie("", 0))
            return response
        if result.token is None:
            errors = {"code": result.error}
            return render(request, "account/login_code.html", {"next": target, "errors": errors}, status_code=422)
        max_age = int(sessions.SESSION_LIFETIME.total_seconds())
        return Redirect(path=target, status_code=303, cookies=[session_cookie(result.token, max_age)])
