"""Self-service pages: one's own profile, password and sessions; the forgotten-password links."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.background_tasks import BackgroundTask
from litestar.exceptions import NotFoundException
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from portal.auth import account_forms, browsers, reset, self_service, sessions
from portal.auth.accounts import MIN_PASSWORD_LENGTH
from portal.auth.guards import login_required, signed_in_user
from portal.auth.link_params import TOKEN_PAGE_HEADERS, Token
from portal.auth.pages import session_cookie
from portal.i18n import LANGUAGES
from portal.i18n import gettext as _
from portal.organisations.params import RecordId
from portal.web.client import client_address
from portal.web.templating import render


def _notices() -> dict[str, str]:
    return {
        "saved": _("Your profile was saved."),
        "password_changed": _("Your password was changed. Your other sessions were ended."),
        "ended": _("The session was ended."),
        "others_ended": _("All your other sessions were ended."),
    }


async def _form(request: Request) -> dict[str, Any]:
    form = await request.form()
    return {key: str(form.get(key) or "")[:1000] for key in form.keys()}


def _language_options() -> dict[str, str]:
    return {"": _("The browser's language"), **LANGUAGES}


class AccountPages(Controller):
    path = "/account"
    include_in_schema = False
    guards = [login_required]

    @get("/", name="account:profile")
    async def profile(self, request: Request, notice: FromQuery[str] = "") -> Template:
        profile = await self_service.profile_of(signed_in_user(request).id)
        return self._profile_page(request, profile, {}, notice=_notices().get(notice, ""))

    @post("/", status_code=303)
    async def save_profile(self, request: Request) -> Redirect | Template:
        data = await _form(request)
        result = await account_forms.save_profile(signed_in_user(request), data, client_address(request))
        if not result.ok:
            status = 429 if result.throttled else 422
            return self._profile_page(request, dict(result.values), result.errors, status_code=status)
        return Redirect(path="/account?notice=saved", status_code=303)

    def _profile_page(
        self, request: Request, profile: dict, errors: dict, notice: str = "", status_code: int = 200
    ) -> Template:
        context = {"profile": profile, "errors": errors, "notice": notice, "languages": _language_options()}
        return render(request, "account/profile.html", context, status_code=status_code)

    @get("/password", name="account:password")
    async def password_form(self, request: Request) -> Template:
        return render(request, "account/password.html", {"errors": {}, "min_length": MIN_PASSWORD_LENGTH})

    @post("/password", status_code=303)
    async def change_password(self, request: Request) -> Redirect | Template:
        data = await _form(request)
        result = await account_forms.change_password(
            signed_in_user(request), data, client_address(request), request.cookies.get(sessions.COOKIE_NAME)
        )
        if not result.ok:
            return render(
                request,
                "account/password.html",
                {"errors": result.errors, "min_length": MIN_PASSWORD_LENGTH},
                status_code=429 if result.throttled else 422,
            )
        return Redirect(path="/account?notice=password_changed", status_code=303)

    @get("/sessions", name="account:sessions")
    async def session_list(self, request: Request, notice: FromQuery[str] = "") -> Template:
        user = signed_in_user(request)
        rows = await sessions.sessions_of(user.id, request.cookies.get(sessions.COOKIE_NAME))
        for row in rows:
            row["browser"], row["system"] = browsers.describe(row["user_agent"])
        context = {"sessions": rows, "notice": _notices().get(notice, "")}
        return render(request, "account/sessions.html", context)

    @post("/sessions/{session_id:int}/end", status_code=303, raises=[NotFoundException])
    async def end_one(self, request: Request, session_id: RecordId) -> Redirect:
        ended = await account_forms.end_session(
            signed_in_user(request), session_id, request.cookies.get(sessions.COOKIE_NAME), client_address(request)
        )
        if not ended.found:
            raise NotFoundException()
        if ended.was_current:
            return Redirect(path="/login", status_code=303, cookies=[session_cookie("", 0)])
        return Redirect(path="/account/sessions?notice=ended", status_code=303)

    @post("/sessions/end-others", status_code=303)
    async def end_others(self, request: Request) -> Redirect:
        await account_forms.end_other_sessions(
            signed_in_user(request), request.cookies.get(sessions.COOKIE_NAME), client_address(request)
        )
        return Redirect(path="/account/sessions?notice=others_ended", status_code=303)


class PasswordResetPages(Controller):
    path = "/password"
    include_in_schema = False

    @get("/forgot", name="password:forgot", opt={"access": "public"})
    async def forgot_form(self, request: Request) -> Template:
        return render(request, "password/forgot.html", {"sent": False, "identifier": ""})

    @post("/forgot", opt={"access": "public"}, status_code=200)
    async def forgot(self, request: Request) -> Template:
        data = await _form(request)
        result = await account_forms.request_reset(data, client_address(request))
        if result.send_links is None:
            context = {"sent": False, "identifier": result.identifier, "error": _too_many_requests()}
            return render(request, "password/forgot.html", context, status_code=429)
        # The same answer, at the same speed, whether or not an account matches: the mail goes out after it.
        page = render(request, "password/forgot.html", {"sent": True, "identifier": ""})
        page.background = BackgroundTask(result.send_links)
        return page

    @get("/reset/{token:str}", name="password:reset", opt={"access": "public"})
    async def reset_form(self, request: Request, token: Token) -> Template:
        if await reset.username_for_token(token) is None:
            return _dead_link(request)
        return _reset_page(request, token, {})

    @post("/reset/{token:str}", opt={"access": "public"}, status_code=303)
    async def reset(self, request: Request, token: Token) -> Redirect | Template:
        data = await _form(request)
        result = await account_forms.reset_password(token, data, client_address(request))
        if result.dead:
            return _dead_link(request)
        if result.errors:
            return _reset_page(request, token, result.errors, status_code=422)  # the link stays usable
        return Redirect(path="/login?notice=password_reset", status_code=303, cookies=[session_cookie("", 0)])


def _too_many_requests() -> str:
    return _("Too many requests from your address. Wait 15 minutes and try again.")


def _reset_page(request: Request, token: str, errors: dict, status_code: int = 200) -> Template:
    page = render(
        request,
        "password/reset.html",
        {"token": token, "errors": errors, "min_length": MIN_PASSWORD_LENGTH},
        status_code=status_code,
    )
    page.headers.update(TOKEN_PAGE_HEADERS)
    return page


def _dead_link(request: Request) -> Template:
    """410 Gone: the link will never work again. Unknown, used, expired and other-purpose links all look
    the same, so the page tells nothing about which accounts or links exist."""
    page = render(request, "password/reset_gone.html", {}, status_code=410)
    page.headers.update(TOKEN_PAGE_HEADERS)
    return page
