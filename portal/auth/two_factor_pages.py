"""Two-factor pages: enrolment and recovery codes under /account/two-factor, the code step of the login."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Controller, Request, Response, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from portal.auth import sessions, two_factor, two_factor_forms
from portal.auth.guards import TwoFactorEnrolmentRequired, login_required, signed_in_user
from portal.auth.pages import safe_next, session_cookie
from portal.i18n import gettext as _
from portal.web.client import client_address
from portal.web.errors import json_error, wants_json
from portal.web.templating import render

PAGE = "/account/two-factor"


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
        await two_factor_forms.start(signed_in_user(request), client_address(request))
        return Redirect(path=PAGE + (f"?next={quote(next_path, safe='')}" if next_path else ""), status_code=303)

    @post("/confirm", status_code=200)
    async def confirm(self, request: Request) -> Template:
        form = await request.form()
        code = str(form.get("code") or "")[:20]
        next_path = safe_next(str(form.get("next") or ""), default="")
        result = await two_factor_forms.confirm(signed_in_user(request), client_address(request), code)
        if not result.ok:
            status = 429 if result.throttled else 422
            return await _page(request, status, errors={"code": result.error}, next=next_path)
        return _codes_page(request, list(result.codes), next_path or PAGE)

    @post("/recovery-codes", status_code=200)
    async def renew_codes(self, request: Request) -> Template:
        form = await request.form()
        code = str(form.get("renew_code") or "")[:20]
        result = await two_factor_forms.renew_codes(signed_in_user(request), client_address(request), code)
        if not result.ok:
            return await _page(request, 429 if result.throttled else 422, errors={"renew_code": result.error})
        return _codes_page(request, list(result.codes), PAGE)

    @post("/off", status_code=303)
    async def turn_off(self, request: Request) -> Redirect | Template:
        form = await request.form()
        password = str(form.get("password") or "")[:1000]
        code = str(form.get("off_code") or "")[:20]
        result = await two_factor_forms.turn_off(signed_in_user(request), client_address(request), password, code)
        if result.refused:
            return await _page(request, 403, refused=result.refused)
        if result.error:
            return await _page(request, 429 if result.throttled else 422, errors={"off_code": result.error})
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
