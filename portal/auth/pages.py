"""Login, logout and the language switch."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from litestar import Controller, Request, get, post
from litestar.datastructures import Cookie
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from portal.auth import self_service, sessions
from portal.auth.guards import current_user, login_required
from portal.auth.sign_in import sign_in
from portal.i18n import LANGUAGES
from portal.i18n import gettext as _
from portal.settings import get_settings
from portal.web.client import client_address
from portal.web.context import LANGUAGE_COOKIE
from portal.web.templating import render


def safe_next(target: str | None, default: str = "/") -> str:
    """Only a local path: never let ?next= send someone to another site."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def login_notices() -> dict[str, str]:
    """Messages the login page shows when another page sends the user there (?notice=...)."""
    return {
        "password_reset": _("Your password was changed. Log in with the new one."),
        "password_set": _("Your password is set; log in."),
    }


def session_cookie(token: str, max_age: int | None) -> Cookie:
    return Cookie(
        key=sessions.COOKIE_NAME,
        value=token,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=get_settings().is_production,
        path="/",
    )


class AuthPages(Controller):
    include_in_schema = False

    @get("/login", name="auth:login", opt={"access": "public"})
    async def login_form(self, request: Request, next: FromQuery[str] = "/", notice: FromQuery[str] = "") -> Template:
        context = {"next": safe_next(next), "error": None, "username": "", "notice": login_notices().get(notice)}
        return render(request, "login.html", context)

    @post("/login", opt={"access": "public"}, status_code=303)
    async def login(self, request: Request) -> Redirect | Template:
        form = await request.form()
        username = str(form.get("username") or "")[:100]
        password = str(form.get("password") or "")[:1000]
        target = safe_next(str(form.get("next") or "/"))
        result = await sign_in(
            username,
            password,
            client_address(request),
            previous_token=request.cookies.get(sessions.COOKIE_NAME),
            user_agent=request.headers.get("user-agent", ""),
        )
        if result.token is None:
            error = (
                _("Too many failed attempts. Wait 15 minutes and try again.")
                if result.throttled
                else _("Wrong username or password.")
            )
            status = 429 if result.throttled else 401
            context = {"next": target, "error": error, "username": username, "throttled": result.throttled}
            return render(request, "login.html", context, status_code=status)
        token = result.token
        # With two-factor on, the session opens nothing until the code is given at /login/code.
        if result.pending_second_factor:
            max_age = int(sessions.PENDING_LIFETIME.total_seconds())
            location = f"/login/code?next={quote(target, safe='')}"
            return Redirect(path=location, status_code=303, cookies=[session_cookie(token, max_age)])
        max_age = int(sessions.SESSION_LIFETIME.total_seconds())
        return Redirect(path=target, status_code=303, cookies=[session_cookie(token, max_age)])

    @post("/logout", guards=[login_required], status_code=303)
    async def logout(self, request: Request) -> Redirect:
        token = request.cookies.get(sessions.COOKIE_NAME)
        if token:
            await sessions.end_session(token)
        # Ask the browser to drop what it kept of pages seen while logged in.
        return Redirect(
            path="/", status_code=303, cookies=[session_cookie("", 0)], headers={"Clear-Site-Data": '"cache"'}
        )

    @post("/language", opt={"access": "public"}, status_code=303)
    async def switch_language(self, request: Request) -> Redirect:
        """Remember the chosen language: on the account when logged in, else in a cookie."""
        form = await request.form()
        language = str(form.get("language") or "")
        target = safe_next(str(form.get("next") or "/"))
        if language not in LANGUAGES:
            return Redirect(path=target, status_code=303)
        user = current_user(request)
        if user is not None:
            await self_service.set_language(user.id, language)
        cookie = Cookie(
            key=LANGUAGE_COOKIE,
            value=language,
            max_age=365 * 24 * 3600,
            httponly=True,
            samesite="lax",
            secure=get_settings().is_production,
            path="/",
        )
        return Redirect(path=target, status_code=303, cookies=[cookie])
